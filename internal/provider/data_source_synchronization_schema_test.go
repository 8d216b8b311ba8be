package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// TestAccSynchronizationSchema_usableInForExpressions reads the SCIM job's schema and picks
// names and mappings out of it with for expressions, as a configuration would.
func TestAccSynchronizationSchema_usableInForExpressions(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_schema" "scim" {
  service_principal_id   = %q
  synchronization_job_id = %q
}
locals {
  users = one(flatten([for r in data.entrasync_synchronization_schema.scim.rules :
    [for m in r.object_mappings : m if m.source_object_name == "User"]]))
  scim_user_attributes = flatten([for d in data.entrasync_synchronization_schema.scim.directories :
    [for o in d.objects : [for a in o.attributes : a.name] if o.name == %q]])
}
output "matching" {
  value = [for k, m in local.users.mappings : k if m.matching_priority > 0]
}
output "active" {
  value = local.users.mappings["active"].source
}
output "has_title" {
  value = contains(local.scim_user_attributes, "title")
}
output "rule_ids" {
  value = [for r in data.entrasync_synchronization_schema.scim.rules : r.id]
}`, fg.SCIMServicePrincipalID, fg.SCIMJobID, scimUser),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("matching", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("userName")})),
				statecheck.ExpectKnownOutputValue("active", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"type": knownvalue.StringExact("Function"), "name": knownvalue.Null(), "expression": knownvalue.StringExact("Not([IsSoftDeleted])"),
				})),
				statecheck.ExpectKnownOutputValue("has_title", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("rule_ids", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(fg.SCIMRuleID)})),
			},
		}},
	})
}
