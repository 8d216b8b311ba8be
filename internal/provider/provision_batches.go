package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// Graph takes one group and at most five of its members per provisionOnDemand call ("On-demand
// provisioning in Microsoft Entra ID", known limitations; the fake refuses more with 400
// RequestParameterInvalid). A group with more members is sent in batches: the same call, the
// group with the next members_per_call members each time, in the order given.

// membersPerCallDescription is the input of the resource, the action and the provider.
var membersPerCallDescription = fmt.Sprintf("Members sent with a group per call, 1 to %d (Graph refuses more). "+
	"A group with more members is sent in several calls, each within the job's rate limit.", maxGroupMembers)

// batchInputAttributes are the resource's and the action's inputs about batches.
func batchInputAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"members_per_call": schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: membersPerCallDescription + " Defaults to the provider's `members_per_call` (default `5`). Changing it makes no API call.",
			Validators:          []validator.Int64{int64validator.Between(1, maxGroupMembers)},
		},
		"stop_on_failure": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "When `true`, a batch with a `Failure` stops the run: the later batches are not sent. Default `false`: " +
				"each member is independent, so every batch is sent. Changing it makes no API call.",
		},
	}
}

// batchComputedAttributes are the resource's outputs about batches.
func batchComputedAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"planned_calls": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "How many provisionOnDemand calls the run makes: one per batch of `members_per_call` members. " +
				"Known at plan when the members are; with `all_members`, once they are read at apply.",
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		"request_ids": schema.ListAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Graph `request-id` of every call of the run, in order (`request_id` is the first).",
			PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
		},
	}
}

// team is the one Group subject of a call whose members are sent in batches.
type team struct {
	parameter, subject int  // indexes in the request
	allMembers         bool // read the members from Graph at apply
	transitive         bool // ... from /transitiveMembers
}

// group is the team's subject in c.
func (c provisionCall) group() *graph.Subject {
	return &c.request.Parameters[c.team.parameter].Subjects[c.team.subject]
}

// memberCount is how many members c sends with its group.
func (c provisionCall) memberCount() int {
	if c.team == nil || c.group().Links == nil {
		return 0
	}
	return len(c.group().Links.Members)
}

// batches splits c into the calls that send its group's members, size (1 to 5) per call, in
// order. The first call is c with its first members; each later call sends the group alone with
// the next.
func (c provisionCall) batches(size int) []provisionCall {
	size = min(max(size, 1), maxGroupMembers) // checked at plan; a bound, not a policy
	members := c.memberCount()
	if members <= size {
		return []provisionCall{c}
	}
	all := c.group().Links.Members
	var out []provisionCall
	for start := 0; start < members; start += size {
		b := c
		group := *c.group()
		links := *group.Links
		links.Members = all[start:min(start+size, members)]
		group.Links = &links
		rule := c.request.Parameters[c.team.parameter].RuleID
		if start == 0 {
			b.request.Parameters = append([]graph.ProvisionParameter(nil), c.request.Parameters...)
			subjects := append([]graph.Subject(nil), c.request.Parameters[c.team.parameter].Subjects...)
			subjects[c.team.subject] = group
			b.request.Parameters[c.team.parameter] = graph.ProvisionParameter{RuleID: rule, Subjects: subjects}
		} else {
			b.request.Parameters = []graph.ProvisionParameter{{RuleID: rule, Subjects: []graph.Subject{group}}}
			b.team = &team{}
		}
		out = append(out, b)
	}
	return out
}

// callCount is how many calls sending members members takes, size per call.
func callCount(members, size int) int {
	return max(1, (members+size-1)/size)
}

// batchAnswer is the answer of one call of a run, with the group's repeated entry left out.
type batchAnswer struct {
	members int
	result  *graph.ProvisionResult
}

// provisionRun is what a run sent and Graph answered, batch by batch.
type provisionRun struct {
	planned int // calls the run was to make
	batches []batchAnswer
}

// add records a call's answer. Every call answers an entry for the group: only the first is kept.
func (r *provisionRun) add(call provisionCall, result *graph.ProvisionResult) {
	if len(r.batches) > 0 && call.team != nil {
		groupID := call.group().ObjectID
		kept := result.Entries[:0:0]
		for _, e := range result.Entries {
			if !strings.EqualFold(e.SourceIdentityID, groupID) {
				kept = append(kept, e)
			}
		}
		filtered := *result
		filtered.Entries = kept
		filtered.Status = answerStatus(&filtered)
		result = &filtered
	}
	r.batches = append(r.batches, batchAnswer{members: call.memberCount(), result: result})
}

// answerStatus is the most severe status of an answer's entries, else its key's result.
func answerStatus(r *graph.ProvisionResult) string {
	if len(r.Entries) == 0 {
		return r.KeyResult
	}
	statuses := make([]string, 0, len(r.Entries))
	for _, e := range r.Entries {
		statuses = append(statuses, e.Status)
	}
	return graph.MostSevereStatus(statuses...)
}

// status is the most severe status over all batches; "" when one of them has none.
func (r *provisionRun) status() string {
	statuses := make([]string, 0, len(r.batches))
	for _, b := range r.batches {
		if b.result.Status == "" {
			return ""
		}
		statuses = append(statuses, b.result.Status)
	}
	return graph.MostSevereStatus(statuses...)
}

// outcomeDiagnostics applies the outcome policy to every batch, each failure ending with
// afterFailure; with more than one call, each message names its batch.
func (r *provisionRun) outcomeDiagnostics(ctx context.Context, failOnSkip bool, afterFailure string) diag.Diagnostics {
	var diags diag.Diagnostics
	for k, b := range r.batches {
		d := outcomeDiagnosticsAfter(ctx, b.result, failOnSkip, afterFailure)
		if r.planned > 1 {
			d = inBatch(d, k+1, r.planned)
		}
		diags.Append(d...)
	}
	return diags
}

// inBatch adds "(batch k of n)" to the summary of each diagnostic.
func inBatch(diags diag.Diagnostics, k, n int) diag.Diagnostics {
	out := make(diag.Diagnostics, 0, len(diags))
	for _, d := range diags {
		summary := fmt.Sprintf("%s (batch %d of %d)", d.Summary(), k, n)
		if d.Severity() == diag.SeverityError {
			out.AddError(summary, d.Detail())
		} else {
			out.AddWarning(summary, d.Detail())
		}
	}
	return out
}

// stoppedDiagnostic says that a run ended before its last batch, why, and what was kept.
func (r *provisionRun) stoppedDiagnostic(why string, left []provisionCall) diag.Diagnostics {
	var diags diag.Diagnostics
	members := 0
	for _, c := range left {
		members += c.memberCount()
	}
	diags.AddError(fmt.Sprintf("Provisioning stopped after %d of %d batches", len(r.batches), r.planned),
		fmt.Sprintf("%s %d batch(es) with %d member(s) were not sent. The answers of the batches that ran are kept "+
			"(a resource is saved tainted, so the next apply provisions again; members already in sync answer "+
			"Skipped/RedundantExport, which counts as success).", why, len(left), members))
	return diags
}

// validateTeam checks all_members and transitive_members of the subject at: a Group's, and not
// with links.members.
func validateTeam(ctx context.Context, at path.Path, s subjectModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if s.TransitiveMembers.ValueBool() && !s.AllMembers.ValueBool() && !s.AllMembers.IsUnknown() {
		addAttributeError(&diags, at.AtName("transitive_members"), "Invalid transitive_members: without all_members",
			"transitive_members chooses how all_members reads the group's members; set all_members = true, or remove transitive_members.")
	}
	if !s.AllMembers.ValueBool() {
		return diags
	}
	if typeName := s.ObjectTypeName; !typeName.IsUnknown() && typeName.ValueString() != "Group" {
		addAttributeError(&diags, at.AtName("all_members"), "Invalid all_members: not a Group",
			fmt.Sprintf("all_members reads a group's members; this subject is %q. Remove all_members, or provision a \"Group\" subject.", typeName.ValueString()))
	}
	if s.Links.IsNull() || s.Links.IsUnknown() {
		return diags
	}
	var l linksModel
	diags.Append(s.Links.As(ctx, &l, objectAsOptions)...)
	if !l.Members.IsNull() {
		addAttributeError(&diags, at.AtName("all_members"), "Invalid all_members: with links.members",
			"all_members reads the group's members from Graph, and links.members lists them: use one of the two. "+
				"Remove links.members to provision every member, or all_members to provision the listed ones.")
	}
	return diags
}

// planCalls is planned_calls at plan: the calls the run makes when its members and
// members_per_call are known, else unknown. A run that must wait for the job's rate limit gets a
// warning with the least time it takes.
func planCalls(ctx context.Context, d *providerData, m provisionOnDemandModel) (types.Int64, diag.Diagnostics) {
	var diags diag.Diagnostics
	size := 0
	switch {
	case m.MembersPerCall.IsUnknown():
	case !m.MembersPerCall.IsNull():
		size = int(m.MembersPerCall.ValueInt64())
	case d != nil:
		size = d.membersPerCall
	}
	members, known := plannedMembers(ctx, m)
	if size < 1 || !known {
		return types.Int64Unknown(), diags
	}
	calls := callCount(members, size)
	if d != nil && d.rateLimitRequests > 0 && calls > d.rateLimitRequests {
		wait := time.Duration((calls-1)/d.rateLimitRequests) * d.rateLimitInterval
		diags.AddWarning(fmt.Sprintf("Large batch: %d members in %d calls", members, calls),
			fmt.Sprintf("%d members: %d calls, about %s at %d per %s, the job's rate limit (more when other resources of "+
				"the same job provision in this run: they share it). members_per_call is %d. Keep timeouts.create (default %s) above that.",
				members, calls, wait, d.rateLimitRequests, d.rateLimitInterval, size, defaultCreateTimeout))
	}
	return types.Int64Value(int64(calls)), diags
}

// plannedMembers is how many members the plan sends with its group, when that is known at plan.
func plannedMembers(ctx context.Context, m provisionOnDemandModel) (int, bool) {
	if m.Parameters.IsUnknown() || m.Parameters.IsNull() {
		return 0, false
	}
	var params []parameterModel
	if m.Parameters.ElementsAs(ctx, &params, true).HasError() {
		return 0, false
	}
	for _, p := range params {
		var subjects []subjectModel
		if p.Subjects.IsUnknown() || p.Subjects.ElementsAs(ctx, &subjects, true).HasError() {
			return 0, false
		}
		for _, s := range subjects {
			if s.ObjectTypeName.IsUnknown() || s.AllMembers.IsUnknown() || s.Links.IsUnknown() {
				return 0, false
			}
			if s.ObjectTypeName.ValueString() != "Group" {
				continue
			}
			if s.AllMembers.ValueBool() {
				return 0, false
			}
			var l linksModel
			if !s.Links.IsNull() && (s.Links.As(ctx, &l, objectAsOptions).HasError() || l.Members.IsUnknown()) {
				return 0, false
			}
			return len(l.Members.Elements()), true
		}
	}
	return 0, true
}

// groupMembersErrorDiagnostics explains a failed read of the members of the call's group.
func groupMembersErrorDiagnostics(err error, call provisionCall, signInMethod string) diag.Diagnostics {
	var diags diag.Diagnostics
	var gerr *graph.Error
	at := path.Root("parameters").AtListIndex(call.team.parameter).AtName("subjects").AtListIndex(call.team.subject)
	group := call.group().ObjectID
	switch {
	case errors.As(err, &gerr) && gerr.StatusCode == http.StatusForbidden:
		addAttributeError(&diags, at.AtName("all_members"), "Permission denied reading the group's members",
			fmt.Sprintf("all_members reads the members of group %s, which needs the Microsoft Graph permission %s (application "+
				"or delegated; Group.Read.All or Directory.Read.All also do). Grant it to the signed-in identity, or list the "+
				"members in links.members instead.\n%s", group, graph.GroupMemberPermission, err))
	case errors.As(err, &gerr) && gerr.StatusCode == http.StatusNotFound:
		addAttributeError(&diags, at.AtName("object_id"), "Group not found",
			fmt.Sprintf("Graph found no group %s to read the members of. Check object_id.\n%s", group, err))
	default:
		diags.Append(graphErrorDiagnostics(err, call, len(call.request.Parameters), signInMethod)...)
	}
	return diags
}
