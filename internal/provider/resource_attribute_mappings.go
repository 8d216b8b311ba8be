package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var (
	_ resource.ResourceWithConfigure      = (*attributeMappingsResource)(nil)
	_ resource.ResourceWithValidateConfig = (*attributeMappingsResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*attributeMappingsResource)(nil)
	_ resource.ResourceWithImportState    = (*attributeMappingsResource)(nil)
)

func newAttributeMappingsResource() resource.Resource { return &attributeMappingsResource{} }

type attributeMappingsResource struct {
	data *providerData
}

func (r *attributeMappingsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_attribute_mappings"
}

func (r *attributeMappingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *attributeMappingsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m attributeMappingsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateMappingsConfig(ctx, m)...)
}

// ModifyPlan checks the planned mappings against the job's schema and runs the expression
// tests, so that nothing is written when one fails. It reads through the provider's schema
// cache and parseExpression, never through the provisioning rate limit.
func (r *attributeMappingsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.client == nil {
		return
	}
	var plan, state attributeMappingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkPlannedMappings(ctx, r.data, plan, state)...)
}

func (r *attributeMappingsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan attributeMappingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	resp.Diagnostics.Append(r.write(ctx, &plan, nil)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

// Read shows changes made outside Terraform: with exclusive, every mapping of the object
// mapping; without, the managed target attributes only.
func (r *attributeMappingsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state attributeMappingsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	sp, job, diags := jobIDs(state.ServicePrincipalID, state.SynchronizationJobID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, err := r.data.synchronizationSchema(ctx, sp, job)
	if err != nil {
		resp.Diagnostics.Append(readErrorDiagnostic(err, fmt.Sprintf("the schema of synchronization job %q of service principal %s", job, sp),
			path.Root("synchronization_job_id")))
		return
	}
	_, om := s.ObjectMappingByNames(state.RuleID.ValueString(), state.SourceObjectName.ValueString(), state.TargetObjectName.ValueString())
	if om == nil {
		tflog.Warn(ctx, "object mapping no longer in the job's schema; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	var managed map[string]bool
	if !state.Exclusive.ValueBool() {
		current, _ := state.mappings(ctx)
		managed = map[string]bool{}
		for k := range current {
			managed[k] = true
		}
	}
	resp.Diagnostics.Append(state.setFromGraph(ctx, *om, managed)...)
	state.ID = types.StringValue(state.importID(sp, job))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *attributeMappingsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state attributeMappingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	if plan.sameSchemaAs(state) {
		// Only tests changed: they are checked at plan and never written.
		plan.ID = state.ID
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	resp.Diagnostics.Append(r.write(ctx, &plan, &state)...)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

// Delete puts back the object mapping of the job's template: the job's other object mappings,
// which other resources may manage, stay as they are.
func (r *attributeMappingsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state attributeMappingsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	sp, job, diags := jobIDs(state.ServicePrincipalID, state.SynchronizationJobID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	def, diags := r.templateObjectMapping(ctx, sp, job, state)
	resp.Diagnostics.Append(diags...)
	if def == nil {
		return
	}
	resp.Diagnostics.Append(r.edit(ctx, sp, job, state, func(graph.ObjectMapping) (graph.ObjectMapping, diag.Diagnostics) {
		return *def, nil
	})...)
}

func (r *attributeMappingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	parts := strings.Split(req.ID, importIDSeparator)
	if len(parts) != 5 || slices.Contains(parts, "") {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not {service_principal_id}/{synchronization_job_id}/{rule_id}/{source_object_name}/{target_object_name}, "+
				"such as \"8213fd99-d6b6-417b-8e13-af6334856215/scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c/03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2/"+
				"User/urn:ietf:params:scim:schemas:core:2.0:User\" (data source entrasync_synchronization_schema lists a job's object mappings).", req.ID))
		return
	}
	if _, ok := parseServicePrincipalID(parts[0]); !ok {
		resp.Diagnostics.AddError("Invalid import id", checkServicePrincipalID(parts[0]).Error())
		return
	}
	for i, name := range []string{"service_principal_id", "synchronization_job_id", "rule_id", "source_object_name", "target_object_name"} {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), parts[i])...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("exclusive"), true)...)
}

// write applies the plan to the object mapping; prior is the state before (nil on create),
// whose managed target attributes that the plan drops are removed with exclusive = false.
func (r *attributeMappingsResource) write(ctx context.Context, plan, prior *attributeMappingsModel) diag.Diagnostics {
	sp, job, diags := jobIDs(plan.ServicePrincipalID, plan.SynchronizationJobID)
	if diags.HasError() {
		return diags
	}
	diags.Append(r.edit(ctx, sp, job, *plan, func(om graph.ObjectMapping) (graph.ObjectMapping, diag.Diagnostics) {
		return r.desiredObjectMapping(ctx, sp, job, om, plan, prior)
	})...)
	plan.ID = types.StringValue(plan.importID(sp, job))
	return diags
}

// edit is the one read-modify-write of a job's schema: under the job's lock, read the schema
// (not the plan's cached copy), change this object mapping, write the whole document back.
func (r *attributeMappingsResource) edit(ctx context.Context, sp, job string, m attributeMappingsModel,
	change func(graph.ObjectMapping) (graph.ObjectMapping, diag.Diagnostics)) diag.Diagnostics {
	var diags diag.Diagnostics
	unlock := lockJobSchema(sp, job)
	defer unlock()
	defer r.data.forgetSynchronizationSchema(sp, job)
	what := fmt.Sprintf("the schema of synchronization job %q of service principal %s", job, sp)
	s, err := r.data.client.GetSynchronizationSchema(ctx, sp, job)
	if err != nil {
		diags.Append(readErrorDiagnostic(err, what, path.Root("synchronization_job_id")))
		return diags
	}
	rule, om := s.ObjectMappingByNames(m.RuleID.ValueString(), m.SourceObjectName.ValueString(), m.TargetObjectName.ValueString())
	if diags.Append(objectMappingDiagnostics(s, rule, om, m)...); diags.HasError() {
		return diags
	}
	next, d := change(*om)
	if diags.Append(d...); diags.HasError() {
		return diags
	}
	doc, err := s.WithObjectMapping(rule.ID, next)
	if err == nil {
		err = r.data.client.PutSynchronizationSchema(ctx, sp, job, doc)
	}
	if err != nil {
		diags.AddError("Cannot write "+what, fmt.Sprintf("Writing the object mapping from %s to %s failed: %s",
			m.SourceObjectName.ValueString(), m.TargetObjectName.ValueString(), err))
	}
	return diags
}

// objectMappingDiagnostics explains a rule or object mapping the schema lacks.
func objectMappingDiagnostics(s *graph.SynchronizationSchema, rule *graph.SynchronizationRule, om *graph.ObjectMapping, m attributeMappingsModel) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case rule == nil:
		diags.AddAttributeError(path.Root("rule_id"), "Invalid rule_id: not in the synchronization job",
			fmt.Sprintf("The job's schema has no rule %q. Its rules:\n%s", m.RuleID.ValueString(), describeRules(s.Rules)))
	case om == nil:
		diags.AddAttributeError(path.Root("source_object_name"), "No such object mapping in the rule",
			fmt.Sprintf("Rule %q has no object mapping from %q to %q. Its object mappings:\n%s", rule.ID,
				m.SourceObjectName.ValueString(), m.TargetObjectName.ValueString(), describeObjectMappings(rule)))
	}
	return diags
}

// templateObjectMapping is the object mapping of the job's template that Delete restores; nil
// with a warning when the template has none.
func (r *attributeMappingsResource) templateObjectMapping(ctx context.Context, sp, job string, m attributeMappingsModel) (*graph.ObjectMapping, diag.Diagnostics) {
	var diags diag.Diagnostics
	j, err := r.data.client.GetSynchronizationJob(ctx, sp, job)
	if err != nil {
		diags.Append(readErrorDiagnostic(err, fmt.Sprintf("synchronization job %q of service principal %s", job, sp), path.Root("synchronization_job_id")))
		return nil, diags
	}
	t, err := r.data.client.GetSynchronizationTemplateSchema(ctx, sp, j.TemplateID)
	if err != nil {
		diags.Append(readErrorDiagnostic(err, fmt.Sprintf("the schema of template %q of service principal %s", j.TemplateID, sp), path.Root("synchronization_job_id")))
		return nil, diags
	}
	_, def := t.ObjectMappingByNames(m.RuleID.ValueString(), m.SourceObjectName.ValueString(), m.TargetObjectName.ValueString())
	for i := 0; def == nil && i < len(t.Rules); i++ {
		_, def = t.ObjectMappingByNames(t.Rules[i].ID, m.SourceObjectName.ValueString(), m.TargetObjectName.ValueString())
	}
	if def == nil {
		diags.AddWarning("Object mapping left as it is",
			fmt.Sprintf("Template %q has no object mapping from %s to %s to restore, so the job's object mapping keeps its last mappings. "+
				"Terraform no longer manages it.", j.TemplateID, m.SourceObjectName.ValueString(), m.TargetObjectName.ValueString()))
	}
	return def, diags
}
