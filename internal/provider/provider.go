// Package provider is the Terraform layer of entrasync: schemas, plan-time validation and the
// mapping between Terraform values and the Graph client's request and result types.
package provider

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entrasync/terraform-provider-entrasync/internal/auth"
	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var (
	_ provider.Provider              = (*entrasyncProvider)(nil)
	_ provider.ProviderWithActions   = (*entrasyncProvider)(nil)
	_ provider.ProviderWithFunctions = (*entrasyncProvider)(nil)
)

// New returns a provider factory for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &entrasyncProvider{version: version, getenv: os.Getenv} }
}

type entrasyncProvider struct {
	version string
	getenv  func(string) string
}

func (p *entrasyncProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "entrasync"
	resp.Version = p.version
}

func (p *entrasyncProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Provision Microsoft Entra ID users and groups on demand through app provisioning " +
			"(synchronization) jobs, within Microsoft Graph's rate limit.",
		Attributes: map[string]schema.Attribute{
			"environment": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Microsoft cloud: `global` (default, alias `public`), `usgovernmentl4` (alias `usgovernment`), `usgovernmentl5` (alias `dod`) or `china`: azurerm's and azuread's spellings are accepted. " +
					"Picks the Graph host, sign-in authority and token scope. Defaults to `ARM_ENVIRONMENT`.",
				Validators: []validator.String{stringvalidator.OneOfCaseInsensitive(auth.EnvironmentNames()...)},
			},
			"graph_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL that replaces the environment's Graph host, for proxies and local fakes. Must be `https`; " +
					"plain `http` is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost). A path prefix (for a gateway) is kept, " +
					"but not a version such as `/v1.0`: the version comes from `api_version`. Tokens are still requested for the " +
					"environment's Graph. Defaults to `ENTRASYNC_GRAPH_ENDPOINT`.",
				Validators: []validator.String{stringCheck("a https URL (http only on loopback)", func(v string) error {
					_, err := graph.ParseEndpoint(v)
					return err
				})},
			},
			"api_version": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Graph API version: `v1.0` (default) or `beta`. Defaults to `ENTRASYNC_API_VERSION`.",
				Validators:          []validator.String{stringvalidator.OneOf(graph.APIVersions...)},
			},
			"rate_limit_requests": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Provision calls allowed per `rate_limit_interval` for each synchronization job (Graph allows 5 per 10 seconds). " +
					"Default `5`; `0` turns client-side limiting off. Defaults to `ENTRASYNC_RATE_LIMIT_REQUESTS`.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"rate_limit_interval": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Window of the client-side rate limit, as a Go duration (`10s`, `1m`). Default `10s`. Defaults to `ENTRASYNC_RATE_LIMIT_INTERVAL`.",
				Validators: []validator.String{stringCheck("a positive Go duration such as \"10s\"", func(v string) error {
					_, err := parseInterval(v)
					return err
				})},
			},
			"rate_limit_shared_dir": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Absolute path of a directory where the rate limit window of each job is kept in a file, under an exclusive " +
					"lock, so that every provider process of the machine given the same directory (parallel applies on one CI agent, " +
					"Atlantis workspaces) counts against one window. Created if missing. Unset (default), each process counts alone. " +
					"Linux, macOS and the BSDs only: refused on Windows, which lacks `flock`. Defaults to `ENTRASYNC_RATE_LIMIT_SHARED_DIR`.",
				Validators: []validator.String{stringCheck("an absolute directory path", func(v string) error {
					if !filepath.IsAbs(v) {
						return errors.New("not an absolute path")
					}
					return nil
				})},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Retries of one call after 429, 500, 502, 503, 504 or a connection error: 0 to 100. Default `10`. " +
					"Defaults to `ENTRASYNC_MAX_RETRIES`.",
				Validators: []validator.Int64{int64validator.Between(0, graph.MaxRetriesLimit)},
			},
			"redact_personal_data": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When `true`, no name, e-mail address or user principal name from provisioning answers reaches state, " +
					"diagnostics or logs: `result_value` is empty, every step's `details` null, `modified_properties` empty, and " +
					"`reportable_identifier`, messages and step descriptions name the subject by its object id. Statuses, codes and " +
					"step names stay. Default `false`. Defaults to `ENTRASYNC_REDACT_PERSONAL_DATA`.",
			},
			"members_per_call": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: membersPerCallDescription + " Default `5`. A resource or action may set its own. Defaults to `ENTRASYNC_MEMBERS_PER_CALL`.",
				Validators:          []validator.Int64{int64validator.Between(1, maxGroupMembers)},
			},
		},
	}
	for name, attr := range signInAttributes() {
		resp.Schema.Attributes[name] = attr
	}
	for name, attr := range planReadAttributes() {
		resp.Schema.Attributes[name] = attr
	}
}

func (p *entrasyncProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !req.Config.Raw.IsFullyKnown() {
		// Planning makes no API calls, so a client is needed only once the values are known at apply.
		tflog.Debug(ctx, "provider configuration has unknown values; the Graph client is created at apply")
		resp.ResourceData = &providerData{}
		resp.DataSourceData = &providerData{}
		resp.ActionData = &providerData{}
		return
	}

	settings, diags := resolveSettings(m, p.getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	credential, err := auth.NewCredential(settings.Auth)
	if err != nil {
		resp.Diagnostics.AddError("Cannot sign in to Microsoft Graph", err.Error())
		return
	}
	client, err := graph.NewClient(graph.Config{
		Endpoint:           settings.GraphEndpoint,
		APIVersion:         settings.APIVersion,
		Credential:         credential,
		Scopes:             []string{settings.Auth.Cloud.Scope()},
		Version:            p.version,
		RateLimitRequests:  settings.RateLimitRequests,
		RateLimitInterval:  settings.RateLimitInterval,
		RateLimitSharedDir: settings.RateLimitSharedDir,
		MaxRetries:         settings.MaxRetries,
		StaticToken:        credential.Method == auth.MethodAccessToken,
		OnEvent:            graphEvents(credential.Secrets),
	})
	if err != nil {
		resp.Diagnostics.AddError("Invalid provider configuration", err.Error())
		return
	}
	tflog.Info(ctx, "configured Microsoft Graph client", map[string]any{
		"sign_in_method":      credential.Method,
		"graph_endpoint":      settings.GraphEndpoint,
		"api_version":         settings.APIVersion,
		"rate_limit_requests": settings.RateLimitRequests,
		"rate_limit_interval": settings.RateLimitInterval.String(),
	})
	data := &providerData{client: client, redactPersonalData: settings.RedactPersonalData, signInMethod: credential.Method,
		membersPerCall: settings.MembersPerCall, apiVersion: settings.APIVersion, rateLimitRequests: settings.RateLimitRequests, rateLimitInterval: settings.RateLimitInterval,
		planReads: settings.PlanReads}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
}

func (p *entrasyncProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{newProvisionOnDemandAction}
}

func (p *entrasyncProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{newDecodeProvisioningResultFunction}
}

func (p *entrasyncProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newProvisionOnDemandResource, newSynchronizationJobResource, newSynchronizationCredentialsResource, newAttributeMappingsResource,
	}
}

func (p *entrasyncProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newSynchronizationJobsDataSource,
		newSynchronizationJobDataSource,
		newSynchronizationRulesDataSource,
		newSynchronizationTemplatesDataSource,
		newSynchronizationSchemaDataSource,
	}
}

// providerModel maps the provider block.
type providerModel struct {
	TenantID           types.String `tfsdk:"tenant_id"`
	ClientID           types.String `tfsdk:"client_id"`
	ClientSecret       types.String `tfsdk:"client_secret"`
	AccessToken        types.String `tfsdk:"access_token"`
	Environment        types.String `tfsdk:"environment"`
	GraphEndpoint      types.String `tfsdk:"graph_endpoint"`
	APIVersion         types.String `tfsdk:"api_version"`
	RateLimitRequests  types.Int64  `tfsdk:"rate_limit_requests"`
	RateLimitInterval  types.String `tfsdk:"rate_limit_interval"`
	RateLimitSharedDir types.String `tfsdk:"rate_limit_shared_dir"`
	MaxRetries         types.Int64  `tfsdk:"max_retries"`
	RedactPersonalData types.Bool   `tfsdk:"redact_personal_data"`
	MembersPerCall     types.Int64  `tfsdk:"members_per_call"`
	PlanReadMaxRetries types.Int64  `tfsdk:"plan_read_max_retries"`
	PlanReadTimeout    types.String `tfsdk:"plan_read_timeout"`

	ClientIDFilePath               types.String `tfsdk:"client_id_file_path"`
	ClientCertificate              types.String `tfsdk:"client_certificate"`
	ClientCertificatePath          types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword      types.String `tfsdk:"client_certificate_password"`
	ClientSecretFilePath           types.String `tfsdk:"client_secret_file_path"`
	UseOIDC                        types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                      types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath              types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestToken               types.String `tfsdk:"oidc_request_token"`
	OIDCRequestURL                 types.String `tfsdk:"oidc_request_url"`
	ADOPipelineServiceConnectionID types.String `tfsdk:"ado_pipeline_service_connection_id"`
	UseAKSWorkloadIdentity         types.Bool   `tfsdk:"use_aks_workload_identity"`
	UseMSI                         types.Bool   `tfsdk:"use_msi"`
	MSIClientID                    types.String `tfsdk:"msi_client_id"`
	UseCLI                         types.Bool   `tfsdk:"use_cli"`
	AuthorityHost                  types.String `tfsdk:"authority_host"`
}
