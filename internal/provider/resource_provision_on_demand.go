package provider

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ resource.ResourceWithConfigure      = (*provisionOnDemandResource)(nil)
	_ resource.ResourceWithValidateConfig = (*provisionOnDemandResource)(nil)
	_ resource.ResourceWithImportState    = (*provisionOnDemandResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*provisionOnDemandResource)(nil)
)

func newProvisionOnDemandResource() resource.Resource { return &provisionOnDemandResource{} }

type provisionOnDemandResource struct {
	data *providerData
}

func (r *provisionOnDemandResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_provision_on_demand"
}

func (r *provisionOnDemandResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Provisions users or groups on demand through a service principal's synchronization job " +
			"(Graph `provisionOnDemand`, PowerShell `New-MgBetaServicePrincipalSynchronizationJobOnDemand`) and keeps the answer. " +
			"A change of the ids, `parameters` or `triggers` provisions again; `fail_on_skip`, `retry_skipped_for` and `timeouts` change state only. " +
			"Destroying the resource does not de-provision anyone.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "A new UUID for each provisioning run.",
				PlanModifiers:       keep,
			},
			"service_principal_id":   servicePrincipalIDInput("that owns the job", "provisions again"),
			"synchronization_job_id": synchronizationJobIDInput(", whose service principal must match `service_principal_id`", "provisions again"),
			"parameters": schema.ListNestedAttribute{
				Required:            true,
				MarkdownDescription: "What to provision: one entry per synchronization rule. Changing it provisions again.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.RequiresReplace()},
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"rule_id": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "ID of a rule in the job's schema (`synchronizationRules[].id`), such as " +
							"`03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2`. It must not be empty: Graph rejects an empty or foreign rule.",
						Validators: []validator.String{stringCheck("a non-empty rule ID", checkNotBlank("rule_id"))},
					},
					"subjects": schema.ListNestedAttribute{
						Required:            true,
						MarkdownDescription: "The users, groups, workers or computers to provision through this rule, at least one. Graph takes one `Group` per call.",
						Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
						NestedObject:        schema.NestedAttributeObject{Attributes: subjectAttributes()},
					},
				}},
			},
			"triggers": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Arbitrary values; any change provisions again (for example `{ run = \"2026-03\" }`).",
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"fail_on_skip": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "When `true`, a subject that Graph skips for any reason other than being already in sync " +
					"(for example out of scope) fails the apply instead of giving a warning. Default `false`. Changing it makes no API call.",
			},
			"retry_skipped_for": retrySkippedForAttribute(),
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, CreateDescription: "How long a provisioning run may take, " +
				"waiting for the rate limit included (default `15m`)."}),
			"status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The most severe status of the run, over the entries and the answer's overall result: " +
					"`Failure` > `Warning` > `Skipped` > `Success`.",
				PlanModifiers: keep,
			},
			// A list of objects rather than nested attributes: the same type and state, read the same way
			// (results[0].steps[0].name), but the framework resolves paths in it through types instead of
			// rebuilding the nested schema at every value, which made most of a plan's cost (bench/RESULTS.md).
			"results": schema.ListAttribute{
				Computed:    true,
				ElementType: resultObjectType,
				MarkdownDescription: "One object per entry of Graph's answer. For a group sent with members Graph answers either one entry per member or, " +
					"as in Microsoft's example, no entry at all (`{\"result\":\"Success\"}` and `\"{}\"`): test `status`, not the number of " +
					"entries. May hold personal data. " +
					"Read a field as `results[0].steps[0].name`; each object holds:" + describeAttributes(resultAttributes(), "  ") +
					"\n\n  The same fields by type:",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"result_key": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The answer's `key` string exactly as Graph returned it.",
				PlanModifiers:       keep,
			},
			"result_value": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The answer's `value` string exactly as Graph returned it (the whole body when it is not the documented " +
					"key/value object). May hold personal data; empty when the provider's `redact_personal_data` is on.",
				PlanModifiers: keep,
			},
			"request_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Graph `request-id` of the provisioning call; Microsoft support asks for it.",
				PlanModifiers:       keep,
			},
			"provisioned_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the run finished, RFC 3339 in UTC.",
				PlanModifiers:       keep,
			},
		},
	}
	for _, attrs := range []map[string]schema.Attribute{batchInputAttributes(), batchComputedAttributes()} {
		for name, a := range attrs {
			resp.Schema.Attributes[name] = a
		}
	}
}

func (r *provisionOnDemandResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *provisionOnDemandResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m provisionOnDemandModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateProvisionConfig(ctx, m)...)
	resp.Diagnostics.Append(checkPositiveTimeout(m.Timeouts.Object, "create")...)
}

// ModifyPlan checks rule ids against the job's schema when the plan provisions: on create, which
// includes the create half of a replacement (Terraform plans it with no prior state).
func (r *provisionOnDemandResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() {
		return
	}
	var plan provisionOnDemandModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	calls, diags := planCalls(ctx, r.data, plan)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("planned_calls"), calls)...)
	if r.data == nil || r.data.client == nil {
		return
	}
	resp.Diagnostics.Append(checkRuleIDs(ctx, r.data, plan)...)
}

func (r *provisionOnDemandResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan provisionOnDemandModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	run, runDiags := r.data.provision(ctx, plan, func(string) {})
	if run == nil || len(run.batches) == 0 {
		resp.Diagnostics.Append(runDiags...)
		return
	}

	plan.ID = types.StringValue(uuid.NewString())
	plan.ProvisionedAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
	resp.Diagnostics.Append(plan.setRun(ctx, run)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// State is saved even when the outcome is an error, or when a batch could not be sent after
	// others were, so the resource is tainted and shows what happened.
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(run.outcomeDiagnostics(ctx, plan.FailOnSkip.ValueBool(), resourceAfterFailure)...)
	resp.Diagnostics.Append(runDiags...)
}

// Read makes no API call and changes nothing: the resource records one run's answer, planning must
// not spend rate limit, and the framework has already copied the prior state into resp.State.
func (r *provisionOnDemandResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}

// Update only ever changes fail_on_skip, retry_skipped_for or timeouts (everything else forces replacement): no API call.
func (r *provisionOnDemandResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan provisionOnDemandModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete makes no API call: Graph has no "un-provision on demand"; the next cycle follows the job's scope.
func (r *provisionOnDemandResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

func (r *provisionOnDemandResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Import is not supported",
		"entrasync_provision_on_demand records the answer of one provisioning run made by Terraform; Graph keeps nothing "+
			"that could be read back into it. Declare the resource and apply it to provision the subjects (a subject that is "+
			"already in sync answers Skipped/RedundantExport, which counts as success).")
}
