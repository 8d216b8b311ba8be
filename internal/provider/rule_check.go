package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// plannedRule is a rule_id of the plan, known at plan time, with its subjects' known types.
type plannedRule struct {
	index    int // in parameters
	id       string
	subjects []plannedSubject
}

// plannedSubject is a subject whose object_type_name is known at plan time.
type plannedSubject struct {
	index    int // in the parameter's subjects
	typeName string
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
	diags := groupsRefusedByTemplate(job, rules)
	schema, err := data.planSchema(ctx, sp, job)
	if err != nil {
		diags.Append(data.schemaReadDiagnostics(ctx, sp, job, err)...)
		return diags
	}
	if len(schema.Rules) == 0 {
		diags.AddAttributeWarning(path.Root("synchronization_job_id"), "rule_id not checked at plan: the job's schema lists no rules",
			fmt.Sprintf("Graph answered with a schema of synchronization job %q of service principal %s that has no synchronizationRules, "+
				"so rule_id could not be checked. The apply reports Graph's answer.", job, sp))
		return diags
	}
	diags.Append(missingRuleDiagnostics(sp, job, schema, rules)...)
	if !diags.HasError() {
		diags.Append(subjectTypeDiagnostics(schema, rules)...)
	}
	return diags
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
			rules = append(rules, plannedRule{index: i, id: id.ValueString(), subjects: knownSubjectTypes(ctx, e)})
		}
	}
	return rules
}

// knownSubjectTypes returns the subjects of a parameter whose object_type_name is known.
func knownSubjectTypes(ctx context.Context, parameter types.Object) []plannedSubject {
	list, ok := parameter.Attributes()["subjects"].(types.List)
	var elems []types.Object
	if !ok || list.IsUnknown() || list.IsNull() || list.ElementsAs(ctx, &elems, false).HasError() {
		return nil
	}
	var subjects []plannedSubject
	for j, e := range elems {
		if e.IsUnknown() || e.IsNull() {
			continue
		}
		if t, ok := e.Attributes()["object_type_name"].(types.String); ok && !t.IsUnknown() && !t.IsNull() {
			subjects = append(subjects, plannedSubject{index: j, typeName: t.ValueString()})
		}
	}
	return subjects
}

// subjectTypeDiagnostics has one error per subject whose type the rule does not map: Graph
// provisions a subject through the rule's objectMappings, matched on sourceObjectName exactly.
func subjectTypeDiagnostics(schema *graph.SynchronizationSchema, planned []plannedRule) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, p := range planned {
		var rule *graph.SynchronizationRule
		for i := range schema.Rules {
			if schema.Rules[i].ID == p.id {
				rule = &schema.Rules[i]
			}
		}
		if rule == nil || len(rule.ObjectMappings) == 0 {
			continue
		}
		var sources []string
		for _, m := range rule.ObjectMappings {
			sources = append(sources, fmt.Sprintf("%q", m.SourceObjectName))
		}
		for _, s := range p.subjects {
			if slices.Contains(sources, fmt.Sprintf("%q", s.typeName)) {
				continue
			}
			addAttributeError(&diags, subjectPath(p.index, s.index).AtName("object_type_name"), "Invalid object_type_name: not a source object of the rule",
				fmt.Sprintf("Rule %q (%s) provisions source objects %s (case-sensitive), not %q. Use one of these types, or a rule "+
					"of the job that maps %q.", rule.ID, rule.Name, strings.Join(sources, ", "), s.typeName, s.typeName))
		}
	}
	return diags
}

// groupsRefusedByTemplate refuses Group subjects on jobs whose template cannot provision groups on
// demand. "On-demand provisioning in Microsoft Entra ID", Known limitations: "Connectors for
// cross-tenant synchronization, Workday, and so on do not support group provisioning and as a
// result do not support on-demand provisioning of groups". A job's id starts with its template id.
func groupsRefusedByTemplate(jobID string, planned []plannedRule) diag.Diagnostics {
	template, _, _ := strings.Cut(jobID, ".")
	reason := noGroupTemplateReason(template)
	if reason == "" {
		return nil
	}
	var diags diag.Diagnostics
	for _, p := range planned {
		for _, s := range p.subjects {
			if s.typeName != "Group" {
				continue
			}
			addAttributeError(&diags, subjectPath(p.index, s.index).AtName("object_type_name"), "Invalid object_type_name: this job cannot provision groups on demand",
				fmt.Sprintf("Synchronization job %q (template %q) is %s. Microsoft's on-demand provisioning known limitations: "+
					"connectors that do not provision groups (cross-tenant synchronization, Workday, SuccessFactors and other "+
					"HR-inbound connectors) do not provision groups on demand. Provision the group's users as \"User\" subjects instead.",
					jobID, template, reason))
		}
	}
	return diags
}

// noGroupTemplateReason names what kind of job a template id is when it cannot provision groups.
func noGroupTemplateReason(template string) string {
	t := strings.ToLower(template)
	switch {
	case t == "azure2azure":
		return "cross-tenant synchronization"
	case strings.HasPrefix(t, "workday"), strings.HasPrefix(t, "successfactors"), strings.HasPrefix(t, "api2"):
		return "HR-inbound provisioning"
	}
	return ""
}

func subjectPath(parameter, subject int) path.Path {
	return path.Root("parameters").AtListIndex(parameter).AtName("subjects").AtListIndex(subject)
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
