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

// provision sends the call that m describes through the shared throttled client, reporting to
// progress; the resource and the action share it, and each applies the outcome policy itself.
func (d *providerData) provision(ctx context.Context, m provisionOnDemandModel, progress func(string)) (*graph.ProvisionResult, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !d.hasClient(&diags, "nothing can be provisioned") {
		return nil, diags
	}
	call, callDiags := m.provisionCall(ctx)
	diags.Append(callDiags...)
	if diags.HasError() {
		return nil, diags
	}
	tflog.Info(ctx, "provisioning on demand", map[string]any{
		"service_principal_id": call.servicePrincipalID, "synchronization_job_id": call.jobID, "subjects": call.subjectCount(),
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

// provisionRetryingSkips provisions once, and again while Graph answers a skip other than
// "already in sync" and m.RetrySkippedFor has not run out: an assignment made in the same apply
// can take minutes to be seen by provisioning ("On-demand provisioning in Microsoft Entra ID").
// Every attempt goes through the rate limiter, spaced by retryPause; the last answer is the one kept.
func (d *providerData) provisionRetryingSkips(ctx context.Context, m provisionOnDemandModel, progress func(string)) (*graph.ProvisionResult, diag.Diagnostics) {
	retryFor, _ := time.ParseDuration(m.RetrySkippedFor.ValueString()) // validated at plan
	deadline := time.Now().Add(retryFor)
	for attempt := 1; ; attempt++ {
		result, diags := d.provision(ctx, m, progress)
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

// retryPause spaces the attempts of provisionRetryingSkips by one slot of the rate limit, so
// retrying leaves room for other runs on the job.
func (d *providerData) retryPause() time.Duration {
	if d.rateLimitRequests <= 0 || d.rateLimitInterval <= 0 {
		return time.Second
	}
	return d.rateLimitInterval / time.Duration(d.rateLimitRequests)
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
