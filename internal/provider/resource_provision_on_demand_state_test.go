package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// stateServer is the provider's protocol 6 server in the test process and the resource's type.
func stateServer(t *testing.T) (tfprotov6.ProviderServer, tftypes.Type) {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("schema: %v %v", err, schemas.Diagnostics)
	}
	return server, schemas.ResourceSchemas["entrasync_provision_on_demand"].ValueType()
}

func unmarshalState(t *testing.T, typ tftypes.Type, dv *tfprotov6.DynamicValue) tftypes.Value {
	t.Helper()
	if dv == nil {
		t.Fatal("no state returned")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func stringAt(t *testing.T, v tftypes.Value, p *tftypes.AttributePath) string {
	t.Helper()
	got, _, err := tftypes.WalkAttributePath(v, p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	var s string
	if err := got.(tftypes.Value).As(&s); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return s
}

// TestProvisionOnDemandStateFrom010 reads the state of a user provisioned by 0.1.0 (results as
// nested attributes) as Terraform does on a plan: it upgrades, refreshes and plans no change,
// and results[0].steps[3] still reads the same.
func TestProvisionOnDemandStateFrom010(t *testing.T) {
	ctx := context.Background()
	server, typ := stateServer(t)
	raw, err := os.ReadFile(filepath.Join("testdata", t.Name(), "user.json"))
	if err != nil {
		t.Fatal(err)
	}
	upgraded, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "entrasync_provision_on_demand", Version: 0, RawState: &tfprotov6.RawState{JSON: raw},
	})
	if err != nil || len(upgraded.Diagnostics) > 0 {
		t.Fatalf("upgrade: %v %v", err, upgraded.Diagnostics)
	}
	want, err := (&tfprotov6.RawState{JSON: raw}).Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if got := unmarshalState(t, typ, upgraded.UpgradedState); !got.Equal(want) {
		t.Fatalf("upgraded state differs from the 0.1.0 state:\n%s\nwant\n%s", got, want)
	}

	read, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "entrasync_provision_on_demand", CurrentState: upgraded.UpgradedState})
	if err != nil || len(read.Diagnostics) > 0 {
		t.Fatalf("read: %v %v", err, read.Diagnostics)
	}
	state := unmarshalState(t, typ, read.NewState)
	if !state.Equal(want) {
		t.Fatalf("read changed the state:\n%s", state)
	}
	step := tftypes.NewAttributePath().WithAttributeName("results").WithElementKeyInt(0).WithAttributeName("steps").WithElementKeyInt(3)
	if got := stringAt(t, state, step.WithAttributeName("name")); got != "EntryExportAdd" {
		t.Errorf("results[0].steps[3].name = %q, want EntryExportAdd", got)
	}
	if got := stringAt(t, state, step.WithAttributeName("details").WithElementKeyString("ReportableIdentifier")); got != "bench.user1@example.com" {
		t.Errorf("results[0].steps[3].details[\"ReportableIdentifier\"] = %q", got)
	}

	plan, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "entrasync_provision_on_demand", PriorState: read.NewState, ProposedNewState: read.NewState,
		Config: configOf(t, typ, raw),
	})
	if err != nil || len(plan.Diagnostics) > 0 {
		t.Fatalf("plan: %v %v", err, plan.Diagnostics)
	}
	if planned := unmarshalState(t, typ, plan.PlannedState); !planned.Equal(want) || len(plan.RequiresReplace) > 0 {
		t.Errorf("plan of the unchanged configuration is not empty (replace %v):\n%s", plan.RequiresReplace, planned)
	}
}

// configOf is the configuration that produced a state: its inputs, with the computed attributes null.
func configOf(t *testing.T, typ tftypes.Type, state []byte) *tfprotov6.DynamicValue {
	t.Helper()
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(state, &attrs); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]json.RawMessage{}
	for _, name := range []string{"service_principal_id", "synchronization_job_id", "parameters", "triggers"} {
		inputs[name] = attrs[name]
	}
	config, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	v, err := (&tfprotov6.RawState{JSON: config}).Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// results is a list of objects, whose fields carry no descriptions of their own: its description
// lists every field, nested ones included, with the text the docs had for them.
func TestResultsDescriptionListsEveryField(t *testing.T) {
	var resp resource.SchemaResponse
	(&provisionOnDemandResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	description := resp.Schema.Attributes["results"].GetMarkdownDescription()
	var check func(attrs map[string]schema.Attribute, indent string)
	check = func(attrs map[string]schema.Attribute, indent string) {
		for name, a := range attrs {
			if line := indent + "- `" + name + "` ("; !strings.Contains(description, line) ||
				!strings.Contains(description, ") "+a.GetMarkdownDescription()) {
				t.Errorf("results' description lacks %q with %q", line, a.GetMarkdownDescription())
			}
			if nested, ok := a.(schema.ListNestedAttribute); ok {
				check(nested.NestedObject.Attributes, indent+"  ")
			}
		}
	}
	check(resultAttributes(), "\n  ")
	if !strings.Contains(description, "\n    - `details` (Map of String) Step details.") {
		t.Errorf("results' description lacks the steps' details:\n%s", description)
	}
}
