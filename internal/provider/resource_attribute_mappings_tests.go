package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// mergedPriorities maps each non-zero matching priority to the target attributes that have it
// once the plan is applied: the planned mappings and, without exclusive, Graph's other ones.
func mergedPriorities(ctx context.Context, plan, state attributeMappingsModel, planned map[string]attributeMappingModel, om *graph.ObjectMapping) map[int64][]string {
	byPriority := map[int64][]string{}
	for _, k := range sortedMapKeys(planned) {
		if p := planned[k].MatchingPriority; !p.IsUnknown() && p.ValueInt64() != 0 {
			byPriority[p.ValueInt64()] = append(byPriority[p.ValueInt64()], k)
		}
	}
	if plan.Exclusive.ValueBool() {
		return byPriority
	}
	before, _ := state.mappings(ctx)
	for _, a := range om.AttributeMappings {
		_, isPlanned := planned[a.TargetAttributeName]
		_, wasManaged := before[a.TargetAttributeName]
		if !isPlanned && !wasManaged && a.MatchingPriority != 0 {
			byPriority[a.MatchingPriority] = append(byPriority[a.MatchingPriority], a.TargetAttributeName)
		}
	}
	return byPriority
}

// checkPriorities wants exactly one matching attribute with the lowest matching_priority:
// priorities other than 0 unique, and at least one while the object mapping is enabled.
func (c *mappingCheck) checkPriorities(plan attributeMappingsModel, planned map[string]attributeMappingModel, byPriority map[int64][]string) {
	for _, key := range sortedMapKeys(planned) {
		p := planned[key].MatchingPriority
		if p.IsUnknown() || p.ValueInt64() == 0 || len(byPriority[p.ValueInt64()]) < 2 {
			continue
		}
		others := slices.DeleteFunc(slices.Clone(byPriority[p.ValueInt64()]), func(k string) bool { return k == key })
		addAttributeError(&c.diags, path.Root("mappings").AtMapKey(key).AtName("matching_priority"), "Duplicate matching priority",
			fmt.Sprintf("matching_priority %d is also the priority of %s. Matching priorities other than 0 must be unique: "+
				"Entra matches objects by the lowest one first, then the next.", p.ValueInt64(), quoteAll(others)))
	}
	if len(byPriority) == 0 && !plan.Enabled.IsUnknown() && plan.Enabled.ValueBool() {
		addAttributeError(&c.diags, path.Root("mappings"), "No matching attribute",
			"no mapping has a matching_priority above 0, so Entra could not match source objects with target objects. "+
				"Give exactly one mapping (usually userName or externalId) matching_priority = 1.")
	}
}

func quoteAll(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(quoted, " and ")
}

// runTests evaluates each test's mapping against its input with Graph's parseExpression.
func (c *mappingCheck) runTests(tests []expressionTestModel, planned map[string]attributeMappingModel) {
	for i, t := range tests {
		at := path.Root("tests").AtListIndex(i)
		if t.TargetAttribute.IsUnknown() || t.Input.IsUnknown() || t.Expect.IsUnknown() {
			continue
		}
		key := t.TargetAttribute.ValueString()
		m, ok := planned[key]
		if !ok {
			addAttributeError(&c.diags, at.AtName("target_attribute"), "Unknown target_attribute",
				fmt.Sprintf("%q is not a key of mappings; the keys are %s.", key, quoteAll(sortedMapKeys(planned))))
			continue
		}
		input := map[string]string{}
		t.Input.ElementsAs(c.ctx, &input, false)
		expression := m.Source.expression()
		r, err := c.data.client.ParseExpression(c.ctx, c.sp, c.job, expression, input, c.source)
		switch {
		case err != nil:
			addAttributeError(&c.diags, at, "Cannot run the expression test", "Graph's parseExpression failed: "+err.Error())
		case !r.ParsingSucceeded:
			addAttributeError(&c.diags, at, "Expression test failed", fmt.Sprintf("the mapping of %q does not parse: %s", key, parseFailure(r)))
		case !r.EvaluationSucceeded:
			addAttributeError(&c.diags, at, "Expression test failed", fmt.Sprintf("Graph could not evaluate %s with this input. %s", expression, r.ErrorMessage))
		default:
			if got := strings.Join(r.EvaluationResult, ", "); got != t.Expect.ValueString() {
				addAttributeError(&c.diags, at.AtName("expect"), "Expression test failed",
					fmt.Sprintf("the mapping of %q, %s, evaluates to %q with input %s, not to the expected %q.",
						key, expression, got, describeInput(input), t.Expect.ValueString()))
			}
		}
	}
}

func describeInput(input map[string]string) string {
	parts := make([]string, 0, len(input))
	for _, k := range sortedMapKeys(input) {
		parts = append(parts, fmt.Sprintf("%s = %q", k, input[k]))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}
