package provider

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/auth"
	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// Defaults of the provider settings.
const (
	defaultRateLimitRequests = 5
	defaultRateLimitInterval = 10 * time.Second
	defaultMaxRetries        = 10
)

// providerSettings are the provider settings after attribute/environment precedence and defaults.
type providerSettings struct {
	Auth              auth.Settings
	GraphEndpoint     string
	APIVersion        string
	RateLimitRequests int
	RateLimitInterval time.Duration
	// RateLimitSharedDir, when set, keeps each job's window in a file there, shared by every process.
	RateLimitSharedDir string
	MaxRetries         int
	// RedactPersonalData keeps personal data of provisioning answers out of state.
	RedactPersonalData bool
	// MembersPerCall is how many members of a group one provisionOnDemand call sends.
	MembersPerCall int
	PlanReads      planReads
}

// resolveSettings is the one list of provider settings: each is resolved once, attribute first, then
// its environment variables in order, then its default, and checked by the same parser whichever
// source it came from, so that an error names the attribute or variable the value came from.
func resolveSettings(m providerModel, getenv func(string) string) (providerSettings, diag.Diagnostics) {
	r := &settingsResolver{getenv: getenv}
	s := providerSettings{
		APIVersion: resolve(r, "api_version", m.APIVersion, graph.DefaultAPIVersion, checked(graph.CheckAPIVersion), "ENTRASYNC_API_VERSION"),
		RateLimitRequests: resolve(r, "rate_limit_requests", m.RateLimitRequests, defaultRateLimitRequests,
			parseCount(0, math.MaxInt32), "ENTRASYNC_RATE_LIMIT_REQUESTS"),
		RateLimitInterval: resolve(r, "rate_limit_interval", m.RateLimitInterval, defaultRateLimitInterval, parseInterval, "ENTRASYNC_RATE_LIMIT_INTERVAL"),
		RateLimitSharedDir: resolve(r, "rate_limit_shared_dir", m.RateLimitSharedDir, "", checked(graph.CheckSharedDir),
			"ENTRASYNC_RATE_LIMIT_SHARED_DIR"),
		MaxRetries:         resolve(r, "max_retries", m.MaxRetries, defaultMaxRetries, parseCount(0, graph.MaxRetriesLimit), "ENTRASYNC_MAX_RETRIES"),
		RedactPersonalData: resolve(r, "redact_personal_data", m.RedactPersonalData, false, parseBool, "ENTRASYNC_REDACT_PERSONAL_DATA"),
		MembersPerCall:     resolve(r, "members_per_call", m.MembersPerCall, maxGroupMembers, parseCount(1, maxGroupMembers), "ENTRASYNC_MEMBERS_PER_CALL"),
	}
	s.PlanReads = planReads{
		maxRetries: resolve(r, "plan_read_max_retries", m.PlanReadMaxRetries, defaultPlanReadMaxRetries,
			parseCount(0, graph.MaxRetriesLimit), "ENTRASYNC_PLAN_READ_MAX_RETRIES"),
		timeout: resolve(r, "plan_read_timeout", m.PlanReadTimeout, defaultPlanReadTimeout, parseInterval, "ENTRASYNC_PLAN_READ_TIMEOUT"),
	}
	s.Auth.Cloud = resolve(r, "environment", m.Environment, mustCloud("global"), parseCloud, "ARM_ENVIRONMENT")
	s.GraphEndpoint = resolve(r, "graph_endpoint", m.GraphEndpoint, s.Auth.Cloud.GraphEndpoint, graph.ParseEndpoint, "ENTRASYNC_GRAPH_ENDPOINT")
	s.Auth.AuthorityHost = resolve(r, "authority_host", m.AuthorityHost, "", auth.ParseAuthorityHost, "ENTRASYNC_AUTHORITY_HOST")
	resolveSignIn(r, &s.Auth, m)
	return s, r.diags
}

// resolveSignIn resolves the sign-in settings, with the fallbacks CI systems and AKS set on their
// own (ACTIONS_*, SYSTEM_*, AZURE_*).
func resolveSignIn(r *settingsResolver, a *auth.Settings, m providerModel) {
	a.TenantID = resolve(r, "tenant_id", m.TenantID, "", parseTenantID, "ARM_TENANT_ID")
	a.ClientID = r.str("client_id", m.ClientID, "ARM_CLIENT_ID")
	a.ClientSecret = r.str("client_secret", m.ClientSecret, "ARM_CLIENT_SECRET")
	a.AccessToken = r.str("access_token", m.AccessToken, "ENTRASYNC_ACCESS_TOKEN")
	a.ClientIDFilePath = r.str("client_id_file_path", m.ClientIDFilePath, "ARM_CLIENT_ID_FILE_PATH")
	a.ClientCertificate = r.str("client_certificate", m.ClientCertificate, "ARM_CLIENT_CERTIFICATE")
	a.ClientCertificatePath = r.str("client_certificate_path", m.ClientCertificatePath, "ARM_CLIENT_CERTIFICATE_PATH")
	a.ClientCertificatePassword = r.str("client_certificate_password", m.ClientCertificatePassword, "ARM_CLIENT_CERTIFICATE_PASSWORD")
	a.ClientSecretFilePath = r.str("client_secret_file_path", m.ClientSecretFilePath, "ARM_CLIENT_SECRET_FILE_PATH")

	a.UseOIDC = resolve(r, "use_oidc", m.UseOIDC, false, parseBool, "ARM_USE_OIDC")
	a.OIDCToken = r.str("oidc_token", m.OIDCToken, "ARM_OIDC_TOKEN")
	a.OIDCTokenFilePath = r.str("oidc_token_file_path", m.OIDCTokenFilePath, "ARM_OIDC_TOKEN_FILE_PATH")
	// GitHub Actions sets ACTIONS_ID_TOKEN_REQUEST_*, Azure Pipelines SYSTEM_ACCESSTOKEN (when mapped).
	a.OIDCRequestToken = r.str("oidc_request_token", m.OIDCRequestToken, "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN")
	a.OIDCRequestURL = r.str("oidc_request_url", m.OIDCRequestURL, "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL")
	a.ADOServiceConnectionID = r.str("ado_pipeline_service_connection_id", m.ADOPipelineServiceConnectionID, "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID")
	a.ADOOIDCRequestURL = r.env("SYSTEM_OIDCREQUESTURI")
	if !a.UseOIDC {
		refuseOIDCWithoutUseOIDC(r, m)
	}

	a.UseAKSWorkloadIdentity = resolve(r, "use_aks_workload_identity", m.UseAKSWorkloadIdentity, false, parseBool, "ARM_USE_AKS_WORKLOAD_IDENTITY")
	if a.UseAKSWorkloadIdentity {
		a.WorkloadTenantID = firstNonEmpty(a.TenantID, r.env("AZURE_TENANT_ID"))
		a.WorkloadClientID = firstNonEmpty(a.ClientID, r.env("AZURE_CLIENT_ID"))
		a.WorkloadTokenFile = firstNonEmpty(a.OIDCTokenFilePath, r.env("AZURE_FEDERATED_TOKEN_FILE"))
	}

	a.UseMSI = resolve(r, "use_msi", m.UseMSI, false, parseBool, "ARM_USE_MSI")
	// A user-assigned identity is named by msi_client_id, else by client_id (ARM_CLIENT_ID), as in azurerm.
	a.MSIClientID = firstNonEmpty(r.str("msi_client_id", m.MSIClientID), a.ClientID)
	a.UseCLI, a.UseCLISet = resolveSet(r, "use_cli", m.UseCLI, true, parseBool, "ARM_USE_CLI")
}

// refuseOIDCWithoutUseOIDC: CI systems set their OIDC variables whether used or not, but an
// attribute is meant to be used, so one set without use_oidc is an error rather than ignored.
func refuseOIDCWithoutUseOIDC(r *settingsResolver, m providerModel) {
	for name, v := range map[string]types.String{"oidc_token": m.OIDCToken, "oidc_token_file_path": m.OIDCTokenFilePath,
		"oidc_request_token": m.OIDCRequestToken, "oidc_request_url": m.OIDCRequestURL,
		"ado_pipeline_service_connection_id": m.ADOPipelineServiceConnectionID} {
		if v.ValueString() != "" {
			r.diags.AddAttributeError(path.Root(name), "OIDC setting without use_oidc",
				fmt.Sprintf("provider attribute %s is set, but use_oidc (ARM_USE_OIDC) is not true, so it would be ignored. "+
					"Set use_oidc = true to sign in with OIDC, or remove %s.", name, name))
		}
	}
}

// settingsResolver reads provider settings and collects what is wrong with them.
type settingsResolver struct {
	getenv func(string) string
	diags  diag.Diagnostics
}

// lookup returns a setting's raw value, trimmed: the attribute's when it is set, else the first
// environment variable that is not empty. source names where it came from; it is empty when the
// setting is not set at all.
func (r *settingsResolver) lookup(name string, v attr.Value, envs ...string) (raw, source string) {
	if !v.IsNull() && !v.IsUnknown() {
		switch v := v.(type) {
		case types.String:
			raw = v.ValueString()
		case types.Bool:
			raw = strconv.FormatBool(v.ValueBool())
		case types.Int64:
			raw = strconv.FormatInt(v.ValueInt64(), 10)
		}
		return strings.TrimSpace(raw), "provider attribute " + name
	}
	for _, env := range envs {
		if raw = r.env(env); raw != "" {
			return raw, "environment variable " + env
		}
	}
	return "", ""
}

func (r *settingsResolver) env(name string) string { return strings.TrimSpace(r.getenv(name)) }

// str resolves a setting taken as it is.
func (r *settingsResolver) str(name string, v types.String, envs ...string) string {
	raw, _ := r.lookup(name, v, envs...)
	return raw
}

// resolveSet resolves a setting through parse and reports whether it was set; an invalid value is
// an error on the attribute that names its source, and leaves the default.
func resolveSet[T any](r *settingsResolver, name string, v attr.Value, def T, parse func(string) (T, error), envs ...string) (T, bool) {
	raw, source := r.lookup(name, v, envs...)
	if source == "" {
		return def, false
	}
	out, err := parse(raw)
	if err != nil {
		r.diags.AddAttributeError(path.Root(name), "Invalid "+name, source+": "+err.Error()+".")
		return def, false
	}
	return out, true
}

// resolve is resolveSet without the report.
func resolve[T any](r *settingsResolver, name string, v attr.Value, def T, parse func(string) (T, error), envs ...string) T {
	out, _ := resolveSet(r, name, v, def, parse, envs...)
	return out
}

// checked turns a check into a parser that keeps the value.
func checked(check func(string) error) func(string) (string, error) {
	return func(v string) (string, error) { return v, check(v) }
}

func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%q is not true or false", v)
	}
	return b, nil
}

// parseCount reads a whole number from lowest to highest.
func parseCount(lowest, highest int) func(string) (int, error) {
	return func(v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < lowest || n > highest {
			if highest == math.MaxInt32 {
				return 0, fmt.Errorf("%q is not a whole number, %d or more", v, lowest)
			}
			return 0, fmt.Errorf("%q is not a whole number from %d to %d", v, lowest, highest)
		}
		return n, nil
	}
}

func parseCloud(v string) (auth.Cloud, error) {
	c, ok := auth.LookupCloud(v)
	if !ok {
		return c, fmt.Errorf("%q is not a Microsoft cloud; allowed values: %s", v, strings.Join(auth.EnvironmentNames(), ", "))
	}
	return c, nil
}

func mustCloud(name string) auth.Cloud {
	c, _ := auth.LookupCloud(name)
	return c
}

func parseTenantID(v string) (string, error) {
	if !validTenantID(v) {
		return "", fmt.Errorf("%q is not a tenant ID: a tenant ID is a GUID or a verified domain such as contoso.onmicrosoft.com", v)
	}
	return v, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// validTenantID accepts what Entra ID accepts as a tenant in a sign-in URL: letters, digits, '.' and '-'.
func validTenantID(id string) bool {
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// parseInterval parses a rate limit interval: a positive Go duration such as "10s" or "1m".
func parseInterval(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%q is not a Go duration; use a value such as \"10s\" or \"1m\"", v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be longer than zero, such as \"10s\"", v)
	}
	return d, nil
}
