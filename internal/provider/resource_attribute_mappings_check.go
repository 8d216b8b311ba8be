package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// validateMappingsConfig checks what needs no Graph: each source names what its type needs,
// each scope clause has values exactly when its operator takes them.
func validateMappingsConfig(ctx context.Context, m attributeMappingsModel) diag.Diagnostics {
	var diags diag.Diagnostics
	mappings, _ := m.mappings(ctx)
	for _, key := range sortedMapKeys(mappings) {
		src := mappings[key].Source
		at := path.Root("mappings").AtMapKey(key).AtName("source")
		if src.Type.IsUnknown() || src.Name.IsUnknown() || src.Expression.IsUnknown() {
			continue
		}
		switch t := src.Type.ValueString(); {
		case t == "Function" && (src.Expression.IsNull() || !src.Name.IsNull()):
			addAttributeError(&diags, at, "Invalid source", "a Function source takes expression (such as "+
				"\"ToLower([mail])\") and no name: the function's name is part of the expression.")
		case (t == "Attribute" || t == "Constant") && (src.Name.IsNull() || !src.Expression.IsNull()):
			addAttributeError(&diags, at, "Invalid source", fmt.Sprintf("an %s source takes name (the source attribute, or the "+
				"constant's value) and no expression; use type = \"Function\" for an expression.", t))
		}
	}
	groups, _ := m.scope(ctx)
	for i, g := range groups {
		for k, c := range g.Clauses {
			at := path.Root("scope").AtListIndex(i).AtName("clauses").AtListIndex(k).AtName("values")
			if c.Operator.IsUnknown() || c.Values.IsUnknown() {
				continue
			}
			unary := slices.Contains(unaryScopeOperators, c.Operator.ValueString())
			switch {
			case unary && !c.Values.IsNull():
				addAttributeError(&diags, at, "Invalid values", fmt.Sprintf("operator %s tests the attribute alone: leave values out.", c.Operator.ValueString()))
			case !unary && c.Values.IsNull():
				addAttributeError(&diags, at, "Missing values", fmt.Sprintf("operator %s compares the attribute with values: give at least one.", c.Operator.ValueString()))
			}
		}
	}
	return diags
}

// mappingCheck checks planned mappings against one job's schema.
type mappingCheck struct {
	ctx            context.Context
	data           *providerData
	sp, job        string
	source, target *graph.ObjectDefinition // nil when the schema does not define them
	diags          diag.Diagnostics
}

// checkPlannedMappings checks the plan against the job's schema: names, matching priorities,
// expressions (parsed by Graph) and expression tests. Unknown values are checked at apply.
func checkPlannedMappings(ctx context.Context, data *providerData, plan, state attributeMappingsModel) diag.Diagnostics {
	for _, v := range []interface{ IsUnknown() bool }{plan.ServicePrincipalID, plan.SynchronizationJobID, plan.RuleID, plan.SourceObjectName, plan.TargetObjectName} {
		if v.IsUnknown() {
			return nil
		}
	}
	sp, job, diags := jobIDs(plan.ServicePrincipalID, plan.SynchronizationJobID)
	planned, ok := plan.mappings(ctx)
	if diags.HasError() || !ok {
		return nil
	}
	s, err := data.synchronizationSchema(ctx, sp, job)
	if err != nil {
		diags.Append(readErrorDiagnostic(err, fmt.Sprintf("the schema of synchronization job %q of service principal %s", job, sp), path.Root("synchronization_job_id")))
		return diags
	}
	rule, om := s.ObjectMappingByNames(plan.RuleID.ValueString(), plan.SourceObjectName.ValueString(), plan.TargetObjectName.ValueString())
	if d := objectMappingDiagnostics(s, rule, om, plan); d.HasError() {
		return d
	}
	c := &mappingCheck{ctx: ctx, data: data, sp: sp, job: job,
		source: s.Object(rule.SourceDirectoryName, om.SourceObjectName), target: s.Object(rule.TargetDirectoryName, om.TargetObjectName)}
	for _, key := range sortedMapKeys(planned) {
		c.checkMapping(key, planned[key])
	}
	groups, _ := plan.scope(ctx)
	for i, g := range groups {
		for k, clause := range g.Clauses {
			at := path.Root("scope").AtListIndex(i).AtName("clauses").AtListIndex(k).AtName("source_attribute")
			c.checkAttribute(at, c.source, "source", clause.SourceAttribute.ValueString())
		}
	}
	c.checkPriorities(plan, planned, mergedPriorities(ctx, plan, state, planned, om))
	if tests, _ := plan.tests(ctx); len(tests) > 0 && !c.diags.HasError() {
		c.runTests(tests, planned)
	}
	return c.diags
}

func (c *mappingCheck) checkMapping(key string, m attributeMappingModel) {
	at := path.Root("mappings").AtMapKey(key)
	c.checkAttribute(at, c.target, "target", key)
	switch m.Source.Type.ValueString() {
	case "Attribute":
		if !m.Source.Name.IsUnknown() {
			c.checkAttribute(at.AtName("source").AtName("name"), c.source, "source", m.Source.Name.ValueString())
		}
	case "Function":
		if !m.Source.Expression.IsUnknown() {
			c.checkExpression(at.AtName("source").AtName("expression"), m.Source.Expression.ValueString())
		}
	}
}

// checkExpression has Graph parse a function expression and checks the attributes it reads.
func (c *mappingCheck) checkExpression(at path.Path, expression string) {
	parsed, err := c.data.client.ParseExpression(c.ctx, c.sp, c.job, expression, nil, nil)
	switch {
	case !parsedOK(&c.diags, at, parsed, err):
		return
	case parsed.Source.Type != "Function":
		addAttributeError(&c.diags, at, "Not a function", fmt.Sprintf("%s is a single %s, not a function: write it as type = %q, name = %q.",
			expression, strings.ToLower(parsed.Source.Type), parsed.Source.Type, parsed.Source.Name))
		return
	}
	for _, name := range attributeReferences(expression) {
		c.checkAttribute(at, c.source, "source", name)
	}
}

// checkAttribute refuses a name the object does not define, suggesting the closest one.
func (c *mappingCheck) checkAttribute(at path.Path, object *graph.ObjectDefinition, role, name string) {
	if object == nil || slices.ContainsFunc(object.Attributes, func(a graph.AttributeDefinition) bool { return a.Name == name }) {
		return
	}
	msg := fmt.Sprintf("%q is not an attribute of the %s object %q.", name, role, object.Name)
	if guess := closestAttribute(name, object.Attributes); guess != "" {
		msg += fmt.Sprintf(" Did you mean %q?", guess)
	}
	msg += " Data source entrasync_synchronization_schema lists the object's attributes."
	addAttributeError(&c.diags, at, "Unknown "+role+" attribute", msg)
}

// attributeReferences lists the [attribute] references of an expression, outside string constants.
func attributeReferences(expression string) []string {
	var names []string
	inString := false
	for i := 0; i < len(expression); i++ {
		switch ch := expression[i]; {
		case inString && ch == '\\':
			i++
		case ch == '"':
			inString = !inString
		case !inString && ch == '[':
			end := strings.IndexByte(expression[i:], ']')
			if end < 0 {
				return names
			}
			names = append(names, expression[i+1:i+end])
			i += end
		}
	}
	return names
}

// closestAttribute is the attribute whose name differs from name by case only or, failing
// that, by the fewest edits (at most two, or a third of a long name); "" when none is close.
func closestAttribute(name string, attributes []graph.AttributeDefinition) string {
	best, bestDistance := "", max(2, len(name)/3)+1
	for _, a := range attributes {
		if strings.EqualFold(a.Name, name) {
			return a.Name
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(a.Name)); d < bestDistance {
			best, bestDistance = a.Name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
