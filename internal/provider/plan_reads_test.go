package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// closingListener accepts connections on loopback and closes each at once, counting them: an
// endpoint where something listens but never answers, so every attempt of a call is seen.
func closingListener(t *testing.T) (url string, accepted *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = &atomic.Int64{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = l.Close(); <-done })
	return "http://" + l.Addr().String(), accepted
}

// unusedEndpoint is a loopback URL where nothing listens.
func unusedEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	_ = l.Close()
	return url
}

// configuredServer is a provider server configured with the provider block's settings, given as JSON attributes.
func configuredServer(t *testing.T, settings string) actionProviderServer {
	t.Helper()
	provider, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	server := provider.(actionProviderServer)
	resp, err := server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           &tfprotov6.DynamicValue{JSON: []byte(`{"access_token": "` + testTokenValue + `", ` + settings + `}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "ConfigureProvider", resp.Diagnostics)
	return server
}

// planCreate plans the creation of an entrasync_provision_on_demand with the given arguments.
func planCreate(t *testing.T, server tfprotov6.ProviderServer, args map[string]any) []*tfprotov6.Diagnostic {
	t.Helper()
	value := actionConfig(t, args)
	resp, err := server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName:         "entrasync_provision_on_demand",
		PriorState:       &tfprotov6.DynamicValue{JSON: []byte("null")},
		ProposedNewState: value,
		Config:           value,
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// planAction plans an invocation of the action with the given arguments.
func planAction(t *testing.T, server actionProviderServer, args map[string]any) []*tfprotov6.Diagnostic {
	t.Helper()
	resp, err := server.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{ActionType: actionTypeName, Config: actionConfig(t, args)})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// requireDiagnostic finds the one diagnostic of severity and checks its summary, attribute and detail.
func requireDiagnostic(t *testing.T, diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, summary, attribute string, detail ...string) {
	t.Helper()
	d := onlyDiagnostic(t, diags, severity)
	if d.Summary != summary {
		t.Errorf("summary = %q, want %q", d.Summary, summary)
	}
	if got := fmt.Sprint(d.Attribute); d.Attribute == nil || !strings.Contains(got, attribute) {
		t.Errorf("attribute = %s, want %s", got, attribute)
	}
	for _, want := range detail {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("detail lacks %q:\n%s", want, d.Detail)
		}
	}
}

func scimArgs(job string) map[string]any {
	args := scimConfig(false, userSubject(fg.UserAdaID))
	args["synchronization_job_id"] = job
	return args
}

// TestPlanReadBudget: against an endpoint that never answers, the plan's schema read makes
// 1 + plan_read_max_retries attempts, once for all resources of the job, and every resource and
// action that skipped the check says why in a warning.
func TestPlanReadBudget(t *testing.T) {
	for _, tc := range []struct {
		settings string
		attempts int64
	}{
		{"", 1 + defaultPlanReadMaxRetries},
		{`"plan_read_max_retries": 0, "max_retries": 10`, 1},
	} {
		t.Run(fmt.Sprintf("%d attempts", tc.attempts), func(t *testing.T) {
			url, accepted := closingListener(t)
			server := configuredServer(t, fmt.Sprintf(`"graph_endpoint": %q`, url)+strings.TrimSuffix(", "+tc.settings, ", "))
			for _, plan := range []func() []*tfprotov6.Diagnostic{
				func() []*tfprotov6.Diagnostic { return planCreate(t, server, scimArgs(fg.SCIMJobID)) },
				func() []*tfprotov6.Diagnostic { return planCreate(t, server, scimArgs(fg.SCIMJobID)) },
				func() []*tfprotov6.Diagnostic { return planAction(t, server, scimArgs(fg.SCIMJobID)) },
			} {
				requireDiagnostic(t, plan(), tfprotov6.DiagnosticSeverityWarning, "rule_id not checked at plan: Microsoft Graph could not be read",
					"synchronization_job_id", "could not read the schema of synchronization job \""+fg.SCIMJobID+"\"",
					fmt.Sprintf("failed after %d attempt(s)", tc.attempts),
					fmt.Sprintf("plan_read_max_retries (%d)", tc.attempts-1), "plan_read_timeout (30s)")
			}
			if got := accepted.Load(); got != tc.attempts {
				t.Errorf("connection attempts = %d, want %d: the budget, once for the job", got, tc.attempts)
			}
		})
	}
}

// TestPlanReadTimeout: plan_read_timeout bounds the read, retries included.
func TestPlanReadTimeout(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	env.srv.InjectFault(fg.Fault{Kind: fg.FaultHang, IncludeReads: true, Count: -1})
	server := configuredServer(t, fmt.Sprintf(`"graph_endpoint": %q, "plan_read_timeout": "200ms"`, env.url))
	requireDiagnostic(t, planCreate(t, server, scimArgs(fg.SCIMJobID)), tfprotov6.DiagnosticSeverityWarning,
		"rule_id not checked at plan: Microsoft Graph could not be read", "synchronization_job_id", "no answer within plan_read_timeout (200ms)")
	if n := env.provisionCalls(); n != 0 {
		t.Errorf("provision calls = %d, want 0", n)
	}
}

// TestPlanReadForbidden: without permission to read the job the check is skipped with a warning
// that names the permission.
func TestPlanReadForbidden(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	env.srv.InjectFault(fg.Fault{JobID: fg.SCIMJobID, Kind: fg.FaultStatus, StatusCode: http.StatusForbidden, Code: "Authorization_RequestDenied",
		Message: "Insufficient privileges to complete the operation.", IncludeReads: true, Count: -1})
	server := configuredServer(t, fmt.Sprintf(`"graph_endpoint": %q`, env.url))
	requireDiagnostic(t, planCreate(t, server, scimArgs(fg.SCIMJobID)), tfprotov6.DiagnosticSeverityWarning,
		"rule_id not checked at plan: no permission to read the job", "synchronization_job_id", "Synchronization.Read.All", "Authorization_RequestDenied")
	requireDiagnostic(t, planAction(t, server, scimArgs(fg.SCIMJobID)), tfprotov6.DiagnosticSeverityWarning,
		"rule_id not checked at plan: no permission to read the job", "synchronization_job_id", "Synchronization.Read.All")
	if n := env.provisionCalls(); n != 0 {
		t.Errorf("provision calls = %d, want 0", n)
	}
}

// TestPlanReadJobNotFound: a job that does not exist is an error at plan, on the resource and
// the action, listing the service principal's jobs.
func TestPlanReadJobNotFound(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	server := configuredServer(t, fmt.Sprintf(`"graph_endpoint": %q`, env.url))
	for _, plan := range []func(map[string]any) []*tfprotov6.Diagnostic{
		func(args map[string]any) []*tfprotov6.Diagnostic { return planCreate(t, server, args) },
		func(args map[string]any) []*tfprotov6.Diagnostic { return planAction(t, server, args) },
	} {
		requireDiagnostic(t, plan(scimArgs("scim.0000000000000000000000000000")), tfprotov6.DiagnosticSeverityError,
			"Synchronization job not found", "synchronization_job_id",
			`Synchronization job "scim.0000000000000000000000000000" not found on service principal `+fg.SCIMServicePrincipalID,
			"Its jobs:\n  - "+fg.SCIMJobID)
	}
	if n := env.provisionCalls(); n != 0 {
		t.Errorf("provision calls = %d, want 0", n)
	}
}

func TestAccProvisionOnDemand_jobNotFoundFailsAtPlan(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:   env.provider + provisionConfig("test", fg.SCIMServicePrincipalID, "scim.0000000000000000000000000000", fg.SCIMUserRuleID, fg.UserAdaID, "User"),
			PlanOnly: true,
			ExpectError: wrapped("Synchronization job not found", `Synchronization job "scim.0000000000000000000000000000" not found on service principal `+
				fg.SCIMServicePrincipalID, "Its jobs:", "- "+fg.SCIMJobID),
		}},
	})
	if got := env.provisionCalls(); got != 0 {
		t.Errorf("provision calls = %d, want 0", got)
	}
}

// TestAccProvisionOnDemand_unreachableEndpointPlans: with nothing listening at graph_endpoint, a
// real plan ends (the check is skipped with a warning, see TestPlanReadBudget) instead of
// retrying for minutes.
func TestAccProvisionOnDemand_unreachableEndpointPlans(t *testing.T) {
	endpoint := unusedEndpoint(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "entrasync" {
  graph_endpoint = %q
  access_token   = %q
}
`, endpoint, testTokenValue) + provisionConfig("a", fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, fg.UserAdaID, "User") +
				provisionConfig("b", fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, fg.UserBenID, "User"),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}
