package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entrasync/terraform-provider-entrasync/internal/auth"
	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// requiredPermissions is what Graph needs to provision on demand.
const requiredPermissions = "Synchronization.ReadWrite.All (application or delegated), or Application.ReadWrite.OwnedBy " +
	"for an application that owns the service principal; delegated sign-ins also need a role such as Application Administrator"

// What a failed run leaves behind, as each kind says it at the end of a failure: the resource keeps the
// answer and is tainted; the action keeps nothing.
const (
	resourceAfterFailure = "The resource keeps this answer in its state (terraform state show) and is replaced, provisioning again, on the next apply."
	actionAfterFailure   = "An action keeps nothing in state: invoke it again to provision again."
)

// outcomeDiagnosticsAfter applies the outcome policy to a decoded answer: Failure fails the
// apply, Skipped as already in sync succeeds, any other Skipped warns (or fails with fail_on_skip),
// and Warning warns. Each failure ends with afterFailure (resourceAfterFailure, actionAfterFailure).
func outcomeDiagnosticsAfter(ctx context.Context, r *graph.ProvisionResult, failOnSkip bool, afterFailure string) diag.Diagnostics {
	var diags diag.Diagnostics
	if r.Status == "" {
		diags.AddError("Unrecognised answer from Microsoft Graph",
			fmt.Sprintf("Graph answered provisionOnDemand with HTTP 200, but no provisioning status could be read from it. "+
				"The raw answer is kept in result_key and result_value.%s", requestIDSuffix(r.RequestID)))
		return diags
	}
	if len(r.Entries) == 0 {
		entry := graph.ProvisioningEntry{Status: r.KeyResult, ErrorCode: r.KeyErrorCode, ErrorMessage: r.KeyErrorMessage}
		diags.Append(entryDiagnostics(entry, "the request", r.RequestID, failOnSkip, afterFailure)...)
		return diags
	}
	statusFromEntries := false
	for _, e := range r.Entries {
		subject := entrySubject(e)
		tflog.Info(ctx, "provisioning result", map[string]any{"subject": subject, "status": e.Status, "action": e.Action, "code": e.ErrorCode})
		diags.Append(entryDiagnostics(e, subject, r.RequestID, failOnSkip, afterFailure)...)
		statusFromEntries = statusFromEntries || e.Status == r.Status
	}
	if !statusFromEntries {
		// The key is more severe than every entry (a key that says Failure over entries that say
		// Success): it speaks for the request.
		entry := graph.ProvisioningEntry{Status: r.KeyResult, ErrorCode: r.KeyErrorCode, ErrorMessage: r.KeyErrorMessage}
		diags.Append(entryDiagnostics(entry, "the request", r.RequestID, failOnSkip, afterFailure)...)
	}
	return diags
}

func entryDiagnostics(e graph.ProvisioningEntry, subject, requestID string, failOnSkip bool, afterFailure string) diag.Diagnostics {
	var diags diag.Diagnostics
	switch e.Status {
	case graph.StatusFailure:
		diags.AddError("Provisioning failed for "+subject, entryFacts(e, requestID)+afterFailure)
	case graph.StatusSkipped:
		if e.AlreadyInSync() {
			return diags // already in sync: the desired state
		}
		detail := fmt.Sprintf("Microsoft Graph skipped %s%s Provisioning on demand only provisions subjects that the job's "+
			"regular cycle would provision: check that the subject is assigned to the application and in the job's scoping filters.%s",
			subject, reasonText(e), requestIDSuffix(requestID))
		if failOnSkip {
			diags.AddError("Provisioning skipped "+subject, detail+" (fail_on_skip is true.)")
		} else {
			diags.AddWarning("Provisioning skipped "+subject, detail+" Set fail_on_skip = true to make this an error.")
		}
	case graph.StatusSuccess:
	default:
		// Not a failure: nothing is tainted or replaced, so the text claims neither (resource and action alike).
		diags.AddWarning(fmt.Sprintf("Provisioning of %s ended with status %s", subject, e.Status), strings.TrimSpace(entryFacts(e, requestID)))
	}
	return diags
}

// entryFacts are the lines of an entry that support needs: the failing step, the codes, the request id.
func entryFacts(e graph.ProvisioningEntry, requestID string) string {
	var b strings.Builder
	if step := failingStep(e); step != nil {
		fmt.Fprintf(&b, "Step %s (%s): %s\n", step.Name, step.Type, step.Description)
	}
	line := func(label, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, v)
		}
	}
	line("Error code", e.ErrorCode)
	line("Error message", e.ErrorMessage)
	line("Recommended action", e.RecommendedAction)
	line("Source identity", e.SourceIdentityID)
	line("Request ID", requestID)
	return b.String()
}

func failingStep(e graph.ProvisioningEntry) *graph.ProvisioningStep {
	for i := range e.Steps {
		if strings.EqualFold(e.Steps[i].Status, e.Status) {
			return &e.Steps[i]
		}
	}
	if len(e.Steps) > 0 {
		return &e.Steps[len(e.Steps)-1]
	}
	return nil
}

// reasonText is the skip reason as Graph gives it: the code, then its explanation or the
// skipping step's description.
func reasonText(e graph.ProvisioningEntry) string {
	var b strings.Builder
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, " (reason %s)", e.ErrorCode)
	}
	explanation := e.ErrorMessage
	if step := failingStep(e); explanation == "" && step != nil {
		explanation = step.Description
	}
	if explanation != "" {
		b.WriteString(": " + strings.TrimRight(explanation, ". ") + ".")
	} else {
		b.WriteString(".")
	}
	return b.String()
}

func entrySubject(e graph.ProvisioningEntry) string {
	switch {
	case e.ReportableIdentifier != "":
		return e.ReportableIdentifier
	case e.SourceIdentityID != "":
		return e.SourceIdentityID
	}
	return "a subject"
}

func requestIDSuffix(id string) string {
	if id == "" {
		return ""
	}
	return " Request ID: " + id + "."
}

// graphErrorDiagnostics turns a failed call into diagnostics on the attribute the error points at.
func graphErrorDiagnostics(err error, call provisionCall, parameterCount int, signInMethod string) diag.Diagnostics {
	var diags diag.Diagnostics
	var throttled *graph.ThrottledError
	var gerr *graph.Error
	var signIn *auth.SignInError
	switch {
	case errors.As(err, &signIn), errors.Is(err, auth.ErrNoCredentials):
		diags.AddError("Cannot sign in to Microsoft Graph", err.Error())
	case errors.As(err, &throttled):
		diags.AddError("Throttled by Microsoft Graph",
			err.Error()+". The create timeout would end before the next call may be sent. "+
				"Raise the timeout (timeouts.create on the resource, timeouts.invoke on the action), or provision fewer subjects per job in one run.")
	case errors.As(err, &gerr):
		detail := err.Error()
		switch {
		case gerr.StatusCode == http.StatusNotFound:
			diags.AddAttributeError(path.Root("synchronization_job_id"), "Service principal or synchronization job not found",
				fmt.Sprintf("Graph found no synchronization job %q on service principal %q. Check both IDs "+
					"(data source entrasync_synchronization_jobs lists a service principal's jobs).\n%s", call.jobID, call.servicePrincipalID, detail))
		case gerr.StatusCode == http.StatusUnauthorized:
			diags.AddError("Microsoft Graph refused the sign-in",
				fmt.Sprintf("Graph answered 401 to the token from %s. Check that tenant_id is the tenant of the service principal, "+
					"that environment names the cloud the tenant is in (the token's audience is that cloud's Graph), and, for a "+
					"token supplied as it is (access_token, oidc_token), that it has not expired.\n%s", signInMethod, detail))
		case gerr.StatusCode == http.StatusForbidden:
			diags.AddError("Permission denied by Microsoft Graph",
				fmt.Sprintf("The signed-in identity may not provision on demand for this service principal. It needs %s.\n%s", requiredPermissions, detail))
		case gerr.Code == "RequestParameterInvalid" && strings.Contains(strings.ToLower(gerr.Message), "rule"):
			at := path.Root("parameters")
			if parameterCount == 1 {
				at = at.AtListIndex(0).AtName("rule_id")
			}
			addAttributeError(&diags, at, "Invalid rule_id: not in the synchronization job",
				fmt.Sprintf("Graph rejected the rule ID: use an id from the job schema's synchronizationRules "+
					"(data source entrasync_synchronization_rules lists them).\n%s", detail))
		case gerr.Code == "CredentialsMissing":
			diags.AddError("The synchronization job has no target credentials",
				"Save the application's admin credentials (Provisioning > Admin Credentials) before provisioning on demand.\n"+detail)
		default:
			diags.AddError("Microsoft Graph returned an error", detail)
		}
	case errors.Is(err, context.Canceled):
		diags.AddError("Cancelled while waiting for Microsoft Graph",
			err.Error()+". The request may have reached Graph before the cancellation. Run apply again: subjects that "+
				"were provisioned answer \"already in sync\" (Skipped, RedundantExport), which counts as success; the job's "+
				"provisioning logs say what Graph did.")
	case errors.Is(err, graph.ErrAnswerTooLarge):
		diags.AddError("Microsoft Graph's answer was too large",
			"Graph's answer was larger than 16 MiB, nothing was saved: the provider reads no answer past that size. "+
				"The call may have taken effect in Graph; run apply again once the answer is smaller (fewer subjects per call).\n"+err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddError("Provisioning timed out", err.Error()+". Raise the timeout (timeouts.create on the resource, timeouts.invoke on the action) if the rate limit makes calls wait.")
	default:
		diags.AddError("Cannot reach Microsoft Graph", err.Error())
	}
	return diags
}

// addAttributeError adds an error on the attribute at. Terraform underlines only the top-level
// attribute of a nested value, so a nested path is also written at the start of the text.
func addAttributeError(diags *diag.Diagnostics, at path.Path, summary, detail string) {
	if len(at.Steps()) > 1 {
		detail = at.String() + ": " + detail
	}
	diags.AddAttributeError(at, summary, detail)
}

// attributeName is the last attribute name of a path: "object_type_name" for
// parameters[0].subjects[1].object_type_name.
func attributeName(at path.Path) string {
	steps := at.Steps()
	for i := len(steps) - 1; i >= 0; i-- {
		if name, ok := steps[i].(path.PathStepAttributeName); ok {
			return string(name)
		}
	}
	return "value"
}
