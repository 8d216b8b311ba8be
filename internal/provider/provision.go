package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// defaultCreateTimeout bounds one provisioning run (the resource's create, the action's invoke),
// waiting for the rate limit included.
const defaultCreateTimeout = 15 * time.Minute

// provision runs what m describes through the shared throttled client, reporting to progress:
// it reads the group's members when all_members asks for them, then sends the call, in batches
// of members_per_call members when the group has more. The resource and the action share it,
// and each applies the outcome policy itself. The run holds the answers of the batches that ran,
// also when an error stopped it.
func (d *providerData) provision(ctx context.Context, m provisionOnDemandModel, progress func(string)) (*provisionRun, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !d.hasClient(&diags, "nothing can be provisioned") {
		return nil, diags
	}
	call, callDiags := m.provisionCall(ctx)
	diags.Append(callDiags...)
	if diags.HasError() {
		return nil, diags
	}
	if call.team != nil && call.team.allMembers {
		diags.Append(d.readTeamMembers(ctx, call, progress)...)
		if diags.HasError() {
			return nil, diags
		}
	}
	size := d.membersPerCall
	if !m.MembersPerCall.IsNull() && !m.MembersPerCall.IsUnknown() {
		size = int(m.MembersPerCall.ValueInt64())
	}
	retryFor, _ := time.ParseDuration(m.RetrySkippedFor.ValueString()) // validated at plan; unset is 0
	return d.provisionBatches(ctx, call.batches(size), m.StopOnFailure.ValueBool(), retryFor, progress)
}

// provisionBatches sends the calls one after another, each through the job's limiter like any
// call, and keeps every answer. A batch with a failure stops the run only with stopOnFailure; an
// error (a timeout, a refused call) stops it with the batches before it kept, never half of one.
func (d *providerData) provisionBatches(ctx context.Context, calls []provisionCall, stopOnFailure bool, retryFor time.Duration,
	progress func(string)) (*provisionRun, diag.Diagnostics) {
	run := &provisionRun{planned: len(calls)}
	for k, call := range calls {
		result, diags := d.sendCallRetryingSkips(ctx, call, retryFor, progress)
		if diags.HasError() {
			if k > 0 {
				diags.Append(run.stoppedDiagnostic("Batch "+fmt.Sprint(k+1)+" could not be sent (see the error above).", calls[k:])...)
			}
			return run, diags
		}
		run.add(call, result)
		batch := run.batches[k].result
		reportResult(batch, progress)
		if len(calls) > 1 {
			progress(fmt.Sprintf("batch %d/%d: %d members, %s", k+1, len(calls), call.memberCount(), statusOrUnknown(batch.Status)))
		}
		if stopOnFailure && batch.Status == graph.StatusFailure && k+1 < len(calls) {
			return run, run.stoppedDiagnostic(fmt.Sprintf("Batch %d failed and stop_on_failure is true.", k+1), calls[k+1:])
		}
	}
	return run, nil
}

// sendCall sends one provisionOnDemand call, reporting to progress.
func (d *providerData) sendCall(ctx context.Context, call provisionCall, progress func(string)) (*graph.ProvisionResult, diag.Diagnostics) {
	var diags diag.Diagnostics
	tflog.Info(ctx, "provisioning on demand", map[string]any{
		"service_principal_id": call.servicePrincipalID, "synchronization_job_id": call.jobID,
		"subjects": call.subjectCount(), "members": call.memberCount(),
	})
	progress(fmt.Sprintf("Sending %d subject(s) to synchronization job %s of service principal %s...",
		call.subjectCount(), call.jobID, call.servicePrincipalID))
	result, err := d.client.ProvisionOnDemand(withProgress(ctx, progress), call.servicePrincipalID, call.jobID, call.request)
	if err != nil {
		diags.Append(graphErrorDiagnostics(err, call, len(call.request.Parameters), d.signInMethod)...)
		return nil, diags
	}
	progress(fmt.Sprintf("Sent; Graph answered %s (request-id %s)", statusOrUnknown(result.Status), result.RequestID))
	if d.redactPersonalData {
		redactPersonalData(result)
	}
	return result, diags
}

// sendCallRetryingSkips sends one call, and again while Graph answers a skip other than "already
// in sync" and retryFor has not run out: an assignment made in the same apply can take minutes to
// be seen by provisioning ("On-demand provisioning in Microsoft Entra ID"). Every attempt goes
// through the rate limiter, spaced by retryPause; the last answer is the one kept.
func (d *providerData) sendCallRetryingSkips(ctx context.Context, call provisionCall, retryFor time.Duration, progress func(string)) (*graph.ProvisionResult, diag.Diagnostics) {
	deadline := time.Now().Add(retryFor)
	for attempt := 1; ; attempt++ {
		result, diags := d.sendCall(ctx, call, progress)
		if diags.HasError() || retryFor <= 0 || !skippedNotInSync(result) {
			return result, diags
		}
		left := time.Until(deadline)
		fields := map[string]any{"attempt": attempt, "status": result.Status, "request_id": result.RequestID, "retry_left": left.String()}
		if left <= 0 {
			tflog.Info(ctx, "still skipped when retry_skipped_for ran out; keeping this answer", fields)
			return result, diags
		}
		tflog.Info(ctx, "skipped, provisioning again (retry_skipped_for)", fields)
		progress(fmt.Sprintf("Attempt %d skipped; provisioning again within %s (retry_skipped_for)", attempt, left.Round(time.Second)))
		select {
		case <-time.After(min(d.retryPause(), left)):
		case <-ctx.Done():
			return result, diags
		}
	}
}

// skippedNotInSync tells an answer that skipped a subject for another reason than being in sync.
func skippedNotInSync(r *graph.ProvisionResult) bool {
	if len(r.Entries) == 0 {
		return r.KeyResult == graph.StatusSkipped && !r.KeyAlreadyInSync()
	}
	for _, e := range r.Entries {
		if e.Status == graph.StatusSkipped && !e.AlreadyInSync() {
			return true
		}
	}
	return false
}

// retryPause spaces the attempts of sendCallRetryingSkips by one slot of the rate limit, so
// retrying leaves room for other runs on the job.
func (d *providerData) retryPause() time.Duration {
	if d.rateLimitRequests <= 0 || d.rateLimitInterval <= 0 {
		return time.Second
	}
	return d.rateLimitInterval / time.Duration(d.rateLimitRequests)
}

// readTeamMembers sets the members of the call's group (in its request, which copies of call
// share) to the group's users as Graph lists them now. A read: it never waits for the job's rate limit and is retried like every call.
func (d *providerData) readTeamMembers(ctx context.Context, call provisionCall, progress func(string)) diag.Diagnostics {
	var diags diag.Diagnostics
	group := call.group()
	relation := "members"
	if call.team.transitive {
		relation = "transitive members"
	}
	progress(fmt.Sprintf("Reading the %s of group %s...", relation, group.ObjectID))
	ids, err := d.client.ListGroupUserIDs(ctx, group.ObjectID, call.team.transitive)
	if err != nil {
		diags.Append(groupMembersErrorDiagnostics(err, call, d.signInMethod)...)
		return diags
	}
	progress(fmt.Sprintf("Group %s has %d user %s", group.ObjectID, len(ids), relation))
	links := graph.SubjectLinks{}
	if group.Links != nil {
		links = *group.Links
	}
	links.Members = make([]graph.SubjectLink, 0, len(ids))
	for _, id := range ids {
		links.Members = append(links.Members, graph.SubjectLink{ObjectID: id, ObjectTypeName: "User"})
	}
	group.Links = &links
	return diags
}

// reportResult sends one message per subject and per step of the decoded answer.
func reportResult(r *graph.ProvisionResult, progress func(string)) {
	if len(r.Entries) == 0 {
		progress(fmt.Sprintf("Graph answered %s%s", statusOrUnknown(r.KeyResult), codeSuffix(r.KeyErrorCode)))
		return
	}
	for _, e := range r.Entries {
		subject := entrySubject(e)
		for _, s := range e.Steps {
			line := fmt.Sprintf("%s: step %s (%s): %s", subject, s.Name, s.Type, statusOrUnknown(s.Status))
			if s.Description != "" {
				line += ": " + strings.TrimRight(s.Description, ". ")
			}
			progress(line)
		}
		progress(fmt.Sprintf("%s: %s (%s)%s", subject, statusOrUnknown(e.Status), e.Action, codeSuffix(e.ErrorCode)))
	}
}

func statusOrUnknown(s string) string {
	if s == "" {
		return "no status"
	}
	return s
}

func codeSuffix(code string) string {
	if code == "" {
		return ""
	}
	return ", " + code
}
