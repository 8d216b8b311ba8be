package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// TestFailureSaysWhatEachKindKeeps: a failure ends with what is true of the resource (its state keeps
// the answer and it is replaced) or of the action (nothing kept), and a mere Warning claims neither.
func TestFailureSaysWhatEachKindKeeps(t *testing.T) {
	failure := graph.ProvisionResult{Status: "Failure", RequestID: "req-1",
		Entries: []graph.ProvisioningEntry{{Status: graph.StatusFailure, ReportableIdentifier: "dev@example.com", ErrorCode: "X"}}}
	warning := graph.ProvisionResult{Status: "Warning", RequestID: "req-2",
		Entries: []graph.ProvisioningEntry{{Status: "Warning", ReportableIdentifier: "dev@example.com", ErrorCode: "Y"}}}
	detail := func(diags diag.Diagnostics) string {
		if len(diags) != 1 {
			t.Fatalf("want one diagnostic, got %v", diags)
		}
		return diags[0].Detail()
	}
	ctx := context.Background()

	resourceText := detail(outcomeDiagnosticsAfter(ctx, &failure, false, resourceAfterFailure))
	if !strings.HasSuffix(resourceText, "Request ID: req-1\n"+resourceAfterFailure) {
		t.Errorf("the resource's failure must end with what its state does:\n%s", resourceText)
	}
	actionText := detail(outcomeDiagnosticsAfter(ctx, &failure, false, actionAfterFailure))
	if !strings.HasSuffix(actionText, "Request ID: req-1\n"+actionAfterFailure) || strings.Contains(actionText, "replaced") {
		t.Errorf("the action's failure must say what is true of an action, not of a resource:\n%s", actionText)
	}
	for _, after := range []string{resourceAfterFailure, actionAfterFailure} {
		if text := detail(outcomeDiagnosticsAfter(ctx, &warning, false, after)); text != "Error code: Y\nRequest ID: req-2" {
			t.Errorf("a warning fails nothing and taints nothing; got:\n%s", text)
		}
	}
}
