package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// A shape-A answer for a user already in sync, as Graph sends it.
const (
	redundantExportKey   = `{"result":"Skipped","details":{"errorCode":"RedundantExport"}}`
	redundantExportValue = `{"action":"Create","reportableIdentifier":"ada.park@example.com",` +
		`"statusInfo":{"status":"Skipped","reason":"RedundantExport","additionalDetails":"The user is already in the desired state."},` +
		`"sourceIdentity":{"id":"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b","type":"User"},"sourceSystem":{"name":"Azure Active Directory"},` +
		`"modifiedProperties":[{"displayName":"userName","oldValue":null,"newValue":"ada.park@example.com"}],` +
		`"provisioningSteps":[{"name":"EntryImport","type":"Import","status":"Success","description":"Retrieved User","details":{"objectId":"1f2e3d4c"}}]}`
)

func callDecode(t *testing.T, key, value string) (tftypes.Value, *tfprotov6.FunctionError) {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	arg := func(s string) *tfprotov6.DynamicValue {
		v, err := tfprotov6.NewDynamicValue(tftypes.String, tftypes.NewValue(tftypes.String, s))
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	resp, err := server.CallFunction(context.Background(), &tfprotov6.CallFunctionRequest{
		Name: "decode_provisioning_result", Arguments: []*tfprotov6.DynamicValue{arg(key), arg(value)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Error != nil {
		return tftypes.Value{}, resp.Error
	}
	schema, err := server.GetFunctions(context.Background(), &tfprotov6.GetFunctionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	result, err := resp.Result.Unmarshal(schema.Functions["decode_provisioning_result"].Return.Type)
	if err != nil {
		t.Fatal(err)
	}
	return result, nil
}

// attrAt reads the primitive at steps of v as a string, "<null>" when null.
func attrAt(t *testing.T, v tftypes.Value, steps ...tftypes.AttributePathStep) string {
	t.Helper()
	got, _, err := tftypes.WalkAttributePath(v, tftypes.NewAttributePathWithSteps(steps))
	if err != nil {
		t.Fatalf("%v: %s", steps, err)
	}
	value := got.(tftypes.Value)
	if value.IsNull() {
		return "<null>"
	}
	var s string
	if err := value.As(&s); err != nil {
		t.Fatalf("%v: %s", steps, err)
	}
	return s
}

func TestDecodeProvisioningResultFunction(t *testing.T) {
	result, ferr := callDecode(t, redundantExportKey, redundantExportValue)
	if ferr != nil {
		t.Fatalf("unexpected error: %s", ferr.Text)
	}
	first := []tftypes.AttributePathStep{tftypes.AttributeName("results"), tftypes.ElementKeyInt(0)}
	for _, c := range []struct {
		steps []tftypes.AttributePathStep
		want  string
	}{
		{[]tftypes.AttributePathStep{tftypes.AttributeName("status")}, "Skipped"},
		{append(first, tftypes.AttributeName("reportable_identifier")), "ada.park@example.com"},
		{append(first, tftypes.AttributeName("error_code")), "RedundantExport"},
		{append(first, tftypes.AttributeName("target_identity_id")), "<null>"},
		{append(first, tftypes.AttributeName("steps"), tftypes.ElementKeyInt(0), tftypes.AttributeName("details"), tftypes.ElementKeyString("objectId")), "1f2e3d4c"},
		{append(first, tftypes.AttributeName("modified_properties"), tftypes.ElementKeyInt(0), tftypes.AttributeName("new_value")), "ada.park@example.com"},
	} {
		if got := attrAt(t, result, c.steps...); got != c.want {
			t.Errorf("%v: got %q, want %q", c.steps, got, c.want)
		}
	}

	// What cannot be read is null, never an error: a key that is a type name and no value.
	result, ferr = callDecode(t, "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo", "")
	if ferr != nil {
		t.Fatalf("unexpected error: %s", ferr.Text)
	}
	if got := attrAt(t, result, tftypes.AttributeName("status")); got != "<null>" {
		t.Fatalf("status of an unreadable answer: got %q, want null", got)
	}
}

func TestAccDecodeProvisioningResultFunction(t *testing.T) {
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
terraform {
  required_providers {
    entrasync = { source = "hashicorp/entrasync" }
  }
}

output "decoded" {
  value = provider::entrasync::decode_provisioning_result(%q, %q)
}
`, redundantExportKey, redundantExportValue),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValueAtPath("decoded", tfjsonpath.New("status"), knownvalue.StringExact("Skipped")),
				statecheck.ExpectKnownOutputValueAtPath("decoded",
					tfjsonpath.New("results").AtSliceIndex(0).AtMapKey("error_code"), knownvalue.StringExact("RedundantExport")),
				statecheck.ExpectKnownOutputValueAtPath("decoded",
					tfjsonpath.New("results").AtSliceIndex(0).AtMapKey("steps").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("EntryImport")),
			},
		}},
	})
}

// Microsoft's Example 1: RedundantExport only in the key and the skip step. The function reads
// it as the resource does: error_code RedundantExport.
func TestDecodeProvisioningResultFunctionDocumentedInSync(t *testing.T) {
	key := `{"result":"Skipped","details":{"errorCode":"RedundantExport","errorMessage":"The state of the user in both the source and target systems already match."}}`
	value := `{"action":"Other","reportableIdentifier":"bill.bob@example.com",
	 "statusInfo":{"status":"Skipped","errorCode":null,"reason":null,"additionalDetails":null},
	 "provisioningSteps":[{"name":"EntrySynchronizationSkip","type":"Export","status":"Skipped","details":{"SkipReason":"RedundantExport"}}]}`
	result, ferr := callDecode(t, key, value)
	if ferr != nil {
		t.Fatalf("unexpected error: %s", ferr.Text)
	}
	first := []tftypes.AttributePathStep{tftypes.AttributeName("results"), tftypes.ElementKeyInt(0)}
	if got := attrAt(t, result, tftypes.AttributeName("status")); got != "Skipped" {
		t.Errorf("status %q, want Skipped", got)
	}
	if got := attrAt(t, result, append(first, tftypes.AttributeName("error_code"))...); got != "RedundantExport" {
		t.Errorf("error_code %q, want RedundantExport", got)
	}
}
