package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

type attributeMappingsModel struct {
	ID                   types.String `tfsdk:"id"`
	ServicePrincipalID   types.String `tfsdk:"service_principal_id"`
	SynchronizationJobID types.String `tfsdk:"synchronization_job_id"`
	RuleID               types.String `tfsdk:"rule_id"`
	SourceObjectName     types.String `tfsdk:"source_object_name"`
	TargetObjectName     types.String `tfsdk:"target_object_name"`
	Enabled              types.Bool   `tfsdk:"enabled"`
	FlowTypes            types.Set    `tfsdk:"flow_types"`
	Exclusive            types.Bool   `tfsdk:"exclusive"`
	Mappings             types.Map    `tfsdk:"mappings"`
	Scope                types.List   `tfsdk:"scope"`
	Tests                types.List   `tfsdk:"tests"`
}

type attributeMappingModel struct {
	Source                  mappingSourceModel `tfsdk:"source"`
	FlowType                types.String       `tfsdk:"flow_type"`
	FlowBehavior            types.String       `tfsdk:"flow_behavior"`
	MatchingPriority        types.Int64        `tfsdk:"matching_priority"`
	DefaultValue            types.String       `tfsdk:"default_value"`
	ExportMissingReferences types.Bool         `tfsdk:"export_missing_references"`
}

type mappingSourceModel struct {
	Type       types.String `tfsdk:"type"`
	Name       types.String `tfsdk:"name"`
	Expression types.String `tfsdk:"expression"`
}

type scopeGroupModel struct {
	Name    types.String       `tfsdk:"name"`
	Clauses []scopeClauseModel `tfsdk:"clauses"`
}

type scopeClauseModel struct {
	SourceAttribute types.String `tfsdk:"source_attribute"`
	Operator        types.String `tfsdk:"operator"`
	Values          types.List   `tfsdk:"values"`
}

type expressionTestModel struct {
	TargetAttribute types.String `tfsdk:"target_attribute"`
	Input           types.Map    `tfsdk:"input"`
	Expect          types.String `tfsdk:"expect"`
}

// importIDSeparator joins the five parts of the import id. None of them holds a '/': a GUID, a
// job id (checkJobIDCharacters refuses '/'), a rule id (GUID#Vn) and object names (User,
// urn:ietf:params:scim:schemas:core:2.0:User).
const importIDSeparator = "/"

func (m *attributeMappingsModel) importID(sp, job string) string {
	return strings.Join([]string{sp, job, m.RuleID.ValueString(), m.SourceObjectName.ValueString(), m.TargetObjectName.ValueString()}, importIDSeparator)
}

// mappings returns the mappings; ok is false while the map or a value in it is unknown.
func (m *attributeMappingsModel) mappings(ctx context.Context) (map[string]attributeMappingModel, bool) {
	if m.Mappings.IsNull() || m.Mappings.IsUnknown() {
		return nil, false
	}
	var out map[string]attributeMappingModel
	if m.Mappings.ElementsAs(ctx, &out, false).HasError() {
		return nil, false
	}
	return out, true
}

func (m *attributeMappingsModel) scope(ctx context.Context) ([]scopeGroupModel, bool) {
	var out []scopeGroupModel
	if m.Scope.IsUnknown() || m.Scope.ElementsAs(ctx, &out, false).HasError() {
		return nil, false
	}
	return out, true
}

func (m *attributeMappingsModel) tests(ctx context.Context) ([]expressionTestModel, bool) {
	var out []expressionTestModel
	if m.Tests.IsUnknown() || m.Tests.ElementsAs(ctx, &out, false).HasError() {
		return nil, false
	}
	return out, true
}

// sameSchemaAs reports whether m writes what o wrote: every attribute but tests is equal.
func (m attributeMappingsModel) sameSchemaAs(o attributeMappingsModel) bool {
	return m.Enabled.Equal(o.Enabled) && m.FlowTypes.Equal(o.FlowTypes) && m.Exclusive.Equal(o.Exclusive) &&
		m.Mappings.Equal(o.Mappings) && m.Scope.Equal(o.Scope)
}

// flowTypes is Graph's comma-separated flowTypes, in the documented order.
func (m *attributeMappingsModel) flowTypes(ctx context.Context) string {
	var set []string
	m.FlowTypes.ElementsAs(ctx, &set, false)
	var out []string
	for _, t := range objectFlowTypes {
		if slices.Contains(set, t) {
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}

// expression is the source as an expression of the mapping language, for parseExpression.
func (s mappingSourceModel) expression() string {
	switch s.Type.ValueString() {
	case "Attribute":
		return "[" + s.Name.ValueString() + "]"
	case "Constant":
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s.Name.ValueString()) + `"`
	}
	return s.Expression.ValueString()
}

// sameAs reports whether Graph's source is the one configured, compared as the configuration
// states it: by name for attributes and constants, by expression for functions.
func (s mappingSourceModel) sameAs(g graph.AttributeMappingSource) bool {
	if s.Type.ValueString() != g.Type {
		return false
	}
	if g.Type == "Function" {
		return s.Expression.ValueString() == g.Expression
	}
	return s.Name.ValueString() == g.Name
}

// mappingFromGraph is the state form of a mapping: name for attributes and constants,
// expression for functions, no default value for an empty one.
func mappingFromGraph(a graph.AttributeMapping) attributeMappingModel {
	src := mappingSourceModel{Type: types.StringValue(a.Source.Type), Name: types.StringNull(), Expression: types.StringNull()}
	if a.Source.Type == "Function" {
		src.Expression = types.StringValue(a.Source.Expression)
	} else {
		src.Name = types.StringValue(a.Source.Name)
	}
	return attributeMappingModel{
		Source:                  src,
		FlowType:                types.StringValue(a.FlowType),
		FlowBehavior:            types.StringValue(a.FlowBehavior),
		MatchingPriority:        types.Int64Value(a.MatchingPriority),
		DefaultValue:            optionalString(a.DefaultValue),
		ExportMissingReferences: types.BoolValue(a.ExportMissingReferences),
	}
}

// applyTo sets the configured fields on Graph's mapping; source is the new source when the
// configured one differs from Graph's.
func (a attributeMappingModel) applyTo(g graph.AttributeMapping, target string, source *graph.AttributeMappingSource) graph.AttributeMapping {
	g.TargetAttributeName = target
	if source != nil {
		g.Source = *source
	}
	g.FlowType = a.FlowType.ValueString()
	g.FlowBehavior = a.FlowBehavior.ValueString()
	g.MatchingPriority = a.MatchingPriority.ValueInt64()
	g.DefaultValue = a.DefaultValue.ValueString()
	g.ExportMissingReferences = a.ExportMissingReferences.ValueBool()
	return g
}

// setFromGraph fills the state from Graph's object mapping. managed, when not nil, keeps only
// those target attributes (exclusive = false).
func (m *attributeMappingsModel) setFromGraph(ctx context.Context, om graph.ObjectMapping, managed map[string]bool) diag.Diagnostics {
	var diags diag.Diagnostics
	m.Enabled = types.BoolValue(om.Enabled)
	var flows []string
	for _, f := range strings.Split(om.FlowTypes, ",") {
		if f = strings.TrimSpace(f); f != "" {
			flows = append(flows, f)
		}
	}
	var d diag.Diagnostics
	m.FlowTypes, d = types.SetValueFrom(ctx, types.StringType, flows)
	diags.Append(d...)
	mappings := map[string]attributeMappingModel{}
	for _, a := range om.AttributeMappings {
		if managed == nil || managed[a.TargetAttributeName] {
			mappings[a.TargetAttributeName] = mappingFromGraph(a)
		}
	}
	m.Mappings, d = types.MapValueFrom(ctx, attributeMappingsElementType(ctx, "mappings"), mappings)
	diags.Append(d...)
	m.Scope, d = scopeFromGraph(ctx, om.Scope, attributeMappingsElementType(ctx, "scope"))
	diags.Append(d...)
	return diags
}

func scopeFromGraph(ctx context.Context, f *graph.Filter, elem attr.Type) (types.List, diag.Diagnostics) {
	if f == nil || len(f.Groups) == 0 {
		return types.ListNull(elem), nil
	}
	groups := make([]scopeGroupModel, len(f.Groups))
	for i, g := range f.Groups {
		groups[i] = scopeGroupModel{Name: optionalString(g.Name)}
		for _, c := range g.Clauses {
			values := types.ListNull(types.StringType)
			if len(c.Values) > 0 {
				values, _ = types.ListValueFrom(ctx, types.StringType, c.Values)
			}
			groups[i].Clauses = append(groups[i].Clauses, scopeClauseModel{
				SourceAttribute: types.StringValue(c.SourceOperandName), Operator: types.StringValue(c.OperatorName), Values: values,
			})
		}
	}
	return types.ListValueFrom(ctx, elem, groups)
}

// filterGroups is the configured scope in Graph's form.
func filterGroups(ctx context.Context, groups []scopeGroupModel) []graph.FilterGroup {
	out := make([]graph.FilterGroup, len(groups))
	for i, g := range groups {
		out[i].Name = g.Name.ValueString()
		for _, c := range g.Clauses {
			var values []string
			c.Values.ElementsAs(ctx, &values, false)
			out[i].Clauses = append(out[i].Clauses, graph.FilterClause{
				SourceOperandName: c.SourceAttribute.ValueString(), OperatorName: c.Operator.ValueString(), Values: values,
			})
		}
	}
	return out
}

// describeObjectMappings lists a rule's object mappings for an error about a missing one.
func describeObjectMappings(r *graph.SynchronizationRule) string {
	var b strings.Builder
	for _, m := range r.ObjectMappings {
		fmt.Fprintf(&b, "  - source_object_name = %q, target_object_name = %q (%s)\n", m.SourceObjectName, m.TargetObjectName, m.Name)
	}
	if b.Len() == 0 {
		return "  (the rule has no object mappings)\n"
	}
	return b.String()
}
