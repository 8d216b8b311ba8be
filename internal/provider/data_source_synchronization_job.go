package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var (
	_ datasource.DataSourceWithConfigure        = (*synchronizationJobDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*synchronizationJobDataSource)(nil)
)

func newSynchronizationJobDataSource() datasource.DataSource { return &synchronizationJobDataSource{} }

type synchronizationJobDataSource struct {
	data *providerData
}

func (d *synchronizationJobDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_synchronization_job"
}

func (d *synchronizationJobDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one provisioning (synchronization) job of a service principal: by its id, or as the single job " +
			"made from a template (`template_id = \"scim\"`), so a configuration needs only the service principal. Shows whether the " +
			"job can provision now (schedule, status, quarantine). Needs `Synchronization.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"service_principal_id": servicePrincipalIDAttribute("that owns the job"),
			"synchronization_job_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: synchronizationJobIDDescription + ". Set this or `template_id`. When the job is picked by " +
					"`template_id`, this is its id: pass it to `entrasync_provision_on_demand`.",
				Validators: synchronizationJobIDValidators,
			},
			"template_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Picks the service principal's single job made from this template, such as `scim`, " +
					"`AD2AADProvisioning` (Cloud Sync) or `workdayToAD` (compared without case). Set this or `synchronization_job_id`; " +
					"it is an error when no job or several jobs match, and the error lists the jobs there are.",
			},
			"schedule": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "When the regular provisioning cycle runs.",
				Attributes: map[string]schema.Attribute{
					"interval":   computed("Interval of the cycle as an ISO 8601 duration, such as `PT40M`."),
					"state":      computed("`Active`, `Disabled` or `Paused`. Provisioning on demand works while the cycle is paused."),
					"expiration": computed("When the schedule ends; null when it does not."),
				},
			},
			"status": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The job's state and its last cycle.",
				Attributes: map[string]schema.Attribute{
					"code": computed("`NotConfigured`, `NotRun`, `Active`, `Paused` or `Quarantine`. `NotConfigured` usually means the " +
						"admin credentials were never saved: provisioning on demand fails until they are."),
					"last_execution_state": computed("`Succeeded`, `Failed` or `EntryLevelErrors`; null when the cycle never ran, in either form Graph writes it " +
						"(`lastExecution` null, or `timeBegan` `0001-01-01T00:00:00Z` with state `Failed` and error code `None`): then every " +
						"`last_execution_*` attribute is null."),
					"last_execution_time_began":    computed("When the last cycle began, as Graph sends it (UTC)."),
					"last_execution_time_ended":    computed("When the last cycle ended, as Graph sends it (UTC)."),
					"last_execution_error_code":    computed("Error code of a failed last cycle, for example a credential or connectivity error of the target."),
					"last_execution_error_message": computed("Error message of a failed last cycle."),
					"quarantined": schema.BoolAttribute{
						Computed: true,
						MarkdownDescription: "Whether Entra put the job in quarantine after repeated failures: its cycle runs rarely until " +
							"the cause (`quarantine_reason`) is fixed and the job restarted.",
					},
					"quarantine_reason": computed("Why the job is in quarantine, such as `EncounteredQuarantineException`; null when it is not."),
				},
			},
			"settings": schema.MapAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The job's settings (`synchronizationJobSettings`) by name, such as `{ LookaheadQueryEnabled = \"False\" }`.",
			},
		},
	}
}

func (d *synchronizationJobDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("synchronization_job_id"), path.MatchRoot("template_id")),
	}
}

func (d *synchronizationJobDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *synchronizationJobDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m synchronizationJobModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.data.hasClient(&resp.Diagnostics, dataSourceNeedsClient) {
		return
	}
	var job *graph.SynchronizationJob
	if !m.TemplateID.IsNull() {
		sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
		jobs, err := d.data.client.ListSynchronizationJobs(ctx, sp)
		if err != nil {
			resp.Diagnostics.Append(readErrorDiagnostic(err, "the synchronization jobs of service principal "+sp, path.Root("service_principal_id")))
			return
		}
		var diags diag.Diagnostics
		job, diags = jobFromTemplate(sp, m.TemplateID.ValueString(), jobs)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		m.SynchronizationJobID = types.StringValue(job.ID)
	} else {
		sp, jobID, diags := jobIDs(m.ServicePrincipalID, m.SynchronizationJobID)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		var err error
		if job, err = d.data.client.GetSynchronizationJob(ctx, sp, jobID); err != nil {
			resp.Diagnostics.Append(readErrorDiagnostic(err, fmt.Sprintf("synchronization job %q of service principal %s", jobID, sp),
				path.Root("synchronization_job_id")))
			return
		}
		m.TemplateID = types.StringValue(job.TemplateID)
	}

	m.Schedule = &jobScheduleModel{
		Interval:   optionalString(job.Schedule.Interval),
		State:      optionalString(job.Schedule.State),
		Expiration: optionalString(job.Schedule.Expiration),
	}
	m.Status = &jobStatusModel{Code: optionalString(job.Status.Code), Quarantined: types.BoolValue(job.Status.Quarantine != nil)}
	var last graph.SynchronizationTaskExecution
	if job.Status.LastExecution != nil {
		last = *job.Status.LastExecution
	}
	m.Status.LastExecutionState = optionalString(last.State)
	m.Status.LastExecutionTimeBegan = optionalString(last.TimeBegan)
	m.Status.LastExecutionTimeEnded = optionalString(last.TimeEnded)
	m.Status.LastExecutionErrorCode = optionalString(last.ErrorCode)
	m.Status.LastExecutionErrorMessage = optionalString(last.ErrorMessage)
	m.Status.QuarantineReason = types.StringNull()
	if job.Status.Quarantine != nil {
		m.Status.QuarantineReason = optionalString(job.Status.Quarantine.Reason)
	}
	m.Settings = map[string]string{}
	for name, value := range job.Settings {
		m.Settings[name] = value
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// jobFromTemplate picks the single job made from template (compared without case); zero or
// several matches are an error on template_id listing the jobs there are.
func jobFromTemplate(servicePrincipalID, template string, jobs []graph.SynchronizationJob) (*graph.SynchronizationJob, diag.Diagnostics) {
	var diags diag.Diagnostics
	var matches []graph.SynchronizationJob
	for _, j := range jobs {
		if strings.EqualFold(j.TemplateID, template) {
			matches = append(matches, j)
		}
	}
	switch len(matches) {
	case 1:
		return &matches[0], nil
	case 0:
		diags.AddAttributeError(path.Root("template_id"), "No synchronization job made from template "+template,
			fmt.Sprintf("Service principal %s has no synchronization job made from template %q. Its jobs:\n%s"+
				"Use the template of one of them, or set synchronization_job_id instead. A service principal without jobs has no "+
				"provisioning set up: configure it under Provisioning in the Entra admin center.", servicePrincipalID, template, describeJobs(jobs)))
	default:
		diags.AddAttributeError(path.Root("template_id"), "Several synchronization jobs made from template "+template,
			fmt.Sprintf("Service principal %s has %d synchronization jobs made from template %q:\n%s"+
				"Set synchronization_job_id to the one you mean instead of template_id.", servicePrincipalID, len(matches), template, describeJobs(matches)))
	}
	return nil, diags
}

// describeJobs is one "id (template ..., status ...)" line per job, for diagnostics.
func describeJobs(jobs []graph.SynchronizationJob) string {
	if len(jobs) == 0 {
		return "  (none)\n"
	}
	var b strings.Builder
	for _, j := range jobs {
		fmt.Fprintf(&b, "  - %s (template %s, status %s)\n", j.ID, j.TemplateID, j.Status.Code)
	}
	return b.String()
}

type synchronizationJobModel struct {
	ServicePrincipalID   types.String      `tfsdk:"service_principal_id"`
	SynchronizationJobID types.String      `tfsdk:"synchronization_job_id"`
	TemplateID           types.String      `tfsdk:"template_id"`
	Schedule             *jobScheduleModel `tfsdk:"schedule"`
	Status               *jobStatusModel   `tfsdk:"status"`
	Settings             map[string]string `tfsdk:"settings"`
}

type jobScheduleModel struct {
	Interval   types.String `tfsdk:"interval"`
	State      types.String `tfsdk:"state"`
	Expiration types.String `tfsdk:"expiration"`
}

type jobStatusModel struct {
	Code                      types.String `tfsdk:"code"`
	LastExecutionState        types.String `tfsdk:"last_execution_state"`
	LastExecutionTimeBegan    types.String `tfsdk:"last_execution_time_began"`
	LastExecutionTimeEnded    types.String `tfsdk:"last_execution_time_ended"`
	LastExecutionErrorCode    types.String `tfsdk:"last_execution_error_code"`
	LastExecutionErrorMessage types.String `tfsdk:"last_execution_error_message"`
	Quarantined               types.Bool   `tfsdk:"quarantined"`
	QuarantineReason          types.String `tfsdk:"quarantine_reason"`
}
