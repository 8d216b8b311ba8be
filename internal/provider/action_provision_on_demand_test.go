package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

const actionTypeName = "entrasync_provision_on_demand"

// actionServer is the provider server, configured against env's fake Graph, as Terraform 1.14+ drives it.
// actionProviderServer is a provider server that serves actions (tfprotov6's own name for it is
// deprecated until the action RPCs join ProviderServer).
type actionProviderServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
}

func actionServer(t *testing.T, env *fakeEnv) actionProviderServer {
	t.Helper()
	return actionServerWithLimit(t, env, 5, "1s")
}

func actionServerWithLimit(t *testing.T, env *fakeEnv, requests int, interval string) actionProviderServer {
	t.Helper()
	provider, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	server, ok := provider.(actionProviderServer)
	if !ok {
		t.Fatal("the provider server does not serve actions")
	}
	config := fmt.Sprintf(`{"graph_endpoint": %q, "access_token": %q, "rate_limit_requests": %d, "rate_limit_interval": %q}`,
		env.url, testTokenValue, requests, interval)
	resp, err := server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           &tfprotov6.DynamicValue{JSON: []byte(config)},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "ConfigureProvider", resp.Diagnostics)
	return server
}

// actionConfig is the action's configuration as JSON, which Terraform may send instead of msgpack.
func actionConfig(t *testing.T, config map[string]any) *tfprotov6.DynamicValue {
	t.Helper()
	b, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	return &tfprotov6.DynamicValue{JSON: b}
}

func scimConfig(failOnSkip bool, subjects ...map[string]any) map[string]any {
	return map[string]any{
		"service_principal_id":   "/servicePrincipals/" + fakegraph.SCIMServicePrincipalID,
		"synchronization_job_id": "/servicePrincipals/" + fakegraph.SCIMServicePrincipalID + "/synchronization/jobs/" + fakegraph.SCIMJobID,
		"parameters":             []any{map[string]any{"rule_id": fakegraph.SCIMUserRuleID, "subjects": subjects}},
		"fail_on_skip":           failOnSkip,
	}
}

func userSubject(id string) map[string]any {
	return map[string]any{"object_id": id, "object_type_name": "User"}
}

// invoke runs InvokeAction and returns its progress messages and the completion's diagnostics.
func invokeAction(t *testing.T, server actionProviderServer, config map[string]any) ([]string, []*tfprotov6.Diagnostic) {
	t.Helper()
	stream, err := server.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{ActionType: actionTypeName, Config: actionConfig(t, config)})
	if err != nil {
		t.Fatal(err)
	}
	var progress []string
	var completed *tfprotov6.CompletedInvokeActionEventType
	for event := range stream.Events {
		switch e := event.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			if completed != nil {
				t.Errorf("progress %q after completion", e.Message)
			}
			progress = append(progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			completed = &e
		}
	}
	if completed == nil {
		t.Fatal("InvokeAction sent no completion event")
	}
	return progress, completed.Diagnostics
}

func requireNoErrors(t *testing.T, call string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: unexpected error %q: %s", call, d.Summary, d.Detail)
		}
	}
}

// only returns the single diagnostic of diags, failing unless there is exactly one of that severity.
func onlyDiagnostic(t *testing.T, diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity) *tfprotov6.Diagnostic {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != severity {
		for _, d := range diags {
			t.Logf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
		}
		t.Fatalf("want exactly one diagnostic of severity %s, got %d", severity, len(diags))
	}
	return diags[0]
}

func requireProgress(t *testing.T, progress []string, want ...string) {
	t.Helper()
	next := 0
	for _, msg := range progress {
		if next < len(want) && strings.Contains(msg, want[next]) {
			next++
		}
	}
	if next < len(want) {
		t.Fatalf("progress lacks %q (in this order after %v); got:\n%s", want[next], want[:next], strings.Join(progress, "\n"))
	}
}

func TestActionInvokeProvisionsAndReportsProgress(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{}, "")
	server := actionServer(t, env)

	progress, diags := invokeAction(t, server, scimConfig(false, userSubject(fakegraph.UserAdaID)))
	if len(diags) != 0 {
		t.Fatalf("want no diagnostics, got %q", diags[0].Summary)
	}
	requireProgress(t, progress,
		"Sending 1 subject(s) to synchronization job "+fakegraph.SCIMJobID+" of service principal "+fakegraph.SCIMServicePrincipalID,
		"Sent; Graph answered Success",
		fakegraph.UserAdaPrincipalName+": step ",
		fakegraph.UserAdaPrincipalName+": Success (Create)",
	)

	calls := env.srv.Requests()
	if len(calls) != 1 || !strings.HasSuffix(calls[0].Path, "/servicePrincipals/"+fakegraph.SCIMServicePrincipalID+"/synchronization/jobs/"+fakegraph.SCIMJobID+"/provisionOnDemand") {
		t.Fatalf("want one provisionOnDemand call with bare ids, got %+v", calls)
	}
	if !strings.Contains(calls[0].Body, fakegraph.UserAdaID) || !strings.Contains(calls[0].Body, fakegraph.SCIMUserRuleID) {
		t.Fatalf("request body lacks the subject or the rule: %s", calls[0].Body)
	}

	// Invoked again, Ada is in sync: RedundantExport is success, with no diagnostic.
	progress, diags = invokeAction(t, server, scimConfig(true, userSubject(fakegraph.UserAdaID)))
	if len(diags) != 0 {
		t.Fatalf("already in sync: want no diagnostics, got %q", diags[0].Summary)
	}
	requireProgress(t, progress, fakegraph.UserAdaPrincipalName+": Skipped")
	if n := env.provisionCalls(); n != 2 {
		t.Fatalf("want 2 provisionOnDemand calls, got %d", n)
	}
}

func TestActionInvokeFailure(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{}, "")
	progress, diags := invokeAction(t, actionServer(t, env), scimConfig(false, userSubject(fakegraph.UserFailingID)))

	d := onlyDiagnostic(t, diags, tfprotov6.DiagnosticSeverityError)
	if d.Summary != "Provisioning failed for dev.patel@example.com" || !strings.Contains(d.Detail, fakegraph.ErrorCodeSCIMBadRequest) ||
		!strings.Contains(d.Detail, "Request ID: ") {
		t.Fatalf("unexpected diagnostic %q: %s", d.Summary, d.Detail)
	}
	requireProgress(t, progress, "dev.patel@example.com: Failure (Create)")
}

func TestActionInvokeSkip(t *testing.T) {
	for _, failOnSkip := range []bool{false, true} {
		t.Run(fmt.Sprintf("fail_on_skip=%t", failOnSkip), func(t *testing.T) {
			env := newFakeEnv(t, fakegraph.Options{}, "")
			progress, diags := invokeAction(t, actionServer(t, env), scimConfig(failOnSkip, userSubject(fakegraph.UserOutOfScopeID)))

			severity := tfprotov6.DiagnosticSeverityWarning
			if failOnSkip {
				severity = tfprotov6.DiagnosticSeverityError
			}
			d := onlyDiagnostic(t, diags, severity)
			if !strings.HasPrefix(d.Summary, "Provisioning skipped ") || !strings.Contains(d.Detail, fakegraph.ReasonNotEffectivelyEntitled) {
				t.Fatalf("unexpected diagnostic %q: %s", d.Summary, d.Detail)
			}
			requireProgress(t, progress, "chloe.martin@example.com: Skipped (Other), "+fakegraph.ReasonNotEffectivelyEntitled)
		})
	}
}

func TestActionInvokeReportsThrottling(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{}, "")
	env.srv.InjectFault(fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 429, RetryAfter: "0.2"})

	progress, diags := invokeAction(t, actionServer(t, env), scimConfig(false, userSubject(fakegraph.UserBenID)))
	requireNoErrors(t, "InvokeAction", diags)
	requireProgress(t, progress, "Sending 1 subject(s)", "Graph answered HTTP 429: retrying after 200ms...", "ben.okafor@example.com: Success (Create)")
	if n := env.provisionCalls(); n != 2 {
		t.Fatalf("want the throttled call and its retry, got %d provisionOnDemand calls", n)
	}
}

func TestActionInvokeReportsRateLimitWait(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{RateLimitRequests: 1, RateLimitInterval: 300 * time.Millisecond}, "")
	server := actionServerWithLimit(t, env, 1, "300ms")

	_, diags := invokeAction(t, server, scimConfig(false, userSubject(fakegraph.UserAdaID)))
	requireNoErrors(t, "InvokeAction", diags)
	// The window holds one call: the second waits for it to pass, and says so.
	second, diags := invokeAction(t, server, scimConfig(false, userSubject(fakegraph.UserBenID)))
	requireNoErrors(t, "InvokeAction", diags)
	requireProgress(t, second, "Sending 1 subject(s)", "for the job's rate limit", "ben.okafor@example.com: Success (Create)")
	if n := env.throttled(); n != 0 {
		t.Fatalf("the fake answered %d requests with 429", n)
	}
}

func TestActionValidateConfig(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{}, "")
	server := actionServer(t, env)
	validate := func(config map[string]any) []*tfprotov6.Diagnostic {
		resp, err := server.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{ActionType: actionTypeName, Config: actionConfig(t, config)})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}

	requireNoErrors(t, "ValidateActionConfig", validate(scimConfig(false, userSubject(fakegraph.UserAdaID))))

	linked := userSubject(fakegraph.UserAdaID)
	linked["links"] = map[string]any{"members": []any{userSubject(fakegraph.UserBenID)}}
	if d := onlyDiagnostic(t, validate(scimConfig(false, linked)), tfprotov6.DiagnosticSeverityError); d.Summary != "Invalid links: links on a non-group subject" {
		t.Fatalf("links on a User: got %q", d.Summary)
	}

	mismatch := scimConfig(false, userSubject(fakegraph.UserAdaID))
	mismatch["service_principal_id"] = fakegraph.CloudSyncServicePrincipalID
	if d := onlyDiagnostic(t, validate(mismatch), tfprotov6.DiagnosticSeverityError); d.Summary != "Service principal mismatch" {
		t.Fatalf("service principal mismatch: got %q", d.Summary)
	}

	lowercase := scimConfig(false, map[string]any{"object_id": fakegraph.UserAdaID, "object_type_name": "GROUP"})
	if d := onlyDiagnostic(t, validate(lowercase), tfprotov6.DiagnosticSeverityError); !strings.Contains(d.Detail, `did you mean "Group"?`) {
		t.Fatalf("object type in the wrong case: got %q: %s", d.Summary, d.Detail)
	}
	if n := env.provisionCalls(); n != 0 {
		t.Fatalf("validation sent %d provisionOnDemand calls", n)
	}
}

func TestActionPlanChecksRuleIDs(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{}, "")
	server := actionServer(t, env)
	plan := func(config map[string]any) []*tfprotov6.Diagnostic {
		resp, err := server.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{ActionType: actionTypeName, Config: actionConfig(t, config)})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}

	requireNoErrors(t, "PlanAction", plan(scimConfig(false, userSubject(fakegraph.UserAdaID))))

	wrongRule := scimConfig(false, userSubject(fakegraph.UserAdaID))
	wrongRule["parameters"].([]any)[0].(map[string]any)["rule_id"] = strings.ToUpper(fakegraph.SCIMUserRuleID)
	d := onlyDiagnostic(t, plan(wrongRule), tfprotov6.DiagnosticSeverityError)
	if d.Summary != "Invalid rule_id: not in the synchronization job" || !strings.Contains(d.Detail, "did you mean \""+fakegraph.SCIMUserRuleID+"\"") {
		t.Fatalf("unexpected diagnostic %q: %s", d.Summary, d.Detail)
	}
	if n := env.provisionCalls(); n != 0 {
		t.Fatalf("planning sent %d provisionOnDemand calls", n)
	}
}

// TestAccActionTrigger runs the action from a resource's lifecycle; it needs Terraform 1.14+.
func TestAccActionTrigger(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{}, "")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(version.Must(version.NewVersion("1.14.0")))},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + fmt.Sprintf(`
action "entrasync_provision_on_demand" "ada" {
  config {
    service_principal_id   = %q
    synchronization_job_id = %q
    parameters = [{
      rule_id  = %q
      subjects = [{ object_id = %q, object_type_name = "User" }]
    }]
  }
}

resource "terraform_data" "onboarding" {
  input = "ada"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.entrasync_provision_on_demand.ada]
    }
  }
}
`, fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, fakegraph.SCIMUserRuleID, fakegraph.UserAdaID),
			Check: func(*terraform.State) error {
				if n := env.provisionCalls(); n != 1 {
					return fmt.Errorf("want one provisionOnDemand call from the action trigger, got %d", n)
				}
				return nil
			},
		}},
	})
}
