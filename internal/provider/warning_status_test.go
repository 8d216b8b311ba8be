package provider

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// TestAccProvisionOnDemand_warningStatusIsKept: a Warning is not a failure: the apply succeeds,
// the resource is not tainted, and the next plan is empty, as the warning's text says.
func TestAccProvisionOnDemand_warningStatusIsKept(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	entry, _ := json.Marshal(map[string]any{
		"action": "Update", "reportableIdentifier": fg.UserAdaID,
		"statusInfo": map[string]any{"status": "warning", "errorCode": "AttributeNotExported", "reason": "One attribute was not exported."},
	})
	body, _ := json.Marshal(map[string]any{"key": `{"result":"Warning","details":{}}`, "value": string(entry)})
	env.srv.InjectFault(fg.Fault{Kind: fg.FaultRawBody, Body: string(body)})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: userConfig(env, fg.UserAdaID, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Warning")),
				},
			},
			{
				Config: userConfig(env, fg.UserAdaID, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionNoop),
				}},
			},
		},
	})
	if n := env.provisionCalls(); n != 1 {
		t.Errorf("provision calls = %d, want 1", n)
	}
}
