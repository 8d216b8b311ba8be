package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*synchronizationJobsDataSource)(nil)

func newSynchronizationJobsDataSource() datasource.DataSource {
	return &synchronizationJobsDataSource{}
}

type synchronizationJobsDataSource struct {
	data *providerData
}

func (d *synchronizationJobsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_synchronization_jobs"
}

func (d *synchronizationJobsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the provisioning (synchronization) jobs of a service principal, so a configuration can find a job " +
			"instead of hard-coding its generated id. Needs `Synchronization.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"service_principal_id": servicePrincipalIDAttribute("whose jobs to list"),
			"jobs": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The service principal's jobs, in Graph's order; empty when provisioning was never set up.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Job ID, such as `scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c`: the `synchronization_job_id` of `entrasync_provision_on_demand`.",
					},
					"template_id": schema.StringAttribute{
						Computed: true,
						MarkdownDescription: "Template the job was made from, such as `scim`, `AD2AADProvisioning` (Cloud Sync) or `workdayToAD`; " +
							"pick a job by it with data source `entrasync_synchronization_job`.",
					},
					"schedule_state": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "`Active`, `Disabled` or `Paused`: whether the regular provisioning cycle runs.",
					},
					"schedule_interval": schema.StringAttribute{
						Computed:            true,
						MarkdownDescription: "Interval of the regular cycle as an ISO 8601 duration, such as `PT40M`.",
					},
					"status_code": schema.StringAttribute{
						Computed: true,
						MarkdownDescription: "`NotConfigured`, `NotRun`, `Active`, `Paused` or `Quarantine`. A `NotConfigured` job usually lacks " +
							"admin credentials, and provisioning on demand fails until they are saved.",
					},
				}},
			},
		},
	}
}

func (d *synchronizationJobsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *synchronizationJobsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m synchronizationJobsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.data.hasClient(&resp.Diagnostics, dataSourceNeedsClient) {
		return
	}
	sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
	jobs, err := d.data.client.ListSynchronizationJobs(ctx, sp)
	if err != nil {
		resp.Diagnostics.Append(readErrorDiagnostic(err, "the synchronization jobs of service principal "+sp, path.Root("service_principal_id")))
		return
	}
	m.Jobs = make([]synchronizationJobSummaryModel, 0, len(jobs))
	for _, j := range jobs {
		m.Jobs = append(m.Jobs, synchronizationJobSummaryModel{
			ID:               optionalString(j.ID),
			TemplateID:       optionalString(j.TemplateID),
			ScheduleState:    optionalString(j.Schedule.State),
			ScheduleInterval: optionalString(j.Schedule.Interval),
			StatusCode:       optionalString(j.Status.Code),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

type synchronizationJobsModel struct {
	ServicePrincipalID types.String                     `tfsdk:"service_principal_id"`
	Jobs               []synchronizationJobSummaryModel `tfsdk:"jobs"`
}

type synchronizationJobSummaryModel struct {
	ID               types.String `tfsdk:"id"`
	TemplateID       types.String `tfsdk:"template_id"`
	ScheduleState    types.String `tfsdk:"schedule_state"`
	ScheduleInterval types.String `tfsdk:"schedule_interval"`
	StatusCode       types.String `tfsdk:"status_code"`
}
