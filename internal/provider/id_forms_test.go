package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// The same service principal or job written in another form (azuread's path form, a GUID in
// upper case) names the same object: the plan is an update in place, never a replacement, which
// for these resources would delete a job, blank saved credentials or reset an object mapping.

// pathForm writes every quoted occurrence of the service principal's GUID as azuread's path form,
// in upper case.
func pathForm(config, servicePrincipalID string) string {
	return strings.ReplaceAll(config, fmt.Sprintf("%q", servicePrincipalID), fmt.Sprintf("%q", "/servicePrincipals/"+strings.ToUpper(servicePrincipalID)))
}

// noCallsAfter fails when the fake received any request of the operations after the first step.
func (e *fakeEnv) noCallsAfter(before *map[string]int, operations ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, op := range operations {
			if n := e.operations(op); n != (*before)[op] {
				return fmt.Errorf("%d %s request(s) for a change of form alone, want none", n-(*before)[op], op)
			}
		}
		return nil
	}
}

// countCalls records how many requests of each operation the fake has received so far.
func (e *fakeEnv) countCalls(into *map[string]int, operations ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		*into = map[string]int{}
		for _, op := range operations {
			(*into)[op] = e.operations(op)
		}
		return nil
	}
}

func TestAccSynchronizationJob_pathFormUpdatesInPlace(t *testing.T) {
	env := jobEnv(t)
	if err := env.srv.SetCredentials(fg.UnconfiguredSCIMServicePrincipalID, fg.CredentialsValid); err != nil {
		t.Fatal(err)
	}
	var jobID, sameJobID string
	var before map[string]int
	writes := []string{fg.OperationCreateJob, fg.OperationDeleteJob, fg.OperationStartJob, fg.OperationPauseJob, fg.OperationRestartJob}
	config := jobConfig(env, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config, Check: resource.ComposeTestCheckFunc(keepJobID(&jobID), env.countCalls(&before, writes...))},
			{
				Config: pathForm(config, fg.UnconfiguredSCIMServicePrincipalID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(jobAddress, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeTestCheckFunc(keepJobID(&sameJobID), env.noCallsAfter(&before, writes...), func(*terraform.State) error {
					if sameJobID != jobID {
						return fmt.Errorf("job id %q after the change of form, want %q", sameJobID, jobID)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccSynchronizationCredentials_pathFormWritesNothing(t *testing.T) {
	env := jobEnv(t)
	var before map[string]int
	writes := []string{fg.OperationPutSecrets, fg.OperationValidateCredentials, fg.OperationDeleteJob, fg.OperationCreateJob}
	config := fromNothing(env, 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config, ConfigVariables: tokenVariable(fg.SCIMSecretToken), Check: env.countCalls(&before, writes...)},
			{
				// The token changed too, but without a new version: still nothing is written.
				Config: pathForm(config, fg.UnconfiguredSCIMServicePrincipalID), ConfigVariables: tokenVariable("rotated-but-unversioned"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(credentialsAddress, plancheck.ResourceActionUpdate),
				}},
				Check: env.noCallsAfter(&before, writes...),
			},
		},
	})
}

func TestAccAttributeMappings_pathFormUpdatesInPlace(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	var before map[string]int
	writes := []string{fg.OperationPutSchema, fg.OperationResetSchema}
	config := usersConfig(env, true, baseUserMappings, "")
	jobPath := fmt.Sprintf("%q", fmt.Sprintf("/servicePrincipals/%s/synchronization/jobs/%s", strings.ToUpper(fg.SCIMServicePrincipalID), fg.SCIMJobID))
	otherForms := strings.Replace(pathForm(config, fg.SCIMServicePrincipalID), fmt.Sprintf("%q", fg.SCIMJobID), jobPath, 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config, Check: env.countCalls(&before, writes...)},
			{
				Config: otherForms,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(mappingsAddr, plancheck.ResourceActionUpdate),
				}},
				Check: env.noCallsAfter(&before, writes...),
			},
		},
	})
}
