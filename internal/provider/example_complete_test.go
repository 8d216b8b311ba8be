package provider

import (
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// TestAccExampleComplete applies examples/complete as it is written (its terraform block aside,
// which names the registry source) against the fake: template, job, credentials, a group with
// six members in two calls.
func TestAccExampleComplete(t *testing.T) {
	env := jobEnv(t)
	t.Setenv("ENTRASYNC_GRAPH_ENDPOINT", env.url)
	t.Setenv("ENTRASYNC_ACCESS_TOKEN", testTokenValue)
	example, err := os.ReadFile("../../examples/complete/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`(?ms)^terraform \{.*?^\}\n`).ReplaceAllString(string(example), "")
	members := []config.Variable{}
	for _, id := range []string{fg.UserMember1ID, fg.UserMember2ID, fg.UserMember3ID, fg.UserMember4ID, fg.UserMember5ID, fg.UserMember6ID} {
		members = append(members, config.StringVariable(id))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: body,
			ConfigVariables: config.Variables{
				"service_principal_id": config.StringVariable(fg.UnconfiguredSCIMServicePrincipalID),
				"scim_base_address":    config.StringVariable(fg.SCIMBaseAddress),
				"scim_token":           config.StringVariable(fg.SCIMSecretToken),
				"group_object_id":      config.StringVariable(fg.GroupEngineeringID),
				"member_object_ids":    config.ListVariable(members...),
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("job_status", knownvalue.StringExact("Active")),
				// One resource for the team: the group and five members in the first call, the sixth in the second.
				statecheck.ExpectKnownValue("entrasync_provision_on_demand.team", str("request_ids"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("entrasync_provision_on_demand.team", str("results"), knownvalue.ListSizeExact(7)),
			},
		}},
	})
	if got := env.srv.SavedSecretKeys(fg.UnconfiguredSCIMServicePrincipalID); len(got) != 2 {
		t.Errorf("saved keys after destroy %v, want BaseAddress and SecretToken (blanked)", got)
	}
}
