package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

const jobAddress = "entrasync_synchronization_job.scim"

// jobConfig is a job of the unconfigured SCIM app made from its template; extra goes in the resource block.
func jobConfig(env *fakeEnv, extra string) string {
	return env.provider + fmt.Sprintf(`
data "entrasync_synchronization_templates" "scim" {
  service_principal_id = %q
  factory_tag          = "scim"
}
resource "entrasync_synchronization_job" "scim" {
  service_principal_id = %q
  template_id          = data.entrasync_synchronization_templates.scim.template_id
  %s
}`, fg.UnconfiguredSCIMServicePrincipalID, fg.UnconfiguredSCIMServicePrincipalID, extra)
}

// jobEnv is a fake whose first cycles end after 50ms, so waits for steady state are short.
func jobEnv(t *testing.T) *fakeEnv {
	return newFakeEnv(t, fg.Options{SteadyStateDelay: 50 * time.Millisecond}, "")
}

// operations counts the requests of one operation the fake received.
func (e *fakeEnv) operations(operation string) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Operation == operation && r.Status/100 == 2 {
			n++
		}
	}
	return n
}

// keepJobID records the job's id from state, for steps that act on it from outside.
func keepJobID(id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		*id = s.RootModule().Resources[jobAddress].Primary.ID
		return nil
	}
}

func statusIs(code, schedule string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("status").AtMapKey("code"), knownvalue.StringExact(code)),
		statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("schedule").AtMapKey("state"), knownvalue.StringExact(schedule)),
	}
}

func TestAccSynchronizationJob_lifecycle(t *testing.T) {
	env := jobEnv(t)
	if err := env.srv.SetCredentials(fg.UnconfiguredSCIMServicePrincipalID, fg.CredentialsValid); err != nil {
		t.Fatal(err)
	}
	var jobID string
	wait := `wait_for_steady_state = "30s"`
	updates := []plancheck.PlanCheck{plancheck.ExpectResourceAction(jobAddress, plancheck.ResourceActionUpdate)}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			if code := env.srv.JobStatusCode(fg.UnconfiguredSCIMServicePrincipalID, jobID); code != "" {
				return fmt.Errorf("job %s still exists after destroy (status %s)", jobID, code)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: jobConfig(env, wait),
				Check:  keepJobID(&jobID),
				ConfigStateChecks: append(statusIs("Active", "Active"),
					statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("template_id"), knownvalue.StringExact("scim")),
					statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^scim\.`))),
					statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("schedule").AtMapKey("interval"), knownvalue.StringExact("PT40M")),
					statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("status").AtMapKey("last_execution_state"), knownvalue.StringExact("Succeeded")),
					statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("status").AtMapKey("quarantine_reason"), knownvalue.Null()),
					statecheck.ExpectKnownValue(jobAddress, tfjsonpath.New("status").AtMapKey("steady_state_last_achieved"), knownvalue.NotNull()),
				),
			},
			{
				Config:            jobConfig(env, "enabled = false"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: updates},
				ConfigStateChecks: statusIs("Paused", "Paused"),
			},
			{
				Config:            jobConfig(env, wait),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: updates},
				ConfigStateChecks: statusIs("Active", "Active"),
			},
			{
				Config: jobConfig(env, wait+`
  restart = { triggers = { rotation = "1" }, reset_scope = ["Watermark", "QuarantineState"] }`),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: updates},
				ConfigStateChecks: statusIs("Active", "Active"),
				Check: func(*terraform.State) error {
					if n := env.operations(fg.OperationRestartJob); n != 1 {
						return fmt.Errorf("%d restarts, want 1", n)
					}
					return nil
				},
			},
			{
				// Paused in the portal: the plan starts it again.
				PreConfig: func() { mustDo(t, env.srv.PauseJob(fg.UnconfiguredSCIMServicePrincipalID, jobID)) },
				Config: jobConfig(env, wait+`
  restart = { triggers = { rotation = "1" }, reset_scope = ["Watermark", "QuarantineState"] }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(updates,
					plancheck.ExpectKnownValue(jobAddress, tfjsonpath.New("enabled"), knownvalue.Bool(true)))},
				ConfigStateChecks: statusIs("Active", "Active"),
			},
			{
				// Quarantined by Entra: the plan starts it, which lifts the quarantine.
				PreConfig: func() {
					mustDo(t, env.srv.ForceQuarantine(fg.UnconfiguredSCIMServicePrincipalID, jobID, "EncounteredEscrowProportionThreshold"))
				},
				Config: jobConfig(env, wait+`
  restart = { triggers = { rotation = "1" }, reset_scope = ["Watermark", "QuarantineState"] }`),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: updates},
				ConfigStateChecks: statusIs("Active", "Active"),
			},
			{
				ResourceName: jobAddress,
				ImportState:  true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return fg.UnconfiguredSCIMServicePrincipalID + "/" + jobID, nil
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"restart", "wait_for_steady_state"},
			},
			{
				ResourceName: jobAddress,
				ImportState:  true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return "/servicePrincipals/" + fg.UnconfiguredSCIMServicePrincipalID + "/synchronization/jobs/" + jobID, nil
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"restart", "wait_for_steady_state"},
			},
		},
	})
	if n := env.operations(fg.OperationStartJob); n != 4 {
		t.Errorf("%d starts, want 4 (create, resume, after the pause, after the quarantine)", n)
	}
	if n := env.operations(fg.OperationPauseJob); n != 1 {
		t.Errorf("%d pauses, want 1", n)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestAccSynchronizationJob_quarantineFailsTheApply(t *testing.T) {
	env := jobEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: jobConfig(env, `wait_for_steady_state = "30s"`),
			ExpectError: wrapped("Synchronization job in quarantine", "reason EncounteredQuarantineException",
				fg.ErrorCodeCredentialsMissing, "Admin credentials for the target system have not been saved",
				"entrasync_synchronization_credentials", `reset_scope = ["QuarantineState"]`),
		}},
	})
}

func TestAccSynchronizationJob_planChecksAndReplacement(t *testing.T) {
	env := jobEnv(t)
	mustDo(t, env.srv.SetCredentials(fg.UnconfiguredSCIMServicePrincipalID, fg.CredentialsValid))
	salesforce := env.provider + fmt.Sprintf(`
resource "entrasync_synchronization_job" "scim" {
  service_principal_id = %q
  template_id          = "salesforce"
}`, fg.UnconfiguredSCIMServicePrincipalID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      jobConfig(env, `restart = { triggers = { a = "1" }, reset_scope = ["Watermark", "Everything"] }`),
				PlanOnly:    true,
				ExpectError: wrapped("restart.reset_scope[1]", "Watermark", "QuarantineState", "ForceDeletes", `got: "Everything"`),
			},
			{
				Config:      jobConfig(env, `wait_for_steady_state = "soon"`),
				PlanOnly:    true,
				ExpectError: wrapped("wait_for_steady_state", `"soon" is not a positive duration`),
			},
			{Config: jobConfig(env, "")},
			{
				Config: salesforce,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(jobAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ExpectError: wrapped("template_id", "The template 'salesforce' does not exist"),
			},
		},
	})
}
