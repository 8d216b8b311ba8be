package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func nullModel() providerModel {
	return providerModel{
		TenantID: types.StringNull(), ClientID: types.StringNull(), ClientSecret: types.StringNull(),
		AccessToken: types.StringNull(), Environment: types.StringNull(), GraphEndpoint: types.StringNull(),
		APIVersion: types.StringNull(), RateLimitRequests: types.Int64Null(), RateLimitInterval: types.StringNull(),
		MaxRetries: types.Int64Null(),
	}
}

func TestResolveSettingsDefaults(t *testing.T) {
	s, diags := resolveSettings(nullModel(), envOf(nil))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.GraphEndpoint != "https://graph.microsoft.com" || s.APIVersion != "v1.0" || s.RateLimitRequests != 5 ||
		s.RateLimitInterval != 10*time.Second || s.MaxRetries != 10 || s.Auth.Cloud.Name != "global" {
		t.Errorf("defaults = %+v", s)
	}
}

func TestResolveSettingsPlanReadsAndSharedDir(t *testing.T) {
	s, diags := resolveSettings(nullModel(), envOf(nil))
	if diags.HasError() || s.PlanReads != (planReads{maxRetries: 2, timeout: 30 * time.Second}) || s.RateLimitSharedDir != "" {
		t.Fatalf("defaults = %+v, %v", s, diags)
	}
	dir := t.TempDir()
	s, diags = resolveSettings(nullModel(), envOf(map[string]string{"ENTRASYNC_PLAN_READ_MAX_RETRIES": "0",
		"ENTRASYNC_PLAN_READ_TIMEOUT": "5s", "ENTRASYNC_RATE_LIMIT_SHARED_DIR": dir}))
	if diags.HasError() || s.PlanReads != (planReads{maxRetries: 0, timeout: 5 * time.Second}) || s.RateLimitSharedDir != dir {
		t.Fatalf("from the environment = %+v, %v", s, diags)
	}
}

func TestResolveSettingsEnvironmentFallbackAndPrecedence(t *testing.T) {
	env := envOf(map[string]string{
		"ARM_TENANT_ID": "t-env", "ARM_CLIENT_ID": "c-env", "ARM_CLIENT_SECRET": "s-env",
		"ENTRASYNC_ACCESS_TOKEN": "tok-env", "ARM_ENVIRONMENT": "usgovernmentl5",
		"ENTRASYNC_API_VERSION": "beta", "ENTRASYNC_RATE_LIMIT_REQUESTS": "0",
		"ENTRASYNC_RATE_LIMIT_INTERVAL": "1m", "ENTRASYNC_MAX_RETRIES": "3",
		"ENTRASYNC_GRAPH_ENDPOINT": "http://127.0.0.1:8080/",
	})
	s, diags := resolveSettings(nullModel(), env)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.Auth.TenantID != "t-env" || s.Auth.ClientID != "c-env" || s.Auth.ClientSecret != "s-env" || s.Auth.AccessToken != "tok-env" {
		t.Errorf("auth from env = %+v", s.Auth)
	}
	if s.Auth.Cloud.Name != "usgovernmentl5" || s.Auth.Cloud.Scope() != "https://dod-graph.microsoft.us/.default" {
		t.Errorf("cloud = %+v", s.Auth.Cloud)
	}
	if s.GraphEndpoint != "http://127.0.0.1:8080" || s.APIVersion != "beta" || s.RateLimitRequests != 0 ||
		s.RateLimitInterval != time.Minute || s.MaxRetries != 3 {
		t.Errorf("settings from env = %+v", s)
	}

	m := nullModel()
	m.APIVersion = types.StringValue("v1.0")
	m.RateLimitRequests = types.Int64Value(2)
	m.Environment = types.StringValue("public")
	s, diags = resolveSettings(m, env)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.APIVersion != "v1.0" || s.RateLimitRequests != 2 || s.Auth.Cloud.Name != "global" {
		t.Errorf("attributes must win over the environment: %+v", s)
	}
}

// TestResolveSettingsAcceptsMicrosoftProvidersEnvironments: ARM_ENVIRONMENT as azurerm and azuread spell it.
func TestResolveSettingsAcceptsMicrosoftProvidersEnvironments(t *testing.T) {
	for value, want := range map[string]string{
		"public": "https://graph.microsoft.com", "global": "https://graph.microsoft.com", "AzurePublic": "",
		"usgovernment": "https://graph.microsoft.us", "usgovernmentl4": "https://graph.microsoft.us",
		"dod": "https://dod-graph.microsoft.us", "usgovernmentl5": "https://dod-graph.microsoft.us",
		"china": "https://microsoftgraph.chinacloudapi.cn", "USGovernment": "https://graph.microsoft.us",
	} {
		s, diags := resolveSettings(nullModel(), envOf(map[string]string{"ARM_ENVIRONMENT": value}))
		if want == "" {
			if !diags.HasError() {
				t.Errorf("ARM_ENVIRONMENT=%q accepted", value)
			}
			continue
		}
		if diags.HasError() || s.GraphEndpoint != want {
			t.Errorf("ARM_ENVIRONMENT=%q: endpoint %q, %v; want %q", value, s.GraphEndpoint, diags, want)
		}
	}
}

func TestResolveSettingsInvalidEnvironmentValuesNameTheVariable(t *testing.T) {
	for name, tc := range map[string]struct{ env, value, want string }{
		"environment":   {"ARM_ENVIRONMENT", "mars", "environment variable ARM_ENVIRONMENT: \"mars\" is not a Microsoft cloud; allowed values: china, dod, global, public, usgovernment, usgovernmentl4, usgovernmentl5"},
		"api version":   {"ENTRASYNC_API_VERSION", "v2", "environment variable ENTRASYNC_API_VERSION: \"v2\" is not a Graph API version this provider speaks; allowed values: v1.0, beta"},
		"requests":      {"ENTRASYNC_RATE_LIMIT_REQUESTS", "-1", "environment variable ENTRASYNC_RATE_LIMIT_REQUESTS: \"-1\" is not a whole number, 0 or more"},
		"requests text": {"ENTRASYNC_RATE_LIMIT_REQUESTS", "five", "is not a whole number"},
		"interval":      {"ENTRASYNC_RATE_LIMIT_INTERVAL", "10", "\"10\" is not a Go duration"},
		"retries":       {"ENTRASYNC_MAX_RETRIES", "x", "environment variable ENTRASYNC_MAX_RETRIES: \"x\" is not a whole number from 0 to 100"},
		"endpoint http": {"ENTRASYNC_GRAPH_ENDPOINT", "http://10.0.0.5", "plain http on a non-loopback host"},
		"endpoint path": {"ENTRASYNC_GRAPH_ENDPOINT", "http://127.0.0.1:18080/v1.0", "environment variable ENTRASYNC_GRAPH_ENDPOINT: \"http://127.0.0.1:18080/v1.0\" has the API version \"v1.0\" in its path"},
		"retries range": {"ENTRASYNC_MAX_RETRIES", "1000", "\"1000\" is not a whole number from 0 to 100"},
		"plan retries":  {"ENTRASYNC_PLAN_READ_MAX_RETRIES", "101", "environment variable ENTRASYNC_PLAN_READ_MAX_RETRIES: \"101\" is not a whole number from 0 to 100"},
		"plan timeout":  {"ENTRASYNC_PLAN_READ_TIMEOUT", "0s", "environment variable ENTRASYNC_PLAN_READ_TIMEOUT: \"0s\" must be longer than zero"},
		"shared dir":    {"ENTRASYNC_RATE_LIMIT_SHARED_DIR", "windows", "environment variable ENTRASYNC_RATE_LIMIT_SHARED_DIR: \"windows\" is not an absolute path"},
	} {
		t.Run(name, func(t *testing.T) {
			_, diags := resolveSettings(nullModel(), envOf(map[string]string{tc.env: tc.value}))
			if !diags.HasError() {
				t.Fatalf("%s=%q accepted", tc.env, tc.value)
			}
			if got := diags[0].Detail(); !strings.Contains(got, tc.want) {
				t.Errorf("detail %q does not contain %q", got, tc.want)
			}
		})
	}
}

func TestParseSynchronizationJobID(t *testing.T) {
	sp := "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
	for in, want := range map[string][2]string{
		"scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c":                                                       {"scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c", ""},
		"gitHubEnterpriseCloud.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c.8213fd99-d6b6-417b-8e13-af6334856215": {"gitHubEnterpriseCloud.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c.8213fd99-d6b6-417b-8e13-af6334856215", ""},
		"/servicePrincipals/" + sp + "/synchronization/jobs/AD2AADProvisioning.abc":                   {"AD2AADProvisioning.abc", sp},
	} {
		job, gotSP, err := parseSynchronizationJobID(in)
		if err != nil || job != want[0] || gotSP != want[1] {
			t.Errorf("parseSynchronizationJobID(%q) = %q, %q, %v", in, job, gotSP, err)
		}
	}
	for _, bad := range []string{"", " ", "a b", "x/y", "/servicePrincipals/" + sp + "/synchronization/jobs/", "/servicePrincipals/not-a-guid/synchronization/jobs/x"} {
		if _, _, err := parseSynchronizationJobID(bad); err == nil {
			t.Errorf("parseSynchronizationJobID(%q) accepted", bad)
		}
	}
	for in, want := range map[string]string{
		"scim.1\r":               "space character (U+000D) at position 7",
		"scim\u00a0x":            "space character (U+00A0) at position 5",
		"scim\u2009x":            "space character (U+2009) at position 5",
		"scim.x?y=1":             "has '?' at position 7",
		"scim#x":                 "has '#' at position 5",
		"scim%2Fx":               "has '%' at position 5",
		"sc\x07im":               "control or invisible character (U+0007) at position 3",
		"sc\u200bim":             "control or invisible character (U+200B) at position 3",
		strings.Repeat("a", 257): "is 257 characters long, more than the 256",
		"/servicePrincipals/" + sp + "/synchronization/jobs/scim.1\u00a0": "its job ID has a space character (U+00A0) at position 7",
	} {
		_, _, err := parseSynchronizationJobID(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseSynchronizationJobID(%q) error = %v, want one that says %q", in, err, want)
		}
	}
	if id, ok := parseServicePrincipalID("/servicePrincipals/" + sp); !ok || id != sp {
		t.Errorf("path form service principal = %q, %v", id, ok)
	}
}

func TestCheckObjectTypeName(t *testing.T) {
	for _, ok := range objectTypeNames {
		if err := checkObjectTypeName(ok); err != nil {
			t.Errorf("%s rejected: %v", ok, err)
		}
	}
	err := checkObjectTypeName("USER")
	if err == nil || !strings.Contains(err.Error(), `did you mean "User" or "user"?`) {
		t.Errorf("USER: %v", err)
	}
}
