package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var (
	_ resource.ResourceWithConfigure   = (*synchronizationJobResource)(nil)
	_ resource.ResourceWithImportState = (*synchronizationJobResource)(nil)
)

func newSynchronizationJobResource() resource.Resource { return &synchronizationJobResource{} }

type synchronizationJobResource struct {
	data *providerData
}

func (r *synchronizationJobResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_synchronization_job"
}

func (r *synchronizationJobResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A synchronization (provisioning) job of a service principal, created from one of its templates " +
			"(data source `entrasync_synchronization_templates`), started or paused, restarted on demand, and waited for until its " +
			"first cycle is steady. A job paused or put into quarantine outside Terraform shows as `enabled` drifting to `false`. " +
			"Destroying the resource deletes the job. Needs `Synchronization.ReadWrite.All`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ID of the job, such as `scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c`: the `synchronization_job_id` of the other types.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"service_principal_id": servicePrincipalIDInput("that owns the job", "replaces the job"),
			"template_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ID of the template the job is made from, such as `scim` (data source `entrasync_synchronization_templates` " +
					"lists them). Changing it replaces the job.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringCheck("a non-empty template ID", checkNotBlank("template_id"))},
			},
			"enabled": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "`true` (default) starts the job (Graph `start`, which also lifts a quarantine); `false` pauses it. " +
					"Reads as `false` when the job is paused or in quarantine, so that drift shows in the plan.",
			},
			"restart": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Restarts the job (Graph `restart`) when `triggers` change, including when the block is added: a new " +
					"full cycle that also clears what `reset_scope` names.",
				Attributes: map[string]schema.Attribute{
					"triggers": schema.MapAttribute{
						Required:            true,
						ElementType:         types.StringType,
						MarkdownDescription: "Any values; a change restarts the job.",
					},
					"reset_scope": schema.ListAttribute{
						Optional:    true,
						ElementType: types.StringType,
						MarkdownDescription: "What the restart resets, from the `synchronizationJobRestartScope` flags: " +
							quotedList(graph.RestartScopes) + ". Without it Graph restarts with its default scope.",
						Validators: []validator.List{
							listvalidator.UniqueValues(),
							listvalidator.ValueStringsAre(stringvalidator.OneOf(graph.RestartScopes...)),
						},
					},
				},
			},
			"wait_for_steady_state": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long to wait, after a create, start or restart, for the job's cycle to end in steady state, as a Go " +
					"duration such as `10m`. The wait reads the job (never through the provisioning rate limit) and fails the apply " +
					"with Graph's reason when the job goes into quarantine. Without it the apply does not wait.",
				Validators: []validator.String{stringCheck("a positive duration", checkWaitDuration)},
			},
			"schedule": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "When the job runs, as Graph reports it.",
				Attributes: map[string]schema.Attribute{
					"interval":   computed("Time between cycles, an ISO 8601 duration such as `PT40M`."),
					"state":      computed("`Active`, `Disabled` or `Paused`."),
					"expiration": computed("When the schedule ends; null when it does not."),
				},
			},
			"status": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The job's status when it was last read.",
				Attributes: map[string]schema.Attribute{
					"code":                       computed("`NotConfigured`, `NotRun`, `Active`, `Paused` or `Quarantine`."),
					"last_execution_state":       computed("Result of the last cycle: `Succeeded`, `Failed` or `EntryLevelErrors`; null before the first."),
					"last_execution_ended":       computed("When the last cycle ended; null before the first."),
					"last_execution_error":       computed("Error code and message of the last cycle; null when it had none."),
					"quarantine_reason":          computed("Why Entra stopped the job, such as `EncounteredQuarantineException`; null unless in quarantine."),
					"quarantine_error":           computed("Error code and message behind the quarantine; null when Graph gives none."),
					"steady_state_last_achieved": computed("When a cycle last ended in steady state; null when never."),
				},
			},
		},
	}
}

func (r *synchronizationJobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *synchronizationJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m jobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
	created, err := r.data.client.CreateSynchronizationJob(ctx, sp, m.TemplateID.ValueString())
	if err != nil {
		resp.Diagnostics.Append(jobCallDiagnostic(err, "create a synchronization job from template "+m.TemplateID.ValueString(), sp, path.Root("template_id")))
		return
	}
	m.ID = types.StringValue(created.ID)
	resp.Diagnostics.Append(m.setJob(ctx, created)...)
	// The job exists from here on: keep it in state whatever happens next.
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if m.Enabled.ValueBool() {
		resp.Diagnostics.Append(r.run(ctx, &m, sp, "start", time.Time{})...)
	}
	r.refresh(ctx, &m, sp, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *synchronizationJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m jobResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
	job, err := r.data.client.GetSynchronizationJob(ctx, sp, m.ID.ValueString())
	var gerr *graph.Error
	if errors.As(err, &gerr) && gerr.StatusCode == http.StatusNotFound {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(readErrorDiagnostic(err, fmt.Sprintf("synchronization job %q of service principal %s", m.ID.ValueString(), sp), path.Root("id")))
		return
	}
	m.TemplateID = types.StringValue(job.TemplateID)
	m.Enabled = types.BoolValue(jobRuns(job))
	resp.Diagnostics.Append(m.setJob(ctx, job)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *synchronizationJobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior jobResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
	restarted := m.Restart != nil && (prior.Restart == nil || !m.Restart.Triggers.Equal(prior.Restart.Triggers))
	switch {
	case restarted:
		resp.Diagnostics.Append(r.run(ctx, &m, sp, "restart", time.Time{})...)
	case m.Enabled.ValueBool() && !prior.Enabled.ValueBool():
		resp.Diagnostics.Append(r.run(ctx, &m, sp, "start", prior.steadyAfterStart())...)
	}
	if !resp.Diagnostics.HasError() && !m.Enabled.ValueBool() && (restarted || prior.Enabled.ValueBool()) {
		if err := r.data.client.PauseSynchronizationJob(ctx, sp, m.ID.ValueString()); err != nil {
			resp.Diagnostics.Append(jobCallDiagnostic(err, fmt.Sprintf("pause synchronization job %q", m.ID.ValueString()), sp, path.Root("enabled")))
		}
	}
	r.refresh(ctx, &m, sp, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *synchronizationJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m jobResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
	err := r.data.client.DeleteSynchronizationJob(ctx, sp, m.ID.ValueString())
	var gerr *graph.Error
	if err != nil && !(errors.As(err, &gerr) && gerr.StatusCode == http.StatusNotFound) {
		resp.Diagnostics.Append(jobCallDiagnostic(err, fmt.Sprintf("delete synchronization job %q", m.ID.ValueString()), sp, path.Root("id")))
	}
}

// ImportState takes `{service_principal_id}/{job_id}` or the path form
// `/servicePrincipals/{service_principal_id}/synchronization/jobs/{job_id}`.
func (r *synchronizationJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	sp, jobID, err := parseJobImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), jobID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("service_principal_id"), sp)...)
}

func parseJobImportID(id string) (sp, jobID string, err error) {
	if strings.HasPrefix(id, "/") {
		jobID, sp, err = parseSynchronizationJobID(id)
		return sp, jobID, err
	}
	before, after, found := strings.Cut(id, "/")
	if _, ok := parseServicePrincipalID(before); found && ok {
		if _, _, err := parseSynchronizationJobID(after); err == nil {
			return before, after, nil
		}
	}
	return "", "", fmt.Errorf("%q is not a synchronization job import ID; use \"{service_principal_id}/{job_id}\", such as "+
		"\"0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d/scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c\", or the path form "+
		"\"/servicePrincipals/{GUID}/synchronization/jobs/{jobId}\"", id)
}

// run starts or restarts the job and, with wait_for_steady_state, waits for its cycle. A zero
// since means the call forces a new cycle: only a steady state reached after it counts.
func (r *synchronizationJobResource) run(ctx context.Context, m *jobResourceModel, sp, action string, since time.Time) diag.Diagnostics {
	var diags diag.Diagnostics
	jobID := m.ID.ValueString()
	if since.IsZero() {
		since = steadySince(time.Now())
	}
	var err error
	at := path.Root("enabled")
	if action == "restart" {
		at = path.Root("restart")
		err = r.data.client.RestartSynchronizationJob(ctx, sp, jobID, m.Restart.resetScope())
	} else {
		err = r.data.client.StartSynchronizationJob(ctx, sp, jobID)
	}
	if err != nil {
		diags.Append(jobCallDiagnostic(err, fmt.Sprintf("%s synchronization job %q", action, jobID), sp, at))
		return diags
	}
	if m.WaitForSteadyState.IsNull() {
		return diags
	}
	within, _ := time.ParseDuration(strings.TrimSpace(m.WaitForSteadyState.ValueString()))
	job, d := waitForSteadyState(ctx, r.data.client, sp, jobID, since, within, path.Root("wait_for_steady_state"))
	diags.Append(d...)
	if job != nil {
		diags.Append(m.setJob(ctx, job)...)
	}
	return diags
}

// refresh reads the job after a change so schedule and status are Graph's.
func (r *synchronizationJobResource) refresh(ctx context.Context, m *jobResourceModel, sp string, diags *diag.Diagnostics) {
	job, err := r.data.client.GetSynchronizationJob(ctx, sp, m.ID.ValueString())
	if err != nil {
		diags.AddWarning("Cannot read the synchronization job after the change",
			fmt.Sprintf("schedule and status keep their earlier values until the next refresh: %s", err))
		return
	}
	diags.Append(m.setJob(ctx, job)...)
}

// jobCallDiagnostic explains a failed write to a job on the attribute that caused it.
func jobCallDiagnostic(err error, what, sp string, at path.Path) diag.Diagnostic {
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		switch gerr.StatusCode {
		case http.StatusNotFound:
			return diag.NewAttributeErrorDiagnostic(at, "Cannot "+what,
				fmt.Sprintf("Graph found no such job or service principal %s (the service principal's object ID, not its application ID).\n%s", sp, err))
		case http.StatusForbidden:
			return diag.NewErrorDiagnostic("Permission denied: cannot "+what,
				fmt.Sprintf("The signed-in identity needs Synchronization.ReadWrite.All, or Application.ReadWrite.OwnedBy for an application it owns.\n%s", err))
		case http.StatusBadRequest:
			return diag.NewAttributeErrorDiagnostic(at, "Cannot "+what, fmt.Sprintf("Graph refused the request: %s", err))
		}
	}
	return diag.NewErrorDiagnostic("Cannot "+what, fmt.Sprintf("Calling Microsoft Graph failed: %s", err))
}
