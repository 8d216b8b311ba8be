package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

const azureadProvider = "registry.terraform.io/hashicorp/azuread"

// moveInto moves a prior azuread state into target and returns the moved state, failing on errors.
func moveInto(t *testing.T, typeName, target, state string) (tfprotov6.ProviderServer, tftypes.Value, *tfprotov6.MoveResourceStateResponse) {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.MoveResourceState(context.Background(), &tfprotov6.MoveResourceStateRequest{
		SourceProviderAddress: azureadProvider, SourceTypeName: typeName, SourceSchemaVersion: 1,
		SourceState: &tfprotov6.RawState{JSON: []byte(state)}, TargetTypeName: target,
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.TargetState == nil {
		return server, tftypes.Value{}, resp
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := resp.TargetState.Unmarshal(schemas.ResourceSchemas[target].ValueType())
	if err != nil {
		t.Fatal(err)
	}
	return server, moved, resp
}

func expectAttributes(t *testing.T, v tftypes.Value, want map[string]string) {
	t.Helper()
	for name, w := range want {
		var steps []tftypes.AttributePathStep
		for _, part := range strings.Split(name, ".") {
			steps = append(steps, tftypes.AttributeName(part))
		}
		if got := attrAt(t, v, steps...); got != w {
			t.Errorf("%s: got %q, want %q", name, got, w)
		}
	}
}

func TestMoveStateFromAzureADJob(t *testing.T) {
	sp := fg.UnconfiguredSCIMServicePrincipalID
	for name, c := range map[string]struct{ id, sp string }{
		"azuread 3.x": {"/servicePrincipals/" + sp + "/synchronization/jobs/scim.0123456789abcdef", "/servicePrincipals/" + sp},
		"azuread 2.x": {sp + "/job/scim.0123456789abcdef", sp},
	} {
		t.Run(name, func(t *testing.T) {
			_, moved, resp := moveInto(t, azureadJobType, "entrasync_synchronization_job", `{
  "id": "`+c.id+`", "service_principal_id": "`+c.sp+`", "template_id": "scim", "enabled": false,
  "schedule": [{"expiration": "", "interval": "PT40M", "state": "Paused"}], "timeouts": null}`)
			requireNoErrors(t, "MoveResourceState", resp.Diagnostics)
			expectAttributes(t, moved, map[string]string{
				"id": "scim.0123456789abcdef", "service_principal_id": c.sp, "template_id": "scim",
				"schedule.interval": "PT40M", "schedule.state": "Paused", "schedule.expiration": "<null>",
				"status": "<null>", "restart": "<null>", "wait_for_steady_state": "<null>",
			})
			var enabled bool
			if v, _, _ := tftypes.WalkAttributePath(moved, tftypes.NewAttributePath().WithAttributeName("enabled")); v.(tftypes.Value).As(&enabled) != nil || enabled {
				t.Error("enabled: want false, as azuread had it")
			}
		})
	}
}

func TestMoveStateFromAzureADSecretKeepsNoValue(t *testing.T) {
	const secret = "azuread-kept-this-in-clear"
	_, moved, resp := moveInto(t, azureadSecretType, "entrasync_synchronization_credentials", `{
  "id": "/servicePrincipals/`+fg.UnconfiguredSCIMServicePrincipalID+`",
  "service_principal_id": "/servicePrincipals/`+fg.UnconfiguredSCIMServicePrincipalID+`",
  "credential": [{"key": "BaseAddress", "value": "https://scim.example.test/scim"}, {"key": "SecretToken", "value": "`+secret+`"}],
  "timeouts": null}`)
	requireNoErrors(t, "MoveResourceState", resp.Diagnostics)
	expectAttributes(t, moved, map[string]string{
		"id": fg.UnconfiguredSCIMServicePrincipalID, "service_principal_id": "/servicePrincipals/" + fg.UnconfiguredSCIMServicePrincipalID,
		"credentials_wo": "<null>", "settings": "<null>", "synchronization_job_id": "<null>",
	})
	if strings.Contains(string(resp.TargetState.MsgPack)+string(resp.TargetState.JSON), secret) || strings.Contains(moved.String(), secret) {
		t.Error("the moved state holds the secret value")
	}
	var keys []tftypes.Value
	v, _, _ := tftypes.WalkAttributePath(moved, tftypes.NewAttributePath().WithAttributeName("secret_keys"))
	if err := v.(tftypes.Value).As(&keys); err != nil || len(keys) != 2 {
		t.Errorf("secret_keys %v, want the two keys azuread saved (so destroy blanks them)", keys)
	}
}

func TestMoveStateFromAzureADRejectsOthers(t *testing.T) {
	for _, c := range []struct{ name, typeName, target, state string }{
		{"job without template", azureadJobType, "entrasync_synchronization_job", `{"id": "/servicePrincipals/x/synchronization/jobs/y"}`},
		{"secret without service principal", azureadSecretType, "entrasync_synchronization_credentials", `{"credential": []}`},
		{"secret into the job", azureadSecretType, "entrasync_synchronization_job", `{"service_principal_id": "` + fg.SCIMServicePrincipalID + `"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, resp := moveInto(t, c.typeName, c.target, c.state)
			onlyDiagnostic(t, resp.Diagnostics, tfprotov6.DiagnosticSeverityError)
			if resp.TargetState != nil {
				t.Fatal("want no target state")
			}
		})
	}
}
