package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

type provisionOnDemandModel struct {
	ID                   types.String   `tfsdk:"id"`
	ServicePrincipalID   types.String   `tfsdk:"service_principal_id"`
	SynchronizationJobID types.String   `tfsdk:"synchronization_job_id"`
	Parameters           types.List     `tfsdk:"parameters"`
	Triggers             types.Map      `tfsdk:"triggers"`
	FailOnSkip           types.Bool     `tfsdk:"fail_on_skip"`
	MembersPerCall       types.Int64    `tfsdk:"members_per_call"`
	StopOnFailure        types.Bool     `tfsdk:"stop_on_failure"`
	RetrySkippedFor      types.String   `tfsdk:"retry_skipped_for"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
	Status               types.String   `tfsdk:"status"`
	Results              types.List     `tfsdk:"results"`
	ResultKey            types.String   `tfsdk:"result_key"`
	ResultValue          types.String   `tfsdk:"result_value"`
	RequestID            types.String   `tfsdk:"request_id"`
	RequestIDs           types.List     `tfsdk:"request_ids"`
	PlannedCalls         types.Int64    `tfsdk:"planned_calls"`
	ProvisionedAt        types.String   `tfsdk:"provisioned_at"`
}

type parameterModel struct {
	RuleID   types.String `tfsdk:"rule_id"`
	Subjects types.List   `tfsdk:"subjects"`
}

type subjectModel struct {
	ObjectID          types.String `tfsdk:"object_id"`
	ObjectTypeName    types.String `tfsdk:"object_type_name"`
	AllMembers        types.Bool   `tfsdk:"all_members"`
	TransitiveMembers types.Bool   `tfsdk:"transitive_members"`
	Links             types.Object `tfsdk:"links"`
}

type linksModel struct {
	Members types.List   `tfsdk:"members"`
	Owners  types.List   `tfsdk:"owners"`
	Manager types.Object `tfsdk:"manager"`
}

type linkModel struct {
	ObjectID       types.String `tfsdk:"object_id"`
	ObjectTypeName types.String `tfsdk:"object_type_name"`
}

type resultModel struct {
	Batch                types.Int64             `tfsdk:"batch"`
	Action               types.String            `tfsdk:"action"`
	ChangeID             types.String            `tfsdk:"change_id"`
	ReportableIdentifier types.String            `tfsdk:"reportable_identifier"`
	Status               types.String            `tfsdk:"status"`
	ErrorCode            types.String            `tfsdk:"error_code"`
	ErrorMessage         types.String            `tfsdk:"error_message"`
	RecommendedAction    types.String            `tfsdk:"recommended_action"`
	SourceIdentityID     types.String            `tfsdk:"source_identity_id"`
	SourceIdentityType   types.String            `tfsdk:"source_identity_type"`
	TargetIdentityID     types.String            `tfsdk:"target_identity_id"`
	TargetIdentityType   types.String            `tfsdk:"target_identity_type"`
	SourceSystem         types.String            `tfsdk:"source_system"`
	TargetSystem         types.String            `tfsdk:"target_system"`
	StartTime            types.String            `tfsdk:"start_time"`
	EndTime              types.String            `tfsdk:"end_time"`
	Steps                []stepModel             `tfsdk:"steps"`
	ModifiedProperties   []modifiedPropertyModel `tfsdk:"modified_properties"`
}

type stepModel struct {
	Name        types.String `tfsdk:"name"`
	Type        types.String `tfsdk:"type"`
	Status      types.String `tfsdk:"status"`
	Description types.String `tfsdk:"description"`
	Timestamp   types.String `tfsdk:"timestamp"`
	Details     types.Map    `tfsdk:"details"`
}

type modifiedPropertyModel struct {
	Name     types.String `tfsdk:"name"`
	OldValue types.String `tfsdk:"old_value"`
	NewValue types.String `tfsdk:"new_value"`
}

// provisionCall is one provisionOnDemand call built from a fully known plan.
type provisionCall struct {
	servicePrincipalID string
	jobID              string
	request            graph.ProvisionRequest
	team               *team // the group subject, nil when the call has none
}

func (c provisionCall) subjectCount() int {
	n := 0
	for _, p := range c.request.Parameters {
		n += len(p.Subjects)
	}
	return n
}

// provisionCall converts the plan into the Graph request, with ids reduced to their bare form.
func (m provisionOnDemandModel) provisionCall(ctx context.Context) (provisionCall, diag.Diagnostics) {
	var diags diag.Diagnostics
	sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
	job, _, _ := parseSynchronizationJobID(m.SynchronizationJobID.ValueString())
	call := provisionCall{servicePrincipalID: sp, jobID: job}

	var params []parameterModel
	diags.Append(m.Parameters.ElementsAs(ctx, &params, false)...)
	for _, p := range params {
		var subjects []subjectModel
		diags.Append(p.Subjects.ElementsAs(ctx, &subjects, false)...)
		gp := graph.ProvisionParameter{RuleID: p.RuleID.ValueString()}
		for j, s := range subjects {
			gs := graph.Subject{ObjectID: s.ObjectID.ValueString(), ObjectTypeName: s.ObjectTypeName.ValueString()}
			if gs.ObjectTypeName == "Group" {
				call.team = &team{parameter: len(call.request.Parameters), subject: j,
					allMembers: s.AllMembers.ValueBool(), transitive: s.TransitiveMembers.ValueBool()}
			}
			if !s.Links.IsNull() {
				var l linksModel
				diags.Append(s.Links.As(ctx, &l, objectAsOptions)...)
				gs.Links = &graph.SubjectLinks{
					Members: linkList(ctx, l.Members, &diags),
					Owners:  linkList(ctx, l.Owners, &diags),
				}
				if !l.Manager.IsNull() {
					var mgr linkModel
					diags.Append(l.Manager.As(ctx, &mgr, objectAsOptions)...)
					gs.Links.Manager = &graph.SubjectLink{ObjectID: mgr.ObjectID.ValueString(), ObjectTypeName: mgr.ObjectTypeName.ValueString()}
				}
			}
			gp.Subjects = append(gp.Subjects, gs)
		}
		call.request.Parameters = append(call.request.Parameters, gp)
	}
	return call, diags
}

func linkList(ctx context.Context, list types.List, diags *diag.Diagnostics) []graph.SubjectLink {
	var links []linkModel
	diags.Append(list.ElementsAs(ctx, &links, false)...)
	out := make([]graph.SubjectLink, 0, len(links))
	for _, l := range links {
		out = append(out, graph.SubjectLink{ObjectID: l.ObjectID.ValueString(), ObjectTypeName: l.ObjectTypeName.ValueString()})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// validateProvisionConfig checks what attribute validators cannot see alone: how attributes
// relate. Unknown values are skipped; they are checked again once known.
func validateProvisionConfig(ctx context.Context, m provisionOnDemandModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if !m.ServicePrincipalID.IsUnknown() && !m.SynchronizationJobID.IsUnknown() && !m.SynchronizationJobID.IsNull() {
		_, pathSP, err := parseSynchronizationJobID(m.SynchronizationJobID.ValueString())
		sp, spOK := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
		if err == nil && spOK {
			diags.Append(checkSameServicePrincipal(sp, pathSP)...)
		}
	}
	if m.Parameters.IsUnknown() || m.Parameters.IsNull() {
		return diags
	}
	var params []parameterModel
	diags.Append(m.Parameters.ElementsAs(ctx, &params, true)...)
	var firstGroup *path.Path
	seen := map[string]path.Path{} // subjectKey -> where it was first listed, across all rules
	for i, p := range params {
		if p.Subjects.IsUnknown() || p.Subjects.IsNull() {
			continue
		}
		var subjects []subjectModel
		diags.Append(p.Subjects.ElementsAs(ctx, &subjects, true)...)
		for j, s := range subjects {
			at := path.Root("parameters").AtListIndex(i).AtName("subjects").AtListIndex(j)
			diags.Append(validateSubject(ctx, at, s)...)
			if s.ObjectTypeName.ValueString() == "Group" {
				if firstGroup != nil {
					addAttributeError(&diags, at.AtName("object_type_name"), "Invalid object_type_name: more than one group in one call",
						fmt.Sprintf("Graph provisions one group per call, and %s is already a Group. "+
							"Provision each group in its own resource (or use count/for_each).", *firstGroup))
				} else {
					first := at
					firstGroup = &first
				}
			}
			if s.ObjectID.IsUnknown() || s.ObjectTypeName.IsUnknown() {
				continue
			}
			key := subjectKey(s.ObjectTypeName.ValueString(), s.ObjectID.ValueString())
			if first, dup := seen[key]; dup {
				addAttributeError(&diags, at.AtName("object_id"), "Invalid object_id: duplicate subject",
					fmt.Sprintf("%s %q is already listed at %s; list each subject once.", s.ObjectTypeName.ValueString(), s.ObjectID.ValueString(), first))
				continue
			}
			seen[key] = at
		}
	}
	return diags
}

// subjectKey identifies a subject the way Graph does: Entra object ids (User, Group) are GUIDs and
// compare without case; distinguished names and worker ids are kept as written.
func subjectKey(typeName, objectID string) string {
	if typeName == "User" || typeName == "Group" {
		objectID = strings.ToLower(objectID)
	}
	return typeName + "/" + objectID
}

func validateSubject(ctx context.Context, at path.Path, s subjectModel) diag.Diagnostics {
	var diags diag.Diagnostics
	typeName := s.ObjectTypeName.ValueString()
	known := !s.ObjectTypeName.IsUnknown() && !s.ObjectTypeName.IsNull()
	if known && (typeName == "User" || typeName == "Group") && !s.ObjectID.IsUnknown() && !s.ObjectID.IsNull() && !isGUID(s.ObjectID.ValueString()) {
		addAttributeError(&diags, at.AtName("object_id"), "Invalid object_id",
			fmt.Sprintf("A %s subject is an Entra object and its object_id must be a GUID, not %q. "+
				"Distinguished names are for \"user\"/\"computer\" (Cloud Sync), worker IDs for \"Worker\".", typeName, s.ObjectID.ValueString()))
	}
	diags.Append(validateTeam(ctx, at, s)...)
	if s.Links.IsNull() || s.Links.IsUnknown() {
		return diags
	}
	if known && typeName != "Group" {
		addAttributeError(&diags, at.AtName("links"), "Invalid links: links on a non-group subject",
			fmt.Sprintf("links (members, owners, manager) are allowed only on \"Group\" subjects; this subject is %q. Remove links or provision the group.", typeName))
		return diags
	}
	var l linksModel
	diags.Append(s.Links.As(ctx, &l, objectAsOptions)...)
	diags.Append(undocumentedLinks(at, l)...)
	if l.Members.IsNull() || l.Members.IsUnknown() {
		return diags
	}
	var members []linkModel
	diags.Append(l.Members.ElementsAs(ctx, &members, true)...)
	seen := map[string]int{}
	for k, mem := range members {
		memberAt := at.AtName("links").AtName("members").AtListIndex(k)
		if !mem.ObjectTypeName.IsUnknown() && !mem.ObjectTypeName.IsNull() && mem.ObjectTypeName.ValueString() != "User" {
			addAttributeError(&diags, memberAt.AtName("object_type_name"), "Invalid object_type_name: not a User",
				fmt.Sprintf("Group members provisioned on demand must be \"User\" objects, not %q; provision a nested group as its own subject.", mem.ObjectTypeName.ValueString()))
		}
		if mem.ObjectID.IsUnknown() || mem.ObjectID.IsNull() {
			continue
		}
		id := strings.ToLower(mem.ObjectID.ValueString())
		switch first, dup := seen[id]; {
		case dup:
			addAttributeError(&diags, memberAt.AtName("object_id"), "Invalid object_id: duplicate member",
				fmt.Sprintf("member %q is already member %d of this group; list each member once.", mem.ObjectID.ValueString(), first))
		case !s.ObjectID.IsUnknown() && strings.EqualFold(id, s.ObjectID.ValueString()):
			addAttributeError(&diags, memberAt.AtName("object_id"), "Invalid object_id: the group itself",
				fmt.Sprintf("member %q is the group being provisioned; a group cannot be its own member.", mem.ObjectID.ValueString()))
		}
		seen[id] = k
	}
	return diags
}

// undocumentedLinks refuses owners and manager: the synchronizationLinkedObjects reference pages of
// v1.0 and beta (https://learn.microsoft.com/graph/api/resources/synchronization-synchronizationlinkedobjects)
// document only members, "all group members that you would like to provision"; owners and
// manager exist only in Graph's metadata, with no documented behaviour.
func undocumentedLinks(at path.Path, l linksModel) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, link := range []struct {
		name string
		set  bool
	}{{"owners", !l.Owners.IsNull()}, {"manager", !l.Manager.IsNull()}} {
		if name := link.name; link.set {
			addAttributeError(&diags, at.AtName("links").AtName(name), "Invalid links."+name+": not documented by Microsoft Graph",
				fmt.Sprintf("links.%s is not accepted: Graph's synchronizationLinkedObjects reference (v1.0 and beta alike) documents "+
					"only links.members, the members of a Group subject. Remove links.%s.", name, name))
		}
	}
	return diags
}

// objectAsOptions reads optional nested objects whose unset parts are null.
var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}
