package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRunAddsActionSchemas(t *testing.T) {
	in := `{"format_version":"1.0","provider_schemas":{"registry.terraform.io/hashicorp/entrasync":{"resource_schemas":{"x":{}}}}}`
	var out bytes.Buffer
	if err := run(strings.NewReader(in), &out, "registry.terraform.io/hashicorp/entrasync"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		FormatVersion   string `json:"format_version"`
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]any `json:"resource_schemas"`
			ActionSchemas   map[string]struct {
				Block struct {
					Attributes map[string]struct {
						Required   bool `json:"required"`
						NestedType *struct {
							NestingMode string `json:"nesting_mode"`
						} `json:"nested_type"`
					} `json:"attributes"`
				} `json:"block"`
			} `json:"action_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.ProviderSchemas["registry.terraform.io/hashicorp/entrasync"]
	if doc.FormatVersion != "1.0" || p.ResourceSchemas["x"] == nil {
		t.Errorf("the CLI's schema must pass through unchanged: %s", out.String())
	}
	params := p.ActionSchemas["entrasync_provision_on_demand"].Block.Attributes["parameters"]
	if !params.Required || params.NestedType == nil || params.NestedType.NestingMode != "list" {
		t.Errorf("action parameters = %+v, want a required list nested attribute", params)
	}
}

func TestRunNeedsTheProviderInTheCLIOutput(t *testing.T) {
	err := run(strings.NewReader(`{"provider_schemas":{}}`), &bytes.Buffer{}, "registry.terraform.io/hashicorp/entrasync")
	if err == nil || !strings.Contains(err.Error(), "has no provider") {
		t.Errorf("got %v", err)
	}
}
