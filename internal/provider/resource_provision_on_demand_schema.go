package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// retrySkippedForAttribute is the time during which a skip other than "already in sync" is
// provisioned again.
func retrySkippedForAttribute() schema.Attribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "How long to provision again while Graph skips a subject for any reason other than being already " +
			"in sync, as a Go duration such as `\"5m\"`. Entra can take a few minutes to see a new app role assignment, and " +
			"until then it answers `Skipped` (`NotEffectivelyEntitled`): with `retry_skipped_for` set, the provider provisions " +
			"again through the rate limit until the answer is not such a skip or the time runs out (within the create " +
			"timeout); each attempt is logged and the last answer is kept. Unset: one call. Changing it makes no API call.",
		Validators: []validator.String{stringCheck("a positive Go duration such as \"5m\"", checkRetryDuration)},
	}
}

// checkRetryDuration accepts a positive Go duration.
func checkRetryDuration(v string) error {
	if _, err := parseInterval(v); err != nil {
		return fmt.Errorf("retry_skipped_for: %w", err)
	}
	return nil
}

// maxGroupMembers is Graph's limit of members sent with one group in one call; a longer list is
// sent in batches of members_per_call.
const maxGroupMembers = 5

func linkAttributes(what string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"object_id": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Entra object ID (GUID) of the " + what + ".",
			Validators:          []validator.String{stringCheck("a GUID", checkGUID("object_id"))},
		},
		"object_type_name": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Object type of the " + what + "; `User` for group members.",
			Validators:          []validator.String{stringCheck("an object type", checkObjectTypeName)},
		},
	}
}

func subjectAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"object_id": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "The subject: an Entra object ID (GUID) for `User` and `Group`; the on-premises distinguished name " +
				"for `user` and `computer` (Cloud Sync); the worker ID for `Worker` (Workday, SuccessFactors).",
			Validators: []validator.String{stringCheck("a non-empty object ID", checkNotBlank("object_id"))},
		},
		"object_type_name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Case-sensitive: `User` or `Group` (Entra ID to an app), `user` (Active Directory to Entra ID, Cloud Sync), " +
				"`Worker` (Workday or SuccessFactors inbound), `computer` (Cloud Sync devices).",
			Validators: []validator.String{stringCheck("an object type", checkObjectTypeName)},
		},
		"all_members": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "`Group` subjects only: when `true`, the group's user members are read from Graph at apply " +
				"(`GET /groups/{id}/members`, every page; needs `GroupMember.Read.All`) and provisioned with it, `members_per_call` " +
				"per call. Not with `links.members`.",
		},
		"transitive_members": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "With `all_members`: read the users of nested groups too (`/transitiveMembers`), each once.",
		},
		"links": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Objects sent with a `Group` subject. Only allowed on `Group` subjects, and only `members`: " +
				"the only link Graph documents, in v1.0 and beta alike.",
			Attributes: map[string]schema.Attribute{
				"members": schema.ListNestedAttribute{
					Optional: true,
					MarkdownDescription: fmt.Sprintf("Members of the group to provision with it, each a `User`, any number: Graph takes "+
						"at most %d per call, so they are sent in order, `members_per_call` per call, each call within the job's rate limit. "+
						"Without members Graph provisions the group object only.", maxGroupMembers),
					NestedObject: schema.NestedAttributeObject{Attributes: linkAttributes("member")},
				},
				"owners": schema.ListNestedAttribute{
					Optional:            true,
					MarkdownDescription: "Not accepted: Graph's reference (v1.0 and beta) documents only `members`; kept in the schema to say so at plan.",
					NestedObject:        schema.NestedAttributeObject{Attributes: linkAttributes("owner")},
				},
				"manager": schema.SingleNestedAttribute{
					Optional:            true,
					MarkdownDescription: "Not accepted: Graph's reference (v1.0 and beta) documents only `members`; kept in the schema to say so at plan.",
					Attributes:          linkAttributes("manager"),
				},
			},
		},
	}
}
