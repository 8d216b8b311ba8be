package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// subjectConfig provisions one subject of any job type.
func subjectConfig(env *fakeEnv, sp, job, rule, objectID, typeName string) string {
	return env.provider + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = %q }] }]
}
`, sp, job, rule, objectID, typeName)
}

func TestAccProvisionOnDemand_cloudSyncDistinguishedName(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			// Cloud Sync answers as Example 2: statusInfo holds only the status, the entry the rest.
			Config: subjectConfig(env, fg.CloudSyncServicePrincipalID, fg.CloudSyncJobID, fg.CloudSyncUserRuleID, fg.CloudSyncUserDN, "user"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue(resAddr, str("results"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"status":                knownvalue.StringExact("Success"),
						"action":                knownvalue.StringExact("Create"),
						"error_code":            knownvalue.Null(),
						"reportable_identifier": knownvalue.StringExact("ada.park@example.com"),
						"source_system":         knownvalue.StringExact("Active Directory"),
					}),
				})),
			},
		}},
	})
	var bodies []string
	for _, r := range env.srv.Requests() {
		if r.Operation == fg.OperationProvisionOnDemand {
			bodies = append(bodies, r.Body)
		}
	}
	if len(bodies) != 1 || !regexp.MustCompile(`"objectId":"CN=Ada Park,OU=Staff,DC=corp,DC=example,DC=com","objectTypeName":"user"`).MatchString(bodies[0]) {
		t.Errorf("the distinguished name must reach Graph unchanged in one call: %q", bodies)
	}
}

func TestAccProvisionOnDemand_workdayWorker(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: subjectConfig(env, fg.WorkdayServicePrincipalID, fg.WorkdayJobID, fg.WorkdayWorkerRuleID, fg.WorkdayWorkerID, "Worker"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue(resAddr, entry(0, "action"), knownvalue.StringExact("Create")),
				statecheck.ExpectKnownValue(resAddr, entry(0, "source_identity_id"), knownvalue.StringExact(fg.WorkdayWorkerID)),
			},
		}},
	})
}

func TestAccProvisionOnDemand_credentialsMissing(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      subjectConfig(env, fg.CredentialsMissingServicePrincipalID, fg.CredentialsMissingJobID, fg.CredentialsMissingRuleID, fg.UserAdaID, "User"),
			ExpectError: regexp.MustCompile(`(?s)no target credentials.*Admin Credentials.*CredentialsMissing.*request-id`),
		}},
	})
}
