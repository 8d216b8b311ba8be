package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// The job's schema says which types a rule takes: a type of the fixed list that the rule does not
// map fails at plan, naming the rule's source objects.
func TestAccProvisionOnDemand_subjectTypeFromTheSchema(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:   env.provider + provisionConfig("test", fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMRuleID, fg.UserAdaID, "Worker"),
			PlanOnly: true,
			ExpectError: wrapped("Invalid object_type_name: not a source object of the rule",
				`provisions source objects "User", "Group" (case-sensitive), not "Worker"`),
		}, {
			Config:      env.provider + provisionConfig("test", fg.WorkdayServicePrincipalID, fg.WorkdayJobID, fg.WorkdayWorkerRuleID, fg.UserAdaID, "User"),
			PlanOnly:    true,
			ExpectError: wrapped(`provisions source objects "Worker" (case-sensitive), not "User"`),
		}},
	})
	if got := env.provisionCalls(); got != 0 {
		t.Errorf("provision calls = %d, want 0", got)
	}
}

// Groups on a cross-tenant or HR-inbound job are refused at plan with Microsoft's reason.
func TestAccProvisionOnDemand_groupOnAJobThatCannotTakeGroups(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:   env.provider + provisionConfig("test", fg.CrossTenantServicePrincipalID, fg.CrossTenantJobID, fg.CrossTenantRuleID, fg.GroupEngineeringID, "Group"),
			PlanOnly: true,
			ExpectError: wrapped("Invalid object_type_name: this job cannot provision groups on demand",
				`(template "Azure2Azure") is cross-tenant synchronization`, "known limitations"),
		}, {
			Config:      env.provider + provisionConfig("test", fg.WorkdayServicePrincipalID, fg.WorkdayJobID, fg.WorkdayWorkerRuleID, fg.GroupEngineeringID, "Group"),
			PlanOnly:    true,
			ExpectError: wrapped(`(template "workdayToAD") is HR-inbound provisioning`),
		}},
	})
	if got := env.provisionCalls(); got != 0 {
		t.Errorf("provision calls = %d, want 0", got)
	}
}

// Only links.members is documented, in v1.0 and beta alike: owners and manager fail at plan.
func TestAccProvisionOnDemand_linksPerAPIVersion(t *testing.T) {
	for _, version := range []string{"v1.0", "beta"} {
		t.Run(version, func(t *testing.T) {
			env := newFakeEnv(t, fg.Options{}, fmt.Sprintf("api_version = %q", version))
			group := func(links string) string {
				return env.provider + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = "Group", links = %s }] }]
}
`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMGroupRuleID, fg.GroupEngineeringID, links)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      group(fmt.Sprintf(`{ owners = [{ object_id = %q, object_type_name = "User" }] }`, fg.UserAdaID)),
					PlanOnly:    true,
					ExpectError: wrapped("Invalid links.owners: not documented by Microsoft Graph", "documents only links.members"),
				}, {
					Config:      group(fmt.Sprintf(`{ manager = { object_id = %q, object_type_name = "User" } }`, fg.UserAdaID)),
					PlanOnly:    true,
					ExpectError: wrapped("Invalid links.manager: not documented by Microsoft Graph"),
				}, {
					Config:            group(fmt.Sprintf(`{ members = [{ object_id = %q, object_type_name = "User" }] }`, fg.UserMember1ID)),
					ConfigStateChecks: nil,
				}},
			})
		})
	}
}
