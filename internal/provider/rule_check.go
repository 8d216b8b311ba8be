package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// plannedRule is a rule_id of the plan, known at plan time.
type plannedRule struct {
	index int // in parameters
	id    string
}

// checkRuleIDs turns a rule_id that the job's schema lacks, or a job that does not exist, into a
// plan-time error instead of a failed apply. It checks only known values. When the schema cannot
// be read (no permission, Graph unreachable within the plan's budget) the plan warns that the
// check was skipped, and the apply reports Graph's own answer.
func checkRuleIDs(ctx context.Context, data *providerData, plan provisionOnDemandModel) diag.Diagnostics {
	if plan.ServicePrincipalID.IsUnknown() || plan.SynchronizationJobID.IsUnknown() {
		return nil
	}
	sp, ok := parseServicePrincipalID(plan.ServicePrincipalID.ValueString())
	job, _, err := parseSynchronizationJobID(plan.SynchronizationJobID.ValueString())
	rules := knownRuleIDs(ctx, plan.Parameters)
	if !ok || err != nil || len(rules) == 0 {
		return nil
	}
	schema, err := data.planSchema(ctx, sp, job)
	if err != nil {
		return data.schemaReadDiagnostics(ctx, sp, job, err)
	}
	if len(schema.Rules) == 0 {
		var diags diag.Diagnostics
		diags.AddAttributeWarning(path.Root("synchronization_job_id"), "rule_id not checked at plan: the job's schema lists no rules",
			fmt.Sprintf("Graph answered with a schema of synchronization job %q of service principal %s that has no synchronizationRules, "+
				"so rule_id could not be checked. The apply reports Graph's answer.", job, sp))
		return diags
	}
	return missingRuleDiagnostics(sp, job, schema, rules)
}

// knownRuleIDs returns the rule_id of every parameter whose value is known.
func knownRuleIDs(ctx context.Context, parameters types.List) []plannedRule {
	if parameters.IsUnknown() || parameters.IsNull() {
		return nil
	}
	var elems []types.Object
	if parameters.ElementsAs(ctx, &elems, false).HasError() {
		return nil
	}
	var rules []plannedRule
	for i, e := range elems {
		if e.IsUnknown() || e.IsNull() {
			continue
		}
		if id, ok := e.Attributes()["rule_id"].(types.String); ok && !id.IsUnknown() && !id.IsNull() {
			rules = append(rules, plannedRule{index: i, id: id.ValueString()})
		}
	}
	return rules
}

// missingRuleDiagnostics has one error per planned rule the schema lacks, on its rule_id, listing
// the job's rules. Graph compares rule ids exactly.
func missingRuleDiagnostics(servicePrincipalID, jobID string, schema *graph.SynchronizationSchema, planned []plannedRule) diag.Diagnostics {
	var diags diag.Diagnostics
	list := describeRules(schema.Rules)
	for _, p := range planned {
		hint := ""
		found := false
		for _, r := range schema.Rules {
			if r.ID == p.id {
				found = true
				break
			}
			if strings.EqualFold(r.ID, p.id) {
				hint = fmt.Sprintf("Rule IDs are case-sensitive: did you mean %q?\n", r.ID)
			}
		}
		if found {
			continue
		}
		addAttributeError(&diags, path.Root("parameters").AtListIndex(p.index).AtName("rule_id"), "Invalid rule_id: not in the synchronization job",
			fmt.Sprintf("Synchronization job %q of service principal %s has no rule %q. %sIts rules:\n%s"+
				"Use one of these ids, or let data source entrasync_synchronization_rules find it, for example with "+
				"source_object_name = \"Group\".", jobID, servicePrincipalID, p.id, hint, list))
	}
	return diags
}

// describeRules is one "id (name): source objects" line per rule, for diagnostics.
func describeRules(rules []graph.SynchronizationRule) string {
	if len(rules) == 0 {
		return "  (none)\n"
	}
	var b strings.Builder
	for _, r := range rules {
		var sources []string
		for _, m := range r.ObjectMappings {
			sources = append(sources, m.SourceObjectName)
		}
		fmt.Fprintf(&b, "  - %s (%s)", r.ID, r.Name)
		if len(sources) > 0 {
			fmt.Fprintf(&b, ": source objects %s", strings.Join(sources, ", "))
		}
		b.WriteString("\n")
	}
	return b.String()
}
