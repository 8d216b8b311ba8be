package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestResolveSignInFallbacks(t *testing.T) {
	s, diags := resolveSettings(nullModel(), envOf(map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "gh-token", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/x",
		"SYSTEM_ACCESSTOKEN": "ado-token", "SYSTEM_OIDCREQUESTURI": "https://dev.azure.example/oidc",
		"AZURE_CLIENT_ID": "aks-client", "AZURE_TENANT_ID": "aks-tenant", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token",
		"ARM_USE_OIDC": "1", "ARM_CLIENT_ID": "arm-client", "ENTRASYNC_AUTHORITY_HOST": "https://login.contoso.example",
	}))
	if diags.HasError() {
		t.Fatal(diags)
	}
	a := s.Auth
	if !a.UseOIDC || a.OIDCRequestToken != "gh-token" || a.OIDCRequestURL != "https://token.actions.example/x" || a.ADOOIDCRequestURL != "https://dev.azure.example/oidc" {
		t.Errorf("GitHub / Azure Pipelines fallbacks: %+v", a)
	}
	if a.UseAKSWorkloadIdentity || a.WorkloadClientID != "" {
		t.Errorf("AZURE_* used without use_aks_workload_identity: %+v", a)
	}
	if !a.UseCLI || a.UseCLISet {
		t.Errorf("use_cli must default to true, unset: %v %v", a.UseCLI, a.UseCLISet)
	}
	if a.MSIClientID != "arm-client" {
		t.Errorf("msi client id = %q, want client_id's", a.MSIClientID)
	}
	if a.AuthorityHost != "https://login.contoso.example/" {
		t.Errorf("authority host = %q", a.AuthorityHost)
	}

	m := nullModel()
	m.UseOIDC = types.BoolValue(true)
	m.OIDCRequestToken = types.StringValue("attr-token")
	m.UseAKSWorkloadIdentity = types.BoolValue(true)
	m.TenantID = types.StringValue("attr-tenant")
	m.UseCLI = types.BoolValue(false)
	m.MSIClientID = types.StringValue("msi-client")
	s, diags = resolveSettings(m, envOf(map[string]string{
		"ARM_OIDC_REQUEST_TOKEN": "arm-token", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "gh-token", "SYSTEM_ACCESSTOKEN": "ado-token",
		"AZURE_CLIENT_ID": "aks-client", "AZURE_TENANT_ID": "aks-tenant", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token",
	}))
	if diags.HasError() {
		t.Fatal(diags)
	}
	a = s.Auth
	if a.OIDCRequestToken != "attr-token" {
		t.Errorf("the attribute must win: %q", a.OIDCRequestToken)
	}
	if a.WorkloadTenantID != "attr-tenant" || a.WorkloadClientID != "aks-client" || a.WorkloadTokenFile != "/var/run/token" {
		t.Errorf("workload identity = %q %q %q", a.WorkloadTenantID, a.WorkloadClientID, a.WorkloadTokenFile)
	}
	if a.UseCLI || !a.UseCLISet || a.MSIClientID != "msi-client" {
		t.Errorf("use_cli = %v (set %v), msi = %q", a.UseCLI, a.UseCLISet, a.MSIClientID)
	}
}

func TestResolveSignInInvalidValuesNameTheirSource(t *testing.T) {
	for name, tc := range map[string]struct {
		env   map[string]string
		model func(*providerModel)
		want  string
	}{
		"bool variable":       {env: map[string]string{"ARM_USE_CLI": "maybe"}, want: `environment variable ARM_USE_CLI: "maybe" is not true or false`},
		"authority variable":  {env: map[string]string{"ENTRASYNC_AUTHORITY_HOST": "http://login.example.com"}, want: "environment variable ENTRASYNC_AUTHORITY_HOST: \"http://login.example.com\" must use https"},
		"authority attribute": {model: func(m *providerModel) { m.AuthorityHost = types.StringValue("login.example.com") }, want: "provider attribute authority_host: \"login.example.com\" is not an absolute URL"},
		"oidc without use_oidc": {model: func(m *providerModel) { m.OIDCTokenFilePath = types.StringValue("/var/run/token") },
			want: "provider attribute oidc_token_file_path is set, but use_oidc (ARM_USE_OIDC) is not true"},
		"tenant variable": {env: map[string]string{"ARM_TENANT_ID": "contoso/tenant"}, want: `environment variable ARM_TENANT_ID: "contoso/tenant" is not a tenant ID: a tenant ID is a GUID`},
	} {
		t.Run(name, func(t *testing.T) {
			m := nullModel()
			if tc.model != nil {
				tc.model(&m)
			}
			_, diags := resolveSettings(m, envOf(tc.env))
			if !diags.HasError() {
				t.Fatal("accepted")
			}
			if got := diags[0].Detail(); !strings.Contains(got, tc.want) {
				t.Errorf("detail %q does not contain %q", got, tc.want)
			}
		})
	}
}
