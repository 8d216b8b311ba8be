package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/entrasync/terraform-provider-entrasync/internal/auth"
	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

func TestGraphErrorDiagnosticsPointAtTheAttribute(t *testing.T) {
	call := provisionCall{servicePrincipalID: "sp", jobID: "job"}
	for name, tc := range map[string]struct {
		err        error
		parameters int
		wantPath   path.Path
		want       string
	}{
		"bad rule, one parameter": {&graph.Error{StatusCode: 400, Code: "RequestParameterInvalid", Message: "The job does not include the rule 'x'."}, 1,
			path.Root("parameters").AtListIndex(0).AtName("rule_id"), "Invalid rule_id: not in the synchronization job"},
		"bad rule, two parameters": {&graph.Error{StatusCode: 400, Code: "RequestParameterInvalid", Message: "The job does not include the rule 'x'."}, 2,
			path.Root("parameters"), "Invalid rule_id: not in the synchronization job"},
		"not found": {&graph.Error{StatusCode: 404, Code: "Request_ResourceNotFound", RequestID: "r-1"}, 1,
			path.Root("synchronization_job_id"), "not found"},
		"forbidden":     {&graph.Error{StatusCode: 403, Code: "Authorization_RequestDenied"}, 1, path.Empty(), "Permission denied"},
		"throttled":     {&graph.ThrottledError{RetryAfter: 30e9}, 1, path.Empty(), "Throttled"},
		"sign-in":       {fmt.Errorf("graph: POST x: %w", &auth.SignInError{Method: "client secret", Err: errors.New("AADSTS7000215")}), 1, path.Empty(), "Cannot sign in"},
		"token refused": {&graph.Error{StatusCode: 401, Code: "InvalidAuthenticationToken"}, 1, path.Empty(), "refused the sign-in"},
		"cancelled":     {fmt.Errorf("graph: POST x: %w", context.Canceled), 1, path.Empty(), "Cancelled while waiting"},
	} {
		t.Run(name, func(t *testing.T) {
			diags := graphErrorDiagnostics(tc.err, call, tc.parameters, "client secret")
			if len(diags) != 1 || diags[0].Severity() != diag.SeverityError {
				t.Fatalf("diags = %v", diags)
			}
			got := path.Empty()
			if d, ok := diags[0].(diag.DiagnosticWithPath); ok {
				got = d.Path()
			}
			if !got.Equal(tc.wantPath) {
				t.Errorf("path = %s, want %s", got, tc.wantPath)
			}
			if !strings.Contains(diags[0].Summary(), tc.want) {
				t.Errorf("summary %q lacks %q", diags[0].Summary(), tc.want)
			}
			if name == "token refused" && !strings.Contains(diags[0].Detail(), "the token from client secret") {
				t.Errorf("detail %q does not name the sign-in method", diags[0].Detail())
			}
		})
	}
}

func TestOutcomeDiagnostics(t *testing.T) {
	failing := graph.ProvisioningEntry{
		Status: graph.StatusFailure, ReportableIdentifier: "dev@example.com", ErrorCode: "SCIMBadRequest",
		RecommendedAction: "Fix the mapping.", Steps: []graph.ProvisioningStep{
			{Name: "EntryImport", Type: "Import", Status: "Success"},
			{Name: "EntryExportAdd", Type: "Export", Status: "Failure", Description: "The SCIM endpoint refused the user."},
		},
	}
	for name, tc := range map[string]struct {
		result     graph.ProvisionResult
		failOnSkip bool
		errors     int
		warnings   int
		want       string
	}{
		"success":              {graph.ProvisionResult{Status: "Success", Entries: []graph.ProvisioningEntry{{Status: "Success"}}}, false, 0, 0, ""},
		"redundant is success": {graph.ProvisionResult{Status: "Skipped", Entries: []graph.ProvisioningEntry{{Status: "Skipped", ErrorCode: "redundantexport"}}}, true, 0, 0, ""},
		"out of scope warns":   {graph.ProvisionResult{Status: "Skipped", Entries: []graph.ProvisioningEntry{{Status: "Skipped", ErrorCode: "NotEffectivelyEntitled"}}}, false, 0, 1, "NotEffectivelyEntitled"},
		"out of scope fails":   {graph.ProvisionResult{Status: "Skipped", Entries: []graph.ProvisioningEntry{{Status: "Skipped", ErrorCode: "NotEffectivelyEntitled"}}}, true, 1, 0, "fail_on_skip"},
		"failure names all":    {graph.ProvisionResult{Status: "Failure", RequestID: "req-9", Entries: []graph.ProvisioningEntry{failing}}, false, 1, 0, "Step EntryExportAdd (Export): The SCIM endpoint refused the user.\nError code: SCIMBadRequest\nRecommended action: Fix the mapping.\nRequest ID: req-9"},
		"key-only failure":     {graph.ProvisionResult{Status: "Failure", KeyResult: "Failure", KeyErrorCode: "X", KeyErrorMessage: "boom"}, false, 1, 0, "boom"},
		"key-only success":     {graph.ProvisionResult{Status: "Success", KeyResult: "Success"}, false, 0, 0, ""},
		"key-only in sync":     {graph.ProvisionResult{Status: "Skipped", KeyResult: "Skipped", KeyErrorCode: "RedundantExport"}, true, 0, 0, ""},
		"key failure over entries": {graph.ProvisionResult{Status: "Failure", KeyResult: "Failure", KeyErrorCode: "ServiceError", KeyErrorMessage: "the run failed",
			Entries: []graph.ProvisioningEntry{{Status: "Success"}}}, false, 1, 0, "Provisioning failed for the request"},
		"unreadable":              {graph.ProvisionResult{}, false, 1, 0, "no provisioning status could be read"},
		"warning status":          {graph.ProvisionResult{Status: "Warning", Entries: []graph.ProvisioningEntry{{Status: "Warning"}}}, false, 0, 1, "Provisioning of a subject ended with status Warning"},
		"mixed: one of each kind": {graph.ProvisionResult{Status: "Failure", Entries: []graph.ProvisioningEntry{{Status: "Success"}, failing, {Status: "Skipped", ErrorCode: "NotEffectivelyEntitled"}}}, false, 1, 1, "dev@example.com"},
	} {
		t.Run(name, func(t *testing.T) {
			diags := outcomeDiagnosticsAfter(context.Background(), &tc.result, tc.failOnSkip, resourceAfterFailure)
			if diags.ErrorsCount() != tc.errors || diags.WarningsCount() != tc.warnings {
				t.Fatalf("errors %d warnings %d, want %d and %d: %v", diags.ErrorsCount(), diags.WarningsCount(), tc.errors, tc.warnings, diags)
			}
			var text strings.Builder
			for _, d := range diags {
				text.WriteString(d.Summary() + "\n" + d.Detail() + "\n")
			}
			if !strings.Contains(text.String(), tc.want) {
				t.Errorf("diagnostics %q lack %q", text.String(), tc.want)
			}
		})
	}
}
