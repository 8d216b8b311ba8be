package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// maxGroupMembers is Graph's limit of members sent with one group.
const maxGroupMembers = 5

func checkNotBlank(attr string) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s must not be empty or only whitespace", attr)
		}
		return nil
	}
}

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

func checkGUID(attr string) func(string) error {
	return func(v string) error {
		if !isGUID(v) {
			return fmt.Errorf("%s %q is not a GUID; Entra object IDs look like \"8213fd99-d6b6-417b-8e13-af6334856215\"", attr, v)
		}
		return nil
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
		"links": schema.SingleNestedAttribute{
			Optional:            true,
			MarkdownDescription: "Objects sent with a `Group` subject. Only allowed on `Group` subjects.",
			Attributes: map[string]schema.Attribute{
				"members": schema.ListNestedAttribute{
					Optional: true,
					MarkdownDescription: fmt.Sprintf("Members of the group to provision with it: at most %d, each a `User`. "+
						"Without members Graph provisions the group object only.", maxGroupMembers),
					Validators:   []validator.List{listvalidator.SizeAtMost(maxGroupMembers)},
					NestedObject: schema.NestedAttributeObject{Attributes: linkAttributes("member")},
				},
				"owners": schema.ListNestedAttribute{
					Optional:            true,
					MarkdownDescription: "Owners of the group (accepted by Graph's SDK models, not in its reference).",
					NestedObject:        schema.NestedAttributeObject{Attributes: linkAttributes("owner")},
				},
				"manager": schema.SingleNestedAttribute{
					Optional:            true,
					MarkdownDescription: "Manager link (accepted by Graph's SDK models, not in its reference).",
					Attributes:          linkAttributes("manager"),
				},
			},
		},
	}
}

func resultAttributes() map[string]schema.Attribute {
	str := func(desc string) schema.Attribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return map[string]schema.Attribute{
		"action":                str("What provisioning did: `Create`, `Update`, `Delete`, `Disable`, `StagedDelete` or `Other`."),
		"change_id":             str("Graph's change ID of this entry."),
		"reportable_identifier": str("How Graph names the subject, such as a user principal name."),
		"status":                str("`Success`, `Warning`, `Skipped` or `Failure`."),
		"error_code":            str("Error or skip code, such as `RedundantExport` (already in sync)."),
		"error_message":         str("Graph's explanation of the error or skip."),
		"recommended_action":    str("What Graph recommends doing about a failure."),
		"source_identity_id":    str("ID of the object in the source system."),
		"source_identity_type":  str("Type of the object in the source system."),
		"target_identity_id":    str("ID of the object in the target system."),
		"target_identity_type":  str("Type of the object in the target system."),
		"source_system":         str("Name of the source system."),
		"target_system":         str("Name of the target system."),
		"start_time":            str("When provisioning of this entry started."),
		"end_time":              str("When provisioning of this entry ended."),
		"steps": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The provisioning steps (import, scoping, matching, export...).",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name":        str("Step name, such as `EntryExportAdd`."),
				"type":        str("Step type: `Import`, `Scoping`, `Matching`, `Processing`, `ReferenceResolution` or `Export`."),
				"status":      str("Step status: `Success`, `Warning`, `Skipped` or `Failure`."),
				"description": str("What happened in this step."),
				"timestamp":   str("When the step ran."),
				"details": schema.MapAttribute{
					Computed: true, ElementType: types.StringType,
					MarkdownDescription: "Step details. May hold personal data.",
				},
			}},
		},
		"modified_properties": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "Attributes changed in the target. May hold personal data.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name":      str("Attribute name."),
				"old_value": str("Value before."),
				"new_value": str("Value after."),
			}},
		},
	}
}
