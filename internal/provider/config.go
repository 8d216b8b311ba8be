package provider

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/auth"
)

// Defaults of the provider settings.
const (
	defaultAPIVersion        = "v1.0"
	defaultRateLimitRequests = 5
	defaultRateLimitInterval = 10 * time.Second
	defaultMaxRetries        = 10
)

var apiVersions = []string{"v1.0", "beta"}

// providerSettings are the provider settings after attribute/environment precedence and defaults.
type providerSettings struct {
	Auth              auth.Settings
	GraphEndpoint     string
	APIVersion        string
	RateLimitRequests int
	RateLimitInterval time.Duration
	MaxRetries        int
	// RedactPersonalData keeps personal data of provisioning answers out of state.
	RedactPersonalData bool
}

// setting is one configuration value: the attribute wins, then the environment variable.
type setting struct {
	attr  string
	value types.String
	env   string
}

// resolve returns the attribute's value, else the environment's, and where it came from.
func (s setting) resolve(getenv func(string) string) (value, source string) {
	if !s.value.IsNull() && !s.value.IsUnknown() {
		return s.value.ValueString(), "provider attribute " + s.attr
	}
	return getenv(s.env), "environment variable " + s.env
}

// resolveSettings applies precedence (attribute, environment, default) and validates the
// result, so that values from the environment get the same checks as configured ones.
func resolveSettings(m providerModel, getenv func(string) string) (providerSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	var s providerSettings

	str := func(attr string, v types.String, env string) string {
		value, _ := setting{attr, v, env}.resolve(getenv)
		return strings.TrimSpace(value)
	}
	s.Auth.TenantID = str("tenant_id", m.TenantID, "ARM_TENANT_ID")
	s.Auth.ClientID = str("client_id", m.ClientID, "ARM_CLIENT_ID")
	s.Auth.ClientSecret = str("client_secret", m.ClientSecret, "ARM_CLIENT_SECRET")
	s.Auth.AccessToken = str("access_token", m.AccessToken, "ENTRASYNC_ACCESS_TOKEN")
	resolveSignIn(&s.Auth, &diags, m, getenv, str)

	env, envSource := setting{"environment", m.Environment, "ARM_ENVIRONMENT"}.resolve(getenv)
	if env == "" {
		env = "global"
	}
	cloud, ok := auth.LookupCloud(env)
	if !ok {
		diags.AddAttributeError(path.Root("environment"), "Unknown environment",
			fmt.Sprintf("%s is %q; allowed values: %s.", envSource, env, strings.Join(auth.EnvironmentNames(), ", ")))
	}
	s.Auth.Cloud = cloud
	if host, source := (setting{"authority_host", m.AuthorityHost, "ENTRASYNC_AUTHORITY_HOST"}).resolve(getenv); host != "" {
		normalised, err := auth.ParseAuthorityHost(host)
		if err != nil {
			diags.AddAttributeError(path.Root("authority_host"), "Invalid authority host", fmt.Sprintf("%s: %s", source, err))
		}
		s.Auth.AuthorityHost = normalised
	}
	s.GraphEndpoint = cloud.GraphEndpoint

	if endpoint, source := (setting{"graph_endpoint", m.GraphEndpoint, "ENTRASYNC_GRAPH_ENDPOINT"}).resolve(getenv); endpoint != "" {
		normalised, err := validateGraphEndpoint(endpoint)
		if err != nil {
			diags.AddAttributeError(path.Root("graph_endpoint"), "Invalid Graph endpoint", fmt.Sprintf("%s: %s", source, err))
		}
		s.GraphEndpoint = normalised
	}

	s.APIVersion = defaultAPIVersion
	if v, source := (setting{"api_version", m.APIVersion, "ENTRASYNC_API_VERSION"}).resolve(getenv); v != "" {
		if v != "v1.0" && v != "beta" {
			diags.AddAttributeError(path.Root("api_version"), "Invalid API version",
				fmt.Sprintf("%s is %q; allowed values: %s.", source, v, strings.Join(apiVersions, ", ")))
		}
		s.APIVersion = v
	}

	s.RateLimitRequests = intSetting(&diags, m.RateLimitRequests, "rate_limit_requests", "ENTRASYNC_RATE_LIMIT_REQUESTS", defaultRateLimitRequests, getenv)
	s.MaxRetries = intSetting(&diags, m.MaxRetries, "max_retries", "ENTRASYNC_MAX_RETRIES", defaultMaxRetries, getenv)
	s.RedactPersonalData, _ = boolSetting(&diags, m.RedactPersonalData, "redact_personal_data", "ENTRASYNC_REDACT_PERSONAL_DATA", false, getenv)

	s.RateLimitInterval = defaultRateLimitInterval
	if v, source := (setting{"rate_limit_interval", m.RateLimitInterval, "ENTRASYNC_RATE_LIMIT_INTERVAL"}).resolve(getenv); v != "" {
		d, err := parseInterval(v)
		if err != nil {
			diags.AddAttributeError(path.Root("rate_limit_interval"), "Invalid rate limit interval", fmt.Sprintf("%s: %s", source, err))
		}
		s.RateLimitInterval = d
	}
	return s, diags
}

// resolveSignIn resolves the sign-in settings beyond tenant, client, secret and access token,
// with the fallbacks CI systems and AKS set on their own (ACTIONS_*, SYSTEM_*, AZURE_*).
func resolveSignIn(a *auth.Settings, diags *diag.Diagnostics, m providerModel, getenv func(string) string,
	str func(attr string, v types.String, env string) string) {
	firstEnv := func(value string, envs ...string) string {
		for _, env := range envs {
			if value != "" {
				break
			}
			value = strings.TrimSpace(getenv(env))
		}
		return value
	}
	a.ClientIDFilePath = str("client_id_file_path", m.ClientIDFilePath, "ARM_CLIENT_ID_FILE_PATH")
	a.ClientCertificate = str("client_certificate", m.ClientCertificate, "ARM_CLIENT_CERTIFICATE")
	a.ClientCertificatePath = str("client_certificate_path", m.ClientCertificatePath, "ARM_CLIENT_CERTIFICATE_PATH")
	a.ClientCertificatePassword = str("client_certificate_password", m.ClientCertificatePassword, "ARM_CLIENT_CERTIFICATE_PASSWORD")
	a.ClientSecretFilePath = str("client_secret_file_path", m.ClientSecretFilePath, "ARM_CLIENT_SECRET_FILE_PATH")

	a.UseOIDC, _ = boolSetting(diags, m.UseOIDC, "use_oidc", "ARM_USE_OIDC", false, getenv)
	a.OIDCToken = str("oidc_token", m.OIDCToken, "ARM_OIDC_TOKEN")
	a.OIDCTokenFilePath = str("oidc_token_file_path", m.OIDCTokenFilePath, "ARM_OIDC_TOKEN_FILE_PATH")
	// GitHub Actions sets ACTIONS_ID_TOKEN_REQUEST_*, Azure Pipelines SYSTEM_ACCESSTOKEN (when mapped).
	a.OIDCRequestToken = firstEnv(str("oidc_request_token", m.OIDCRequestToken, "ARM_OIDC_REQUEST_TOKEN"),
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN")
	a.OIDCRequestURL = firstEnv(str("oidc_request_url", m.OIDCRequestURL, "ARM_OIDC_REQUEST_URL"), "ACTIONS_ID_TOKEN_REQUEST_URL")
	a.ADOServiceConnectionID = str("ado_pipeline_service_connection_id", m.ADOPipelineServiceConnectionID, "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID")
	a.ADOOIDCRequestURL = strings.TrimSpace(getenv("SYSTEM_OIDCREQUESTURI"))

	if !a.UseOIDC {
		// CI systems set their OIDC variables whether used or not; an attribute, though, is meant to be used.
		for attr, v := range map[string]types.String{"oidc_token": m.OIDCToken, "oidc_token_file_path": m.OIDCTokenFilePath,
			"oidc_request_token": m.OIDCRequestToken, "oidc_request_url": m.OIDCRequestURL,
			"ado_pipeline_service_connection_id": m.ADOPipelineServiceConnectionID} {
			if v.ValueString() != "" {
				diags.AddAttributeError(path.Root(attr), "OIDC setting without use_oidc",
					fmt.Sprintf("provider attribute %s is set, but use_oidc (ARM_USE_OIDC) is not true, so it would be ignored. "+
						"Set use_oidc = true to sign in with OIDC, or remove %s.", attr, attr))
			}
		}
	}

	a.UseAKSWorkloadIdentity, _ = boolSetting(diags, m.UseAKSWorkloadIdentity, "use_aks_workload_identity", "ARM_USE_AKS_WORKLOAD_IDENTITY", false, getenv)
	if a.UseAKSWorkloadIdentity {
		a.WorkloadTenantID = firstEnv(a.TenantID, "AZURE_TENANT_ID")
		a.WorkloadClientID = firstEnv(a.ClientID, "AZURE_CLIENT_ID")
		a.WorkloadTokenFile = firstEnv(a.OIDCTokenFilePath, "AZURE_FEDERATED_TOKEN_FILE")
	}

	a.UseMSI, _ = boolSetting(diags, m.UseMSI, "use_msi", "ARM_USE_MSI", false, getenv)
	// A user-assigned identity is named by msi_client_id, else by client_id (ARM_CLIENT_ID), as in azurerm.
	if a.MSIClientID = strings.TrimSpace(m.MSIClientID.ValueString()); a.MSIClientID == "" {
		a.MSIClientID = a.ClientID
	}
	a.UseCLI, a.UseCLISet = boolSetting(diags, m.UseCLI, "use_cli", "ARM_USE_CLI", true, getenv)

	if a.TenantID != "" && !validTenantID(a.TenantID) {
		_, source := setting{"tenant_id", m.TenantID, "ARM_TENANT_ID"}.resolve(getenv)
		diags.AddAttributeError(path.Root("tenant_id"), "Invalid tenant ID",
			fmt.Sprintf("%s is %q; a tenant ID is a GUID or a verified domain such as contoso.onmicrosoft.com.", source, a.TenantID))
	}
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

// boolSetting resolves a boolean setting from its attribute or environment variable (any form
// strconv.ParseBool reads: true, false, 1, 0, ...) and reports whether it was set at all.
func boolSetting(diags *diag.Diagnostics, v types.Bool, attr, env string, def bool, getenv func(string) string) (value, set bool) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), true
	}
	raw := strings.TrimSpace(getenv(env))
	if raw == "" {
		return def, false
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		diags.AddAttributeError(path.Root(attr), "Invalid "+attr,
			fmt.Sprintf("environment variable %s is %q; it must be true or false.", env, raw))
		return def, false
	}
	return b, true
}

// intSetting resolves a non-negative integer setting from its attribute or environment variable.
func intSetting(diags *diag.Diagnostics, v types.Int64, attr, env string, def int, getenv func(string) string) int {
	if !v.IsNull() && !v.IsUnknown() {
		if v.ValueInt64() < 0 {
			diags.AddAttributeError(path.Root(attr), "Invalid "+attr, fmt.Sprintf("provider attribute %s is %d; it must be 0 or more.", attr, v.ValueInt64()))
		}
		return int(v.ValueInt64())
	}
	raw := strings.TrimSpace(getenv(env))
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		diags.AddAttributeError(path.Root(attr), "Invalid "+attr,
			fmt.Sprintf("environment variable %s is %q; it must be a whole number, 0 or more.", env, raw))
		return def
	}
	return n
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

// validateGraphEndpoint accepts https URLs, and plain http only on loopback hosts (local fakes
// and proxies), so a token is never sent in clear over a network. It returns the URL without a
// trailing slash.
func validateGraphEndpoint(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%q is not an absolute URL; use a base URL such as \"https://graph.microsoft.com\"", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%q must be a plain base URL without user info, query or fragment", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("%q uses plain http on a non-loopback host; use https (http is accepted only for 127.0.0.0/8, ::1 and localhost)", raw)
		}
	default:
		return "", fmt.Errorf("%q must use https (or http on a loopback host)", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
