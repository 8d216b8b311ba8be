package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

const credentialsAddress = "entrasync_synchronization_credentials.scim"

// fromNothing is the whole chain on the unconfigured SCIM app: template, job, credentials,
// and a user provisioned through the job's rule. The token comes from a sensitive variable, as
// a secret would, so the configuration text holds none.
func fromNothing(env *fakeEnv, version int) string {
	return jobConfig(env, "") + fmt.Sprintf(`
variable "token" {
  type      = string
  sensitive = true
  ephemeral = true
}
resource "entrasync_synchronization_credentials" "scim" {
  service_principal_id   = %[1]q
  synchronization_job_id = entrasync_synchronization_job.scim.id
  settings               = { BaseAddress = %[2]q }
  credentials_wo         = { SecretToken = var.token }
  credentials_wo_version = %[3]d
  wait_for_steady_state  = "30s"
}
data "entrasync_synchronization_rules" "users" {
  service_principal_id   = %[1]q
  synchronization_job_id = entrasync_synchronization_credentials.scim.synchronization_job_id
  source_object_name     = "User"
}
resource "entrasync_provision_on_demand" "ada" {
  service_principal_id   = %[1]q
  synchronization_job_id = entrasync_synchronization_job.scim.id
  parameters = [{ rule_id = data.entrasync_synchronization_rules.users.rule_id, subjects = [{ object_id = %[4]q, object_type_name = "User" }] }]
}`, fg.UnconfiguredSCIMServicePrincipalID, fg.SCIMBaseAddress, version, fg.UserAdaID)
}

// planHolds fails when the JSON plan holds the text anywhere (values, prior state, variables): a
// write-only value and an ephemeral variable never reach it.
type planHolds string

func (s planHolds) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	raw, err := json.Marshal(req.Plan)
	switch {
	case err != nil:
		resp.Error = err
	case strings.Contains(string(raw), string(s)):
		resp.Error = fmt.Errorf("the plan holds the secret value")
	}
}

func tokenVariable(token string) config.Variables {
	return config.Variables{"token": config.StringVariable(token)}
}

func TestAccSynchronizationCredentials_fromNothingToProvisioned(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logFile)
	env := jobEnv(t)
	noSecretInState := func(s *terraform.State) error {
		for name, r := range s.RootModule().Resources {
			for k, v := range r.Primary.Attributes {
				if strings.Contains(v, fg.SCIMSecretToken) {
					return fmt.Errorf("%s.%s holds the secret token", name, k)
				}
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: fromNothing(env, 1), ConfigVariables: tokenVariable(fg.SCIMSecretToken),
				Check:            noSecretInState,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{planHolds(fg.SCIMSecretToken)}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(credentialsAddress, tfjsonpath.New("credentials_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(credentialsAddress, tfjsonpath.New("secret_keys"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("SecretToken")})),
					statecheck.ExpectKnownValue(credentialsAddress, tfjsonpath.New("settings").AtMapKey("BaseAddress"), knownvalue.StringExact(fg.SCIMBaseAddress)),
					statecheck.ExpectKnownValue("entrasync_provision_on_demand.ada", tfjsonpath.New("status"), knownvalue.StringExact("Success")),
				},
			},
			{
				// A new value without a new version writes nothing: Terraform cannot see it.
				Config: fromNothing(env, 1), ConfigVariables: tokenVariable("rotated-but-unversioned"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(credentialsAddress, plancheck.ResourceActionNoop),
				}},
			},
			{
				// A refused value with a new version: nothing is saved, the working credentials stay.
				Config: fromNothing(env, 2), ConfigVariables: tokenVariable("wrong-token"),
				ExpectError: wrapped("Credentials refused by the target", "nothing was saved", "You appear to have entered invalid credentials"),
			},
		},
	})
	if got := env.srv.SavedSecretKeys(fg.UnconfiguredSCIMServicePrincipalID); !slices.Equal(got, []string{"BaseAddress", "SecretToken"}) {
		t.Errorf("saved keys after destroy %v, want the two keys blanked, not others", got)
	}
	if n := env.operations(fg.OperationPutSecrets); n != 2 {
		t.Errorf("%d secret writes, want 2 (create, blank on destroy); the refused value must not be saved", n)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || strings.Contains(string(log), fg.SCIMSecretToken) || strings.Contains(string(log), "wrong-token") || strings.Contains(string(log), "rotated-but-unversioned") {
		t.Errorf("the TRACE log (%d bytes) holds a secret value, or is empty", len(log))
	}
}

func TestAccSynchronizationCredentials_refusedSavesNothing(t *testing.T) {
	env := jobEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fromNothing(env, 1), ConfigVariables: tokenVariable("not-the-token"),
			ExpectError: wrapped("Credentials refused by the target", "credentials_wo", "nothing was saved",
				"You appear to have entered invalid credentials", "raise credentials_wo_version"),
		}},
	})
	if got := env.srv.SavedSecretKeys(fg.UnconfiguredSCIMServicePrincipalID); len(got) != 0 {
		t.Errorf("saved keys %v, want none", got)
	}
}

func TestAccSynchronizationCredentials_planChecks(t *testing.T) {
	env := jobEnv(t)
	config := func(body string) string {
		return env.provider + fmt.Sprintf(`
resource "entrasync_synchronization_credentials" "scim" {
  service_principal_id   = %q
  synchronization_job_id = "scim.x"
  %s
}`, fg.UnconfiguredSCIMServicePrincipalID, body)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config(`credentials_wo = { Token = "x" }`),
				PlanOnly:    true,
				ExpectError: wrapped("credentials_wo", "SecretToken", `got: "Token"`),
			},
			{
				Config:      config(`credentials_wo = { SecretToken = "x" }` + "\n" + `settings = { BaseAddress = "u", SecretToken = "y" }`),
				PlanOnly:    true,
				ExpectError: wrapped(`settings["SecretToken"]`, "given in settings and in credentials_wo"),
			},
		},
	})
}

// TestCredentialsNeedWriteOnlySupport: a CLI without write-only attributes (before Terraform
// 1.11) gets an error naming the version instead of storing the secret.
func TestCredentialsNeedWriteOnlySupport(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.ResourceSchemas["entrasync_synchronization_credentials"].ValueType().(tftypes.Object)
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	values["service_principal_id"] = tftypes.NewValue(tftypes.String, fg.UnconfiguredSCIMServicePrincipalID)
	values["synchronization_job_id"] = tftypes.NewValue(tftypes.String, "scim.x")
	values["credentials_wo"] = tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"SecretToken": tftypes.NewValue(tftypes.String, "s")})
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{
		TypeName: "entrasync_synchronization_credentials", Config: &config,
		ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: false},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := onlyDiagnostic(t, resp.Diagnostics, tfprotov6.DiagnosticSeverityError)
	if !strings.Contains(d.Detail, "credentials_wo") || !strings.Contains(d.Detail, "Terraform 1.11") {
		t.Errorf("diagnostic %q: want it to name credentials_wo and Terraform 1.11", d.Detail)
	}
}
