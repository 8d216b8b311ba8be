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
