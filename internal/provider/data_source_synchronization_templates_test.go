package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

func TestAccSynchronizationTemplates_listsAndPicks(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_templates" "all" {
  service_principal_id = "/servicePrincipals/%[1]s"
}
data "entrasync_synchronization_templates" "workday" {
  service_principal_id = %[1]q
  factory_tag          = "WORKDAYTOAD"
}`, fg.UnconfiguredSCIMServicePrincipalID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.entrasync_synchronization_templates.all", str("template_id"), knownvalue.StringExact("scim")),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_templates.all", str("templates"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":          knownvalue.StringExact("scim"),
						"factory_tag": knownvalue.StringExact("scim"),
						"description": knownvalue.StringRegexp(wrapped("SCIM 2.0")),
						"default":     knownvalue.Bool(true),
						"metadata":    knownvalue.MapExact(map[string]knownvalue.Check{"supportsProvisionOnDemand": knownvalue.StringExact("true")}),
					}),
				})),
				// No Workday template on this app: null, and the plan warns with the templates it has.
				statecheck.ExpectKnownValue("data.entrasync_synchronization_templates.workday", str("template_id"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_templates.workday", str("templates"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

func TestOneTemplate(t *testing.T) {
	a := graph.SynchronizationTemplate{ID: "a"}
	b := graph.SynchronizationTemplate{ID: "b", Default: true}
	c := graph.SynchronizationTemplate{ID: "c", Default: true}
	for _, tc := range []struct {
		name       string
		templates  []graph.SynchronizationTemplate
		unfiltered bool
		want       string
	}{
		{"only one", []graph.SynchronizationTemplate{a}, false, "a"},
		{"none", nil, true, ""},
		{"the default without a filter", []graph.SynchronizationTemplate{a, b}, true, "b"},
		{"no default pick with a filter", []graph.SynchronizationTemplate{a, b}, false, ""},
		{"two defaults", []graph.SynchronizationTemplate{a, b, c}, true, ""},
	} {
		got := ""
		if picked := oneTemplate(tc.templates, tc.unfiltered); picked != nil {
			got = picked.ID
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
