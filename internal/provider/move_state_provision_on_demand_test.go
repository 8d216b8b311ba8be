package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// azureadPriorState is the state azuread 3.x writes for azuread_synchronization_job_provision_on_demand.
const azureadPriorState = `{
  "id": "5f1c2a7e-0b3d-4e9f-8a6c-1d2e3f4a5b6c",
  "service_principal_id": "/servicePrincipals/` + fakegraph.SCIMServicePrincipalID + `",
  "synchronization_job_id": "/servicePrincipals/` + fakegraph.SCIMServicePrincipalID + `/synchronization/jobs/` + fakegraph.SCIMJobID + `",
  "parameter": [{
    "rule_id": "` + fakegraph.SCIMUserRuleID + `",
    "subject": [
      {"object_id": "` + fakegraph.UserAdaID + `", "object_type_name": "User"},
      {"object_id": "` + fakegraph.GroupEngineeringID + `", "object_type_name": "Group"}
    ]
  }],
  "triggers": {"wave": "2026-03"},
  "timeouts": {"create": "10m", "delete": null, "read": null}
}`

func moveState(t *testing.T, server tfprotov6.ProviderServer, provider, typeName, state string) *tfprotov6.MoveResourceStateResponse {
	t.Helper()
	resp, err := server.MoveResourceState(context.Background(), &tfprotov6.MoveResourceStateRequest{
		SourceProviderAddress: provider,
		SourceTypeName:        typeName,
		SourceSchemaVersion:   0,
		SourceState:           &tfprotov6.RawState{JSON: []byte(state)},
		TargetTypeName:        "entrasync_provision_on_demand",
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestMoveStateFromAzureAD(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp := moveState(t, server, "registry.terraform.io/hashicorp/azuread", azureadProvisionOnDemandType, azureadPriorState)
	requireNoErrors(t, "MoveResourceState", resp.Diagnostics)

	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	stateType := schemas.ResourceSchemas["entrasync_provision_on_demand"].ValueType()
	moved, err := resp.TargetState.Unmarshal(stateType)
	if err != nil {
		t.Fatal(err)
	}
	subject := func(i int, name string) []tftypes.AttributePathStep {
		return []tftypes.AttributePathStep{tftypes.AttributeName("parameters"), tftypes.ElementKeyInt(0),
			tftypes.AttributeName("subjects"), tftypes.ElementKeyInt(int64(i)), tftypes.AttributeName(name)}
	}
	for _, c := range []struct {
		steps []tftypes.AttributePathStep
		want  string
	}{
		{[]tftypes.AttributePathStep{tftypes.AttributeName("id")}, "5f1c2a7e-0b3d-4e9f-8a6c-1d2e3f4a5b6c"},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("service_principal_id")}, "/servicePrincipals/" + fakegraph.SCIMServicePrincipalID},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("synchronization_job_id")},
			"/servicePrincipals/" + fakegraph.SCIMServicePrincipalID + "/synchronization/jobs/" + fakegraph.SCIMJobID},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("parameters"), tftypes.ElementKeyInt(0), tftypes.AttributeName("rule_id")}, fakegraph.SCIMUserRuleID},
		{subject(0, "object_id"), fakegraph.UserAdaID},
		{subject(1, "object_id"), fakegraph.GroupEngineeringID},
		{subject(1, "object_type_name"), "Group"},
		{subject(1, "links"), "<null>"},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("triggers"), tftypes.ElementKeyString("wave")}, "2026-03"},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("timeouts")}, "<null>"},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("status")}, "<null>"},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("results")}, "<null>"},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("result_value")}, "<null>"},
		{[]tftypes.AttributePathStep{tftypes.AttributeName("provisioned_at")}, "<null>"},
	} {
		if got := attrAt(t, moved, c.steps...); got != c.want {
			t.Errorf("%v: got %q, want %q", c.steps, got, c.want)
		}
	}
	var failOnSkip bool
	if v, _, _ := tftypes.WalkAttributePath(moved, tftypes.NewAttributePath().WithAttributeName("fail_on_skip")); v.(tftypes.Value).As(&failOnSkip) != nil || failOnSkip {
		t.Error("fail_on_skip: want false")
	}

	// The configuration the user writes for the moved resource (same ids, no timeouts) plans no change.
	config, err := tftypes.Transform(moved, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if len(p.Steps()) == 1 {
			switch p.Steps()[0] {
			case tftypes.AttributeName("id"), tftypes.AttributeName("status"), tftypes.AttributeName("results"),
				tftypes.AttributeName("result_key"), tftypes.AttributeName("result_value"), tftypes.AttributeName("request_id"),
				tftypes.AttributeName("provisioned_at"), tftypes.AttributeName("fail_on_skip"):
				return tftypes.NewValue(v.Type(), nil), nil
			}
		}
		return v, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dv := func(v tftypes.Value) *tfprotov6.DynamicValue {
		d, err := tfprotov6.NewDynamicValue(stateType, v)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	plan, err := server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "entrasync_provision_on_demand", PriorState: resp.TargetState, ProposedNewState: dv(moved), Config: dv(config),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "PlanResourceChange", plan.Diagnostics)
	planned, err := plan.PlannedState.Unmarshal(stateType)
	if err != nil {
		t.Fatal(err)
	}
	if !planned.Equal(moved) || len(plan.RequiresReplace) != 0 {
		t.Fatalf("the moved resource plans a change (replace %v):\nplanned %s\nmoved   %s", plan.RequiresReplace, planned, moved)
	}
}

func TestMoveStateRejectsOtherSources(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, provider, typeName, state string }{
		{"other type", "registry.terraform.io/hashicorp/azuread", "azuread_synchronization_job", azureadPriorState},
		{"other provider", "registry.terraform.io/example/azuread2", azureadProvisionOnDemandType, azureadPriorState},
		{"no parameter", "registry.terraform.io/hashicorp/azuread", azureadProvisionOnDemandType, `{"id": "x", "service_principal_id": "y"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := moveState(t, server, c.provider, c.typeName, c.state)
			onlyDiagnostic(t, resp.Diagnostics, tfprotov6.DiagnosticSeverityError)
			if resp.TargetState != nil {
				t.Fatal("want no target state")
			}
		})
	}
}
