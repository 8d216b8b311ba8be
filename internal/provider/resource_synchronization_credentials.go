package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var (
	_ resource.ResourceWithConfigure      = (*synchronizationCredentialsResource)(nil)
	_ resource.ResourceWithValidateConfig = (*synchronizationCredentialsResource)(nil)
)

func newSynchronizationCredentialsResource() resource.Resource {
	return &synchronizationCredentialsResource{}
}

type synchronizationCredentialsResource struct {
	data *providerData
}

func (r *synchronizationCredentialsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_synchronization_credentials"
}

func (r *synchronizationCredentialsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keys := []validator.Map{mapvalidator.KeysAre(stringvalidator.OneOf(graph.SecretKeys...))}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The credentials a service principal's synchronization jobs use to reach their target (Graph " +
			"`PUT /servicePrincipals/{id}/synchronization/secrets`): the portal's Admin Credentials. Secret values are write-only " +
			"(`credentials_wo`, Terraform 1.11 or later): they never reach the plan or the state, and are written when the resource " +
			"is created and whenever `credentials_wo_version`, `settings` or the job change (nothing else writes them). By default the job's target checks them " +
			"first (Graph `validateCredentials`); a refusal fails the apply and saves nothing. A job in quarantine for its credentials " +
			"is restarted once working ones are saved. Graph cannot read secrets back, so a change made outside Terraform does not " +
			"show; and it has no call that deletes them: destroy overwrites the keys this resource wrote with empty values. " +
			"Needs `Synchronization.ReadWrite.All`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The service principal's object ID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"service_principal_id": servicePrincipalIDInput("whose jobs use the credentials", "replaces the resource"),
			"synchronization_job_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: synchronizationJobIDDescription + ": the job whose target checks the credentials and that is " +
					"restarted when it is in quarantine for them.",
				Validators: synchronizationJobIDValidators,
			},
			"credentials_wo": schema.MapAttribute{
				Required:    true,
				WriteOnly:   true,
				Sensitive:   true,
				ElementType: types.StringType,
				MarkdownDescription: "The secret values, by key of the `synchronizationSecret` enum, such as `SecretToken`, `Password` or " +
					"`ClientSecret`. Write-only: never in plan or state. Allowed keys: " + quotedList(graph.SecretKeys) + ".",
				Validators: keys,
			},
			"credentials_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any number; change it to write `credentials_wo` again (Terraform cannot see a change of a " +
					"write-only value).",
			},
			"settings": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Values that are not secret, such as `BaseAddress` (the tenant URL) or `SyncAll`, by the same keys: " +
					"they are kept in state and shown in plans, and a change writes all credentials again.",
				Validators: keys,
			},
			"validate": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "`true` (default) has the job's target check the credentials before they are saved " +
					"(Graph `validateCredentials`); a refusal fails the apply with Graph's message and nothing is saved.",
			},
			"wait_for_steady_state": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "After saving, how long to wait for the job's cycle to end in steady state, as a Go duration such as " +
					"`10m`; the apply fails with Graph's reason if the job goes into quarantine. Only for a job that is started.",
				Validators: []validator.String{stringCheck("a positive duration", checkWaitDuration)},
			},
			"secret_keys": schema.SetAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The keys of `credentials_wo` last written (never the values).",
			},
		},
	}
}

func (r *synchronizationCredentialsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses a key given both as a secret and as a setting. (The framework refuses
// credentials_wo from a Terraform CLI older than 1.11, which would store it.)
func (r *synchronizationCredentialsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var secrets, settings types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("credentials_wo"), &secrets)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("settings"), &settings)...)
	for key := range secrets.Elements() {
		if _, both := settings.Elements()[key]; both {
			addAttributeError(&resp.Diagnostics, path.Root("settings").AtMapKey(key), "Key in both settings and credentials_wo",
				fmt.Sprintf("%s is given in settings and in credentials_wo; give each key once: secrets in credentials_wo, "+
					"values that may show in plans in settings.", key))
		}
	}
}

func (r *synchronizationCredentialsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.apply(ctx, req.Plan, req.Config, &resp.State, &resp.Diagnostics)
}

// Read keeps the state: Graph cannot read saved secrets back.
func (r *synchronizationCredentialsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m credentialsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update writes the credentials again only when credentials_wo_version, settings or the job change,
// as the schema says: a change of validate or wait_for_steady_state, or of the form in which an id
// is written (path or bare, any case), records the new values and writes nothing, so a value
// changed in credentials_wo without a new version is not sent either.
func (r *synchronizationCredentialsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior credentialsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sameJob := synchronizationJobObject(m.SynchronizationJobID.ValueString()) == synchronizationJobObject(prior.SynchronizationJobID.ValueString())
	if !m.CredentialsWOVersion.Equal(prior.CredentialsWOVersion) || !m.Settings.Equal(prior.Settings) || !sameJob {
		r.apply(ctx, req.Plan, req.Config, &resp.State, &resp.Diagnostics)
		return
	}
	m.SecretKeys = prior.SecretKeys
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// apply writes the planned credentials (the values from config: write-only values are never in
// the plan) and records the new state once they are saved, even when the wait after it fails.
func (r *synchronizationCredentialsResource) apply(ctx context.Context, plan tfsdk.Plan, config tfsdk.Config, state *tfsdk.State, diags *diag.Diagnostics) {
	var m credentialsModel
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() || !r.data.hasClient(diags, resourceNeedsClient) {
		return
	}
	if r.write(ctx, &m, config, diags) {
		diags.Append(state.Set(ctx, &m)...)
	}
}

// Delete blanks the keys the resource wrote: Graph has no call that deletes saved secrets.
func (r *synchronizationCredentialsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m credentialsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !r.data.hasClient(&resp.Diagnostics, resourceNeedsClient) {
		return
	}
	blank := map[string]string{}
	for k := range stringMap(m.Settings) {
		blank[k] = ""
	}
	for _, k := range m.SecretKeys.Elements() {
		if s, ok := k.(types.String); ok {
			blank[s.ValueString()] = ""
		}
	}
	if len(blank) == 0 {
		return
	}
	sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
	if err := r.data.client.PutSynchronizationSecrets(ctx, sp, blank); err != nil {
		resp.Diagnostics.Append(jobCallDiagnostic(err, "blank the synchronization credentials of service principal "+sp, sp, path.Root("service_principal_id")))
	}
}

// write validates (unless told not to) and saves the credentials, lifts a credentials
// quarantine of the job and waits for steady state when asked; it reports whether they were saved.
func (r *synchronizationCredentialsResource) write(ctx context.Context, m *credentialsModel, config tfsdk.Config, diags *diag.Diagnostics) bool {
	var secrets types.Map
	diags.Append(config.GetAttribute(ctx, path.Root("credentials_wo"), &secrets)...)
	sp, jobID, d := jobIDs(m.ServicePrincipalID, m.SynchronizationJobID)
	diags.Append(d...)
	if diags.HasError() {
		return false
	}
	credentials := stringMap(secrets)
	keys := slices.Sorted(maps.Keys(credentials))
	maps.Copy(credentials, stringMap(m.Settings))
	if m.Validate.ValueBool() {
		if err := r.data.client.ValidateCredentials(ctx, sp, jobID, credentials); err != nil {
			diags.Append(credentialsRefused(err, jobID))
			return false
		}
	}
	if err := r.data.client.PutSynchronizationSecrets(ctx, sp, credentials); err != nil {
		diags.Append(jobCallDiagnostic(err, "save the synchronization credentials of service principal "+sp, sp, path.Root("credentials_wo")))
		return false
	}
	tflog.Info(ctx, "saved synchronization credentials", map[string]any{"service_principal_id": sp, "keys": keys})
	m.ID = types.StringValue(sp)
	secretKeys, d := types.SetValueFrom(ctx, types.StringType, keys)
	diags.Append(d...)
	m.SecretKeys = secretKeys
	r.resumeJob(ctx, m, sp, jobID, diags)
	return true
}

// resumeJob restarts a job in quarantine for its credentials, now that working ones are saved,
// and waits for its steady state when asked.
func (r *synchronizationCredentialsResource) resumeJob(ctx context.Context, m *credentialsModel, sp, jobID string, diags *diag.Diagnostics) {
	job, err := r.data.client.GetSynchronizationJob(ctx, sp, jobID)
	if err != nil {
		diags.Append(readErrorDiagnostic(err, fmt.Sprintf("synchronization job %q of service principal %s", jobID, sp), path.Root("synchronization_job_id")))
		return
	}
	since := time.Time{} // a job that keeps running: any steady state counts
	if q := job.Status.Quarantine; q != nil && q.Reason == "EncounteredQuarantineException" {
		since = steadySince(time.Now())
		if err := r.data.client.RestartSynchronizationJob(ctx, sp, jobID, []string{"QuarantineState"}); err != nil {
			diags.Append(jobCallDiagnostic(err, fmt.Sprintf("restart synchronization job %q after saving its credentials", jobID), sp, path.Root("synchronization_job_id")))
			return
		}
	}
	if m.WaitForSteadyState.IsNull() {
		return
	}
	if job.Schedule.State != "Active" {
		diags.AddAttributeWarning(path.Root("wait_for_steady_state"), "Synchronization job not started: not waiting",
			fmt.Sprintf("Synchronization job %q is %s, so no cycle will run; start it (entrasync_synchronization_job with enabled = true).", jobID, job.Schedule.State))
		return
	}
	within, _ := time.ParseDuration(strings.TrimSpace(m.WaitForSteadyState.ValueString()))
	_, d := waitForSteadyState(ctx, r.data.client, sp, jobID, since, within, path.Root("wait_for_steady_state"))
	diags.Append(d...)
}

// credentialsRefused explains a validateCredentials refusal with Graph's message; the values
// never appear in it.
func credentialsRefused(err error, jobID string) diag.Diagnostic {
	var gerr *graph.Error
	if errors.As(err, &gerr) && gerr.StatusCode >= 400 && gerr.StatusCode < 500 && gerr.StatusCode != http.StatusForbidden &&
		gerr.StatusCode != http.StatusUnauthorized && gerr.StatusCode != http.StatusNotFound {
		return diag.NewAttributeErrorDiagnostic(path.Root("credentials_wo"), "Credentials refused by the target",
			fmt.Sprintf("The target of synchronization job %q refused the credentials, so nothing was saved. Graph: %s\n"+
				"Check the values in credentials_wo and settings, raise credentials_wo_version and apply again.", jobID, err))
	}
	return jobCallDiagnostic(err, fmt.Sprintf("validate credentials with synchronization job %q", jobID), "", path.Root("synchronization_job_id"))
}

// stringMap reads a map of strings; null, unknown and non-string values are left out.
func stringMap(v types.Map) map[string]string {
	m := map[string]string{}
	for k, e := range v.Elements() {
		if s, ok := e.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			m[k] = s.ValueString()
		}
	}
	return m
}

type credentialsModel struct {
	ID                   types.String `tfsdk:"id"`
	ServicePrincipalID   types.String `tfsdk:"service_principal_id"`
	SynchronizationJobID types.String `tfsdk:"synchronization_job_id"`
	CredentialsWO        types.Map    `tfsdk:"credentials_wo"`
	CredentialsWOVersion types.Int64  `tfsdk:"credentials_wo_version"`
	Settings             types.Map    `tfsdk:"settings"`
	Validate             types.Bool   `tfsdk:"validate"`
	WaitForSteadyState   types.String `tfsdk:"wait_for_steady_state"`
	SecretKeys           types.Set    `tfsdk:"secret_keys"`
}
