// Command schemajson adds the provider's action schemas to `terraform providers schema -json`
// output, for tfplugindocs: CLIs older than Terraform 1.14 (1.11 here, OpenTofu 1.12) print no
// action_schemas, so they are taken from the provider itself, over the plugin protocol.
//
//	schemajson -address registry.terraform.io/hashicorp/entrasync < cli-schema.json > schema.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/entrasync/terraform-provider-entrasync/internal/provider"
)

func main() {
	address := flag.String("address", "registry.terraform.io/hashicorp/entrasync", "provider address the CLI printed the schema under")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *address); err != nil {
		fmt.Fprintln(os.Stderr, "schemajson:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, address string) error {
	var doc map[string]any
	if err := json.NewDecoder(in).Decode(&doc); err != nil {
		return fmt.Errorf("reading the CLI's schema JSON: %w", err)
	}
	schemas, _ := doc["provider_schemas"].(map[string]any)
	target, ok := schemas[address].(map[string]any)
	if !ok {
		return fmt.Errorf("the CLI's schema JSON has no provider %q", address)
	}
	server, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return err
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return fmt.Errorf("provider schema: %s: %s", d.Summary, d.Detail)
		}
	}
	if len(resp.ActionSchemas) > 0 {
		actions := map[string]any{}
		for name, a := range resp.ActionSchemas {
			actions[name] = map[string]any{"block": block(a.Schema.Block)}
		}
		target["action_schemas"] = actions
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// block converts a protocol schema block to the JSON form `terraform providers schema -json` prints.
func block(b *tfprotov6.SchemaBlock) map[string]any {
	out := map[string]any{"description_kind": descriptionKind(b.DescriptionKind)}
	if b.Description != "" {
		out["description"] = b.Description
	}
	if len(b.Attributes) > 0 {
		out["attributes"] = attributes(b.Attributes)
	}
	if len(b.BlockTypes) > 0 {
		types := map[string]any{}
		for _, nb := range b.BlockTypes {
			t := map[string]any{"nesting_mode": nestingMode(nb.Nesting.String()), "block": block(nb.Block)}
			if nb.MinItems > 0 {
				t["min_items"] = nb.MinItems
			}
			if nb.MaxItems > 0 {
				t["max_items"] = nb.MaxItems
			}
			types[nb.TypeName] = t
		}
		out["block_types"] = types
	}
	return out
}

func attributes(attrs []*tfprotov6.SchemaAttribute) map[string]any {
	out := map[string]any{}
	for _, a := range attrs {
		m := map[string]any{"description_kind": descriptionKind(a.DescriptionKind)}
		if a.Description != "" {
			m["description"] = a.Description
		}
		if a.NestedType != nil {
			m["nested_type"] = map[string]any{
				"attributes":   attributes(a.NestedType.Attributes),
				"nesting_mode": nestingMode(a.NestedType.Nesting.String()),
			}
		} else {
			m["type"] = a.Type // tftypes marshal to the cty type JSON the CLI prints
		}
		for key, set := range map[string]bool{
			"required": a.Required, "optional": a.Optional, "computed": a.Computed,
			"sensitive": a.Sensitive, "deprecated": a.Deprecated, "write_only": a.WriteOnly,
		} {
			if set {
				m[key] = true
			}
		}
		out[a.Name] = m
	}
	return out
}

func descriptionKind(k tfprotov6.StringKind) string {
	if k == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}

// nestingMode maps the protocol's NESTING_MODE names to the CLI's lower-case ones.
func nestingMode(protocol string) string {
	switch protocol {
	case "SINGLE":
		return "single"
	case "LIST":
		return "list"
	case "SET":
		return "set"
	case "MAP":
		return "map"
	case "GROUP":
		return "group"
	}
	return protocol
}
