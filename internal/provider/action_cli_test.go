package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// terraform-plugin-testing (v1.16) runs an action only from an action_trigger in a config step; it has
// no step for `terraform apply -invoke`. These tests run the CLI of TF_ACC_TERRAFORM_PATH themselves,
// in a temporary working directory, against the provider served from this test process (reattached
// with TF_REATTACH_PROVIDERS, as terraform-plugin-testing does), so the fake Graph's log is at hand.

// actionsMinimum is the first Terraform release that runs actions.
var actionsMinimum = version.Must(version.NewVersion("1.14.0"))

// actionCLI returns the acceptance tests' CLI when it runs actions, and skips the test otherwise.
func actionCLI(t *testing.T) string {
	t.Helper()
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || cli == "" {
		t.Skip("acceptance test: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test-tf115)")
	}
	out, err := exec.Command(cli, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", cli, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v", cli, err)
	}
	got, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatalf("%s reports version %q: %v", cli, v.Version, err)
	}
	// A CLI built from its Go module reports 1.15.0-dev: what counts is the release it was built from.
	if got.Core().LessThan(actionsMinimum) {
		t.Skipf("%s is version %s; actions need Terraform %s or later (make test-tf115)", cli, got, actionsMinimum)
	}
	return cli
}

// serveProvider serves the provider from this process until stop is called, and returns the
// TF_REATTACH_PROVIDERS value that makes Terraform use it.
func serveProvider(t *testing.T) (reattach string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configs := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- tf6server.Serve("registry.terraform.io/hashicorp/entrasync", providerserver.NewProtocol6(New("test")()),
			tf6server.WithDebug(ctx, configs, closed), tf6server.WithLoggingSink(t), tf6server.WithoutLogStderrOverride())
	}()
	var config *plugin.ReattachConfig
	select {
	case config = <-configs:
	case err := <-served:
		cancel()
		t.Fatalf("serving the provider: %v", err)
	}
	b, err := json.Marshal(map[string]any{"registry.terraform.io/hashicorp/entrasync": map[string]any{
		"Protocol":        config.Protocol,
		"ProtocolVersion": config.ProtocolVersion,
		"Pid":             config.Pid,
		"Test":            config.Test,
		"Addr":            map[string]string{"Network": config.Addr.Network(), "String": config.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b), func() { cancel(); <-closed }
}

// cliOutput is what one `terraform ... -json` run said: progress messages of actions, diagnostics, and
// how many actions completed.
type cliOutput struct {
	progress    []string
	diagnostics []cliDiagnostic
	completed   int
	raw         string
}

type cliDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
}

// only returns the single diagnostic of the given severity ("error", "warning"), failing unless there
// is exactly one. Terraform reports an action's diagnostic as "Error when invoking action" (or
// "Warning ..."), with the provider's summary and detail joined by ": " as its detail.
func (o cliOutput) only(t *testing.T, severity string) cliDiagnostic {
	t.Helper()
	var found []cliDiagnostic
	for _, d := range o.diagnostics {
		if d.Severity == severity {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one %s diagnostic, got %d; output:\n%s", severity, len(found), o.raw)
	}
	return found[0]
}

// parseCLIOutput reads Terraform's machine-readable UI (-json): one JSON message per line.
func parseCLIOutput(t *testing.T, raw []byte) cliOutput {
	t.Helper()
	out := cliOutput{raw: string(raw)}
	lines := bufio.NewScanner(bytes.NewReader(raw))
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		var msg struct {
			Type string `json:"type"`
			Hook struct {
				Message string `json:"message"`
			} `json:"hook"`
			Diagnostic *cliDiagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(lines.Bytes(), &msg) != nil {
			continue // a line that is not a JSON message, such as a crash report
		}
		switch {
		case msg.Type == "action_progress":
			out.progress = append(out.progress, msg.Hook.Message)
		case msg.Type == "action_complete":
			out.completed++
		case msg.Diagnostic != nil:
			out.diagnostics = append(out.diagnostics, *msg.Diagnostic)
		}
	}
	return out
}

// workDir writes config into a new working directory, with a CLI configuration of its own that
// installs nothing.
func workDir(t *testing.T, config string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cli.tfrc"), []byte("# nothing to install\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// terraformCommand is cli with args in dir, attached to the provider served by reattach.
func terraformCommand(ctx context.Context, cli, dir, reattach string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "cli.tfrc"),
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_LOG=")
	return cmd
}

// invokeWithCLI runs `terraform apply -invoke=action.entrasync_provision_on_demand.NAME` on config
// and returns its output and whether the run failed.
func invokeWithCLI(t *testing.T, cli, config, name string) (cliOutput, error) {
	t.Helper()
	reattach, stop := serveProvider(t)
	defer stop()
	dir := workDir(t, config)
	cmd := terraformCommand(context.Background(), cli, dir, reattach,
		"apply", "-json", "-input=false", "-auto-approve", "-invoke=action."+actionTypeName+"."+name)
	raw, err := cmd.CombinedOutput()
	return parseCLIOutput(t, raw), err
}

// actionBlock is an action "entrasync_provision_on_demand" NAME for one user of the fake's SCIM job.
func actionBlock(name, userID, extra string) string {
	return fmt.Sprintf(`
action %q %q {
  config {
    service_principal_id   = %q
    synchronization_job_id = %q
    parameters = [{
      rule_id  = %q
      subjects = [{ object_id = %q, object_type_name = "User" }]
    }]
    %s
  }
}
`, actionTypeName, name, fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, fakegraph.SCIMUserRuleID, userID, extra)
}

func TestAccActionInvokeCLISuccess(t *testing.T) {
	cli := actionCLI(t)
	env := newFakeEnv(t, fakegraph.Options{}, "")

	out, err := invokeWithCLI(t, cli, env.provider+actionBlock("ada", fakegraph.UserAdaID, ""), "ada")
	if err != nil {
		t.Fatalf("terraform apply -invoke: %v\n%s", err, out.raw)
	}
	requireProgress(t, out.progress,
		"Sending 1 subject(s) to synchronization job "+fakegraph.SCIMJobID+" of service principal "+fakegraph.SCIMServicePrincipalID,
		"Sent; Graph answered Success",
		fakegraph.UserAdaPrincipalName+": step ",
		fakegraph.UserAdaPrincipalName+": Success (Create)",
	)
	if n := env.provisionCalls(); n != 1 {
		t.Fatalf("want one provisionOnDemand call, got %d", n)
	}
}

func TestAccActionInvokeCLIFailure(t *testing.T) {
	cli := actionCLI(t)
	env := newFakeEnv(t, fakegraph.Options{}, "")

	out, err := invokeWithCLI(t, cli, env.provider+actionBlock("dev", fakegraph.UserFailingID, ""), "dev")
	if err == nil {
		t.Fatalf("the run succeeded; want it to fail on the Failure answer:\n%s", out.raw)
	}
	calls := env.srv.Requests()
	last := calls[len(calls)-1]
	d := out.only(t, "error")
	if !strings.HasPrefix(d.Detail, "Provisioning failed for dev.patel@example.com: ") || !strings.Contains(d.Detail, fakegraph.ErrorCodeSCIMBadRequest) ||
		!strings.Contains(d.Detail, "Request ID: "+last.RequestID) {
		t.Fatalf("want the subject, the error code and the request-id %s; got %q:\n%s", last.RequestID, d.Summary, d.Detail)
	}
	if !strings.HasSuffix(d.Detail, actionAfterFailure) || strings.Contains(d.Detail, "replaced") {
		t.Fatalf("an action's failure must say what is true of the action, not of a resource's state:\n%s", d.Detail)
	}
	requireProgress(t, out.progress, "dev.patel@example.com: Failure (Create)")
}

func TestAccActionInvokeCLISkip(t *testing.T) {
	cli := actionCLI(t)
	for _, failOnSkip := range []bool{false, true} {
		t.Run(fmt.Sprintf("fail_on_skip=%t", failOnSkip), func(t *testing.T) {
			env := newFakeEnv(t, fakegraph.Options{}, "")
			config := env.provider + actionBlock("chloe", fakegraph.UserOutOfScopeID, fmt.Sprintf("fail_on_skip = %t", failOnSkip))

			out, err := invokeWithCLI(t, cli, config, "chloe")
			severity := "warning"
			if failOnSkip {
				severity = "error"
			}
			if failed := err != nil; failed != failOnSkip {
				t.Fatalf("want the run to fail only with fail_on_skip; failed: %t (%v)\n%s", failed, err, out.raw)
			}
			d := out.only(t, severity)
			if !strings.HasPrefix(d.Detail, "Provisioning skipped chloe.martin@example.com: ") || !strings.Contains(d.Detail, fakegraph.ReasonNotEffectivelyEntitled) {
				t.Fatalf("unexpected %s %q: %s", severity, d.Summary, d.Detail)
			}
			requireProgress(t, out.progress, "chloe.martin@example.com: Skipped (Other), "+fakegraph.ReasonNotEffectivelyEntitled)
		})
	}
}

// TestAccActionInvokeCLICancel interrupts Terraform while Graph has not answered: the provider drops
// its call at once instead of at the invoke timeout, and the action is not reported complete.
func TestAccActionInvokeCLICancel(t *testing.T) {
	cli := actionCLI(t)
	arrived, released := make(chan struct{}, 4), make(chan struct{}, 4)
	env := newFakeEnv(t, fakegraph.Options{}, "")
	env.srv.InjectFault(fakegraph.Fault{Kind: fakegraph.FaultHang})
	// In front of the fake: says when the provisionOnDemand call arrives, and when its hang ends,
	// which only the caller going away does.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		provision := strings.HasSuffix(r.URL.Path, "/provisionOnDemand")
		if provision {
			arrived <- struct{}{}
		}
		env.srv.ServeHTTP(w, r)
		if provision {
			released <- struct{}{}
		}
	}))
	defer front.Close()

	reattach, stop := serveProvider(t)
	defer stop()
	// A safety net, not a synchronisation: a provider that ignored the interrupt would hold the call
	// until the invoke timeout (10 minutes).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	provider := strings.Replace(env.provider, env.url, front.URL, 1)
	dir := workDir(t, provider+actionBlock("ada", fakegraph.UserAdaID, `timeouts = { invoke = "10m" }`))
	cmd := terraformCommand(ctx, cli, dir, reattach, "apply", "-json", "-input=false", "-auto-approve", "-invoke=action."+actionTypeName+".ada")
	var raw bytes.Buffer
	cmd.Stdout, cmd.Stderr = &raw, &raw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-arrived
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-released:
	case <-ctx.Done():
		t.Fatalf("the provider still waited for Graph 2 minutes after the interrupt:\n%s", raw.String())
	}
	// Terraform 1.15 then ends the run as "Apply complete! ... 0 to invoke" and exits 0.
	err := cmd.Wait()
	out := parseCLIOutput(t, raw.Bytes())
	if ctx.Err() != nil || !strings.Contains(out.raw, "Interrupt received") || out.completed != 0 {
		t.Fatalf("want the interrupted run to end without completing the action; exit: %v\n%s", err, out.raw)
	}
	if n := env.provisionCalls(); n != 1 {
		t.Fatalf("want the one interrupted provisionOnDemand call and no retry, got %d", n)
	}
}

// provisionCallsFor counts the provisionOnDemand requests that name objectID.
func (e *fakeEnv) provisionCallsFor(objectID string) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Operation == fakegraph.OperationProvisionOnDemand && strings.Contains(r.Body, objectID) {
			n++
		}
	}
	return n
}

// expectCalls checks how many provisionOnDemand calls named each object id so far.
func expectCalls(env *fakeEnv, want map[string]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for id, n := range want {
			if got := env.provisionCallsFor(id); got != n {
				return fmt.Errorf("want %d provisionOnDemand call(s) for %s, got %d", n, id, got)
			}
		}
		return nil
	}
}

// TestAccActionTriggerEvents runs the action from action_trigger: after_create once, when the
// resource is created, and after_update when it changes, never on a plan or an unchanged resource.
func TestAccActionTriggerEvents(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{}, "")
	config := func(team string) string {
		return env.provider + actionBlock("ada", fakegraph.UserAdaID, "") + actionBlock("ben", fakegraph.UserBenID, "") + fmt.Sprintf(`
resource "terraform_data" "hire" {
  input = "ada"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.entrasync_provision_on_demand.ada]
    }
  }
}

resource "terraform_data" "transfer" {
  input = %q
  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.entrasync_provision_on_demand.ben]
    }
  }
}
`, team)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(actionsMinimum)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config("engineering"), Check: expectCalls(env, map[string]int{fakegraph.UserAdaID: 1, fakegraph.UserBenID: 0})},
			{Config: config("finance"), Check: expectCalls(env, map[string]int{fakegraph.UserAdaID: 1, fakegraph.UserBenID: 1})},
		},
	})
}

// TestAccActionSharesRateLimitWithResources applies resources and an action_trigger of one job in one
// run against a fake that rejects any call over its limit: the action waits in the resources' limiter.
func TestAccActionSharesRateLimitWithResources(t *testing.T) {
	env := newFakeEnv(t, fakegraph.Options{RateLimitRequests: 2, RateLimitInterval: time.Second}, "")
	config := env.provider + actionBlock("onboard", fakegraph.UserMember5ID, "") + `
resource "terraform_data" "hire" {
  input = "member5"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.entrasync_provision_on_demand.onboard]
    }
  }
}
`
	users := []string{fakegraph.UserAdaID, fakegraph.UserBenID, fakegraph.UserMember1ID, fakegraph.UserMember2ID}
	for i, id := range users {
		config += fmt.Sprintf(`
resource "entrasync_provision_on_demand" "user%d" {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters             = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = "User" }] }]
}
`, i, fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, fakegraph.SCIMUserRuleID, id)
	}
	want := map[string]int{fakegraph.UserMember5ID: 1}
	for _, id := range users {
		want[id] = 1
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(actionsMinimum)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(expectCalls(env, want), func(*terraform.State) error {
				if n := env.throttled(); n != 0 {
					return fmt.Errorf("the fake answered %d of %d provisionOnDemand calls with 429", n, env.provisionCalls())
				}
				return nil
			}),
		}},
	})
}
