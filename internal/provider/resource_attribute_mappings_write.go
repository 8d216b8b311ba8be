package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// desiredObjectMapping is Graph's object mapping with the plan applied. Mappings keep Graph's
// order; new target attributes follow in name order. With exclusive, mappings not planned are
// dropped; without, only those the prior state managed and the plan no longer has.
func (r *attributeMappingsResource) desiredObjectMapping(ctx context.Context, sp, job string, om graph.ObjectMapping,
	plan, prior *attributeMappingsModel) (graph.ObjectMapping, diag.Diagnostics) {
	var diags diag.Diagnostics
	planned, ok := plan.mappings(ctx)
	if !ok {
		diags.AddAttributeError(path.Root("mappings"), "Mappings not known", "mappings must be known when the resource is applied.")
		return om, diags
	}
	removed := map[string]bool{}
	if prior != nil {
		before, _ := prior.mappings(ctx)
		for k := range before {
			if _, still := planned[k]; !still {
				removed[k] = true
			}
		}
	}
	var out []graph.AttributeMapping
	done := map[string]bool{}
	for _, a := range om.AttributeMappings {
		want, ok := planned[a.TargetAttributeName]
		switch {
		case ok:
			src, d := r.source(ctx, sp, job, a.TargetAttributeName, want.Source, a.Source)
			diags.Append(d...)
			out = append(out, want.applyTo(a, a.TargetAttributeName, src))
			done[a.TargetAttributeName] = true
		case plan.Exclusive.ValueBool() || removed[a.TargetAttributeName]:
		default:
			out = append(out, a)
		}
	}
	for _, k := range sortedMapKeys(planned) {
		if !done[k] {
			src, d := r.source(ctx, sp, job, k, planned[k].Source, graph.AttributeMappingSource{})
			diags.Append(d...)
			out = append(out, planned[k].applyTo(graph.AttributeMapping{}, k, src))
		}
	}
	om.AttributeMappings = out
	om.Enabled = plan.Enabled.ValueBool()
	om.FlowTypes = plan.flowTypes(ctx)
	if groups, _ := plan.scope(ctx); om.Scope != nil || len(groups) > 0 {
		var scope graph.Filter
		if om.Scope != nil {
			scope = *om.Scope // keeps the experimental filter groups Graph sent
		}
		scope.Groups = filterGroups(ctx, groups)
		om.Scope = &scope
	}
	return om, diags
}

// source is the source to write for a mapping, nil to keep Graph's. A function is sent as Graph
// parses it, with its parameters, as the portal does.
func (r *attributeMappingsResource) source(ctx context.Context, sp, job, target string, want mappingSourceModel, have graph.AttributeMappingSource) (*graph.AttributeMappingSource, diag.Diagnostics) {
	var diags diag.Diagnostics
	if want.sameAs(have) {
		return nil, nil
	}
	if want.Type.ValueString() != "Function" {
		return &graph.AttributeMappingSource{Type: want.Type.ValueString(), Name: want.Name.ValueString()}, nil
	}
	at := path.Root("mappings").AtMapKey(target).AtName("source").AtName("expression")
	parsed, err := r.data.client.ParseExpression(ctx, sp, job, want.Expression.ValueString(), nil, nil)
	if !parsedOK(&diags, at, parsed, err) {
		return nil, diags
	}
	return &parsed.Source, nil
}

// parsedOK reports whether parseExpression answered and parsed; if not, an error on at says why.
func parsedOK(diags *diag.Diagnostics, at path.Path, parsed *graph.ParsedExpression, err error) bool {
	switch {
	case err != nil:
		addAttributeError(diags, at, "Cannot parse the expression", "Graph's parseExpression failed: "+err.Error())
	case !parsed.ParsingSucceeded:
		addAttributeError(diags, at, "Invalid expression", parseFailure(parsed))
	default:
		return true
	}
	return false
}

func parseFailure(p *graph.ParsedExpression) string {
	msg := p.ErrorMessage
	if msg == "" {
		msg = "Graph could not parse it and gave no reason."
	}
	if p.ErrorCode != "" {
		msg += fmt.Sprintf(" (Graph error code %s)", p.ErrorCode)
	}
	return msg
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
