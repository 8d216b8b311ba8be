package provider

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
	"github.com/entrasync/terraform-provider-entrasync/internal/fakeidentity"
)

// TestMain makes the process trust the fake identity's CA through SSL_CERT_FILE, as a user
// trusts a private CA. crypto/x509 reads it once, at the first TLS handshake of the process,
// and the provider runs in this process: so it is set before any test runs.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "entrasync-test-ca")
	if err == nil {
		identityCA, err = fakeidentity.NewCA()
	}
	if err == nil {
		file := filepath.Join(dir, "ca.pem")
		if err = os.WriteFile(file, identityCA.PEM(), 0o600); err == nil {
			err = os.Setenv("SSL_CERT_FILE", file)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "test CA:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var identityCA *fakeidentity.CA

const (
	authTenant    = "8f1c2d3e-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
	authClient    = "2b7e9c41-5d3a-4f8e-b6c1-9a0d2e4f6b8c"
	authSecret    = "client-secret-value-7Q~d81f" //nolint:gosec // the fake authority's test secret
	authGitHubSub = "repo:entrasync/infra:environment:production"
	authAKSSub    = "system:serviceaccount:provisioning:terraform"
	authADOSub    = "sc://entrasync/infra/entra-provisioning"
	authADOConn   = "3f0e4a1c-7b2d-4e8f-9a6c-5d1b0e2f4a7c"
	globalGraph   = "https://graph.microsoft.com"
)

// signInVariables are the variables the provider and azidentity read for sign-in; every auth
// test starts with none of them set, whatever the machine has.
var signInVariables = []string{
	"ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_ID_FILE_PATH", "ARM_CLIENT_SECRET", "ARM_CLIENT_SECRET_FILE_PATH",
	"ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PASSWORD",
	"ARM_USE_OIDC", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH", "ARM_OIDC_REQUEST_TOKEN", "ARM_OIDC_REQUEST_URL",
	"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_USE_AKS_WORKLOAD_IDENTITY", "ARM_USE_MSI", "ARM_USE_CLI", "ARM_ENVIRONMENT",
	"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_ACCESSTOKEN", "SYSTEM_OIDCREQUESTURI",
	"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
	"IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT", "MSI_ENDPOINT", "MSI_SECRET",
	"ENTRASYNC_ACCESS_TOKEN", "ENTRASYNC_AUTHORITY_HOST",
	"TF_VAR_secret", // the tests' own: secrets reach HCL as a sensitive variable, as in real configurations
}

// setSignInEnv clears every sign-in variable, sets vars, and puts cliDir ("" = an empty
// directory) first on a PATH that has no other `az`.
func setSignInEnv(t *testing.T, cliDir string, vars map[string]string) {
	t.Helper()
	for _, v := range signInVariables {
		t.Setenv(v, "")
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
	if cliDir == "" {
		cliDir = t.TempDir()
	}
	dirs := []string{cliDir}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(dir, "az")); err != nil && dir != cliDir {
			dirs = append(dirs, dir)
		}
	}
	t.Setenv("PATH", strings.Join(dirs, string(os.PathListSeparator)))
}

// authEnv is a fake identity platform with one application that may sign in every way, and a
// fake Graph that accepts only tokens the platform issued for resource.
type authEnv struct {
	idp     *fakeidentity.Server
	graph   *fakegraph.Server
	pem     []byte // the application's PEM certificate and key
	p12     []byte // its PKCS#12 certificate
	dir     string
	adoURL  string
	adoTok  string
	ghURL   string
	ghToken string
}

func newAuthEnv(t *testing.T, resource string) *authEnv {
	t.Helper()
	setSignInEnv(t, "", nil)
	idp, err := fakeidentity.Start(identityCA)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(idp.Close)
	pemCert, cert, err := fakeidentity.NewClientCertificate("entrasync acceptance test")
	if err != nil {
		t.Fatal(err)
	}
	p12, p12Cert, err := fakeidentity.PKCS12Certificate()
	if err != nil {
		t.Fatal(err)
	}
	idp.AddApp(fakeidentity.App{
		TenantID: authTenant, ClientID: authClient, Secret: authSecret,
		Certificates:      []*x509.Certificate{cert, p12Cert},
		FederatedSubjects: []string{authGitHubSub, authAKSSub, authADOSub},
	})
	e := &authEnv{idp: idp, pem: pemCert, p12: p12, dir: t.TempDir()}
	e.ghURL, e.ghToken = idp.GitHubActions(authGitHubSub)
	e.adoURL, e.adoTok = idp.AzurePipelines(authADOConn, authADOSub)
	e.graph = fakegraph.New(fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit, AcceptToken: idp.AcceptToken(resource)})
	e.graph.Start()
	t.Cleanup(e.graph.Close)
	return e
}

// file writes content into the test's directory and returns its path.
func (e *authEnv) file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// config provisions one user with a provider block holding providerExtra; trigger names the
// run, so a step with another trigger provisions again.
func (e *authEnv) config(providerExtra, trigger string) string {
	return fmt.Sprintf(`
variable "secret" {
  type      = string
  default   = null
  sensitive = true
}

provider "entrasync" {
  graph_endpoint      = %q
  authority_host      = %q
  rate_limit_requests = 0
  max_retries         = 0
  %s
}

resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{
    rule_id  = %q
    subjects = [{ object_id = %q, object_type_name = "User" }]
  }]
  triggers = { sign_in = %q }
}
`, e.graph.URL(), e.idp.URL(), providerExtra, fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID,
		fakegraph.SCIMUserRuleID, fakegraph.UserAdaID, trigger)
}

// usedGrant checks that the last token Graph accepted was issued through grant to client.
func (e *authEnv) usedGrant(grant, client string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		accepted := e.idp.Accepted()
		if len(accepted) == 0 {
			return fmt.Errorf("Graph accepted no token")
		}
		last := accepted[len(accepted)-1]
		if last.Grant != grant || last.ClientID != client {
			return fmt.Errorf("the provision call used a %s token of %q, want a %s token of %q", last.Grant, last.ClientID, grant, client)
		}
		return nil
	}
}

// provisioned: Graph answered the run; the same user provisioned again is Skipped as already in sync.
var provisioned = []statecheck.StateCheck{
	statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringRegexp(regexp.MustCompile(`^(Success|Skipped)$`))),
	statecheck.ExpectKnownValue(resAddr, str("request_id"), knownvalue.StringRegexp(uuidPattern)),
}

// TestAccAuth_everyMethodProvisionsAndLogsNoSecret signs in every way, one apply each,
// configured as engineers configure it (attributes or the CI system's variables), with
// TF_LOG=TRACE captured to a file; then searches the whole log for every secret and token.
func TestAccAuth_everyMethodProvisionsAndLogsNoSecret(t *testing.T) {
	e := newAuthEnv(t, globalGraph)
	logFile := filepath.Join(t.TempDir(), "provider.log")
	// The provider runs in this process: terraform-plugin-testing gives it a tflog sink that
	// reads TF_LOG and TF_LOG_PATH when each provider server starts.
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logFile)

	const msiClient = "6c3f1a2b-8e9d-4c7b-a5f4-3e2d1c0b9a8f"
	e.idp.AddManagedIdentity(msiClient)
	oidcToken := e.idp.IssueFederatedToken(authGitHubSub, fakeidentity.FederatedAudience, time.Hour)
	aksTokenFile := e.file(t, "aks-token", e.idp.IssueFederatedToken(authAKSSub, fakeidentity.FederatedAudience, time.Hour))
	cliDir := t.TempDir()
	cliToken := e.idp.MintToken(authTenant, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", globalGraph)
	if _, err := fakeidentity.InstallAzureCLI(cliDir, fakeidentity.AzureCLI{Token: cliToken, Resource: globalGraph, TenantID: authTenant}); err != nil {
		t.Fatal(err)
	}
	accessToken := e.idp.MintToken(authTenant, authClient, globalGraph)
	p12Base64 := base64.StdEncoding.EncodeToString(e.p12)
	app := map[string]string{"ARM_TENANT_ID": authTenant, "ARM_CLIENT_ID": authClient}
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range app {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}

	steps := []struct {
		name, provider string
		env            map[string]string
		cliDir         string
		grant, client  string
	}{
		{name: "secret from ARM variables", env: with(map[string]string{"ARM_CLIENT_SECRET": authSecret}),
			grant: fakeidentity.GrantClientSecret, client: authClient},
		{name: "secret and client id from files", provider: fmt.Sprintf("tenant_id = %q\nclient_id_file_path = %q\nclient_secret_file_path = %q",
			authTenant, e.file(t, "client-id", authClient+"\n"), e.file(t, "secret", authSecret+"\n")),
			grant: fakeidentity.GrantClientSecret, client: authClient},
		{name: "PEM certificate file", provider: fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate_path = %q",
			authTenant, authClient, e.file(t, "client.pem", string(e.pem))),
			grant: fakeidentity.GrantCertificate, client: authClient},
		{name: "PKCS#12 certificate from ARM variables", env: with(map[string]string{
			"ARM_CLIENT_CERTIFICATE": p12Base64, "ARM_CLIENT_CERTIFICATE_PASSWORD": fakeidentity.PKCS12Password}),
			grant: fakeidentity.GrantCertificate, client: authClient},
		{name: "OIDC token attribute", provider: fmt.Sprintf("tenant_id = %q\nclient_id = %q\nuse_oidc = true\noidc_token = var.secret",
			authTenant, authClient), env: map[string]string{"TF_VAR_secret": oidcToken},
			grant: fakeidentity.GrantFederated, client: authClient},
		{name: "OIDC token file from ARM variables", env: with(map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN_FILE_PATH": aksTokenFile}),
			grant: fakeidentity.GrantFederated, client: authClient},
		{name: "Azure Pipelines", env: with(map[string]string{"ARM_USE_OIDC": "true", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID": authADOConn,
			"SYSTEM_ACCESSTOKEN": e.adoTok, "SYSTEM_OIDCREQUESTURI": e.adoURL}),
			grant: fakeidentity.GrantFederated, client: authClient},
		{name: "GitHub Actions", env: with(map[string]string{"ARM_USE_OIDC": "true",
			"ACTIONS_ID_TOKEN_REQUEST_TOKEN": e.ghToken, "ACTIONS_ID_TOKEN_REQUEST_URL": e.ghURL}),
			grant: fakeidentity.GrantFederated, client: authClient},
		{name: "AKS workload identity", env: map[string]string{"ARM_USE_AKS_WORKLOAD_IDENTITY": "true",
			"AZURE_CLIENT_ID": authClient, "AZURE_TENANT_ID": authTenant, "AZURE_FEDERATED_TOKEN_FILE": aksTokenFile},
			grant: fakeidentity.GrantFederated, client: authClient},
		{name: "managed identity", provider: fmt.Sprintf("use_msi = true\nmsi_client_id = %q", msiClient),
			env:   map[string]string{"IDENTITY_ENDPOINT": e.idp.IdentityEndpoint(), "IDENTITY_HEADER": e.idp.IdentityHeader()},
			grant: fakeidentity.GrantManagedIdentity, client: msiClient},
		{name: "Azure CLI by default", provider: fmt.Sprintf("tenant_id = %q", authTenant), cliDir: cliDir,
			grant: fakeidentity.GrantMinted, client: "04b07795-8ddb-461a-bbee-02f9e1bf7b46"},
		{name: "access token", provider: "access_token = var.secret", env: map[string]string{"TF_VAR_secret": accessToken},
			grant: fakeidentity.GrantMinted, client: authClient},
	}
	var testSteps []resource.TestStep
	for _, s := range steps {
		testSteps = append(testSteps, resource.TestStep{
			PreConfig:         func() { setSignInEnv(t, s.cliDir, s.env) },
			Config:            e.config(s.provider, s.name),
			ConfigStateChecks: provisioned,
			Check:             e.usedGrant(s.grant, s.client),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: testSteps})
	if t.Failed() {
		return
	}

	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	// The search means something only if the capture holds the provider's own lines.
	calls := 0
	for _, r := range e.graph.Requests() {
		if r.Operation == fakegraph.OperationProvisionOnDemand {
			calls++
			if !strings.Contains(string(log), r.RequestID) {
				t.Errorf("the captured log lacks request-id %s of a provision call", r.RequestID)
			}
		}
	}
	if calls != len(steps) {
		t.Errorf("%d provision calls, want one per method (%d)", calls, len(steps))
	}
	for _, method := range []string{"client secret (", "client certificate (", "OIDC token (", "Azure Pipelines OIDC (",
		"GitHub Actions OIDC (", "AKS workload identity (", "managed identity (", "Azure CLI (", "access token ("} {
		if !strings.Contains(string(log), method) {
			t.Errorf("the captured log never names the sign-in method %q", method)
		}
	}

	secrets := map[string]string{
		"client secret": authSecret, "PKCS#12 password": fakeidentity.PKCS12Password, "PKCS#12 file": p12Base64[:40],
		"GitHub request token": e.ghToken, "Azure Pipelines access token": e.adoTok, "identity header": e.idp.IdentityHeader(),
		"OIDC token": oidcToken, "PEM private key": pemBody(t, e.pem, "PRIVATE KEY"), "PEM certificate": pemBody(t, e.pem, "CERTIFICATE"),
	}
	for _, tok := range e.idp.Issued() {
		secrets["access token ("+tok.Grant+")"] = tok.Value
	}
	for name, secret := range secrets {
		if strings.Contains(string(log), secret) {
			t.Errorf("the captured log contains the %s", name)
		}
	}
	// Any JWT (assertions, ID tokens) or Authorization value, whoever issued it.
	for _, pattern := range []string{`eyJ[A-Za-z0-9_-]{10,}\.`, `(?i)authorization["=: ]+\S`, `(?i)bearer [A-Za-z0-9._~+/-]{8,}`, `fakeid\.`} {
		if m := regexp.MustCompile(pattern).Find(log); m != nil {
			t.Errorf("the captured log matches %s: %.40q", pattern, m)
		}
	}
	t.Logf("searched %d bytes of TRACE log, %d issued tokens", len(log), len(e.idp.Issued()))
}

// pemBody is a line from the middle of a PEM block of type, as a log would show it.
func pemBody(t *testing.T, data []byte, typ string) string {
	t.Helper()
	_, block, ok := strings.Cut(string(data), "-----BEGIN "+typ+"-----\n")
	if !ok {
		t.Fatalf("no %s block", typ)
	}
	return strings.Split(block, "\n")[2]
}

// signInError compiles pattern so that its spaces also match the line breaks Terraform puts into
// long diagnostics.
func signInError(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}

// TestAccAuth_misconfigurationsFailThePlan: each configuration mistake is reported at plan,
// before any sign-in, naming the settings involved.
func TestAccAuth_misconfigurationsFailThePlan(t *testing.T) {
	e := newAuthEnv(t, globalGraph)
	pemFile := e.file(t, "client.pem", string(e.pem))
	app := fmt.Sprintf("tenant_id = %q\nclient_id = %q\n", authTenant, authClient)
	for name, tc := range map[string]struct {
		provider string
		env      map[string]string
		want     string
	}{
		"nothing configured and no Azure CLI": {"", nil,
			`(?s)no sign-in method is configured.*ARM_CLIENT_CERTIFICATE_PATH.*ACTIONS_ID_TOKEN_REQUEST_URL.*AZURE_FEDERATED_TOKEN_FILE.*ARM_USE_CLI.*use_cli defaults to true.*not found on PATH`},
		"nothing configured, use_cli off":       {"use_cli = false", nil, `no sign-in method is configured`},
		"Azure CLI requested but not installed": {"use_cli = true", nil, `sign-in with Azure CLI \(use_cli / ARM_USE_CLI\): the Azure CLI \(az\) was not found on PATH`},
		"certificate twice": {app + fmt.Sprintf("client_certificate_path = %q", pemFile), map[string]string{"ARM_CLIENT_CERTIFICATE": "QUJD"},
			`client_certificate \(ARM_CLIENT_CERTIFICATE\) and client_certificate_path \(ARM_CLIENT_CERTIFICATE_PATH\) are both set`},
		"secret twice": {app + fmt.Sprintf("client_secret_file_path = %q", e.file(t, "secret", authSecret)), map[string]string{"ARM_CLIENT_SECRET": authSecret},
			`client_secret \(ARM_CLIENT_SECRET\) and client_secret_file_path \(ARM_CLIENT_SECRET_FILE_PATH\) are both set`},
		"secret without tenant": {fmt.Sprintf("client_id = %q", authClient), map[string]string{"ARM_CLIENT_SECRET": authSecret},
			`sign-in with client secret \(.*\): it also needs tenant_id \(ARM_TENANT_ID\)`},
		"client id and client id file disagree": {app + fmt.Sprintf("client_id_file_path = %q", e.file(t, "id", "00000000-1111-2222-3333-444444444444")),
			map[string]string{"ARM_CLIENT_SECRET": authSecret}, `client_id \(ARM_CLIENT_ID\) is .* but client_id_file_path \(ARM_CLIENT_ID_FILE_PATH\) holds`},
		"unreadable certificate": {app + fmt.Sprintf("client_certificate_path = %q", e.file(t, "junk.pfx", "junk")), nil,
			`client_certificate_path \(ARM_CLIENT_CERTIFICATE_PATH\): no certificate and private key could be read`},
		"OIDC attribute without use_oidc": {app + fmt.Sprintf("oidc_token_file_path = %q", pemFile), nil,
			`provider attribute oidc_token_file_path is set, but use_oidc \(ARM_USE_OIDC\) is not true`},
		"use_oidc without a token source": {app + "use_oidc = true", nil, `use_oidc is true but no OIDC token source is configured`},
		"OIDC token twice": {app + fmt.Sprintf("use_oidc = true\noidc_token_file_path = %q", pemFile), map[string]string{"ARM_OIDC_TOKEN": "x"},
			`oidc_token \(ARM_OIDC_TOKEN\) and oidc_token_file_path \(ARM_OIDC_TOKEN_FILE_PATH\) are both set`},
		"Azure Pipelines outside a pipeline": {app + fmt.Sprintf("use_oidc = true\nado_pipeline_service_connection_id = %q", authADOConn),
			map[string]string{"SYSTEM_ACCESSTOKEN": "x"}, `Azure Pipelines OIDC .*: SYSTEM_OIDCREQUESTURI is not set`},
		"GitHub without id-token permission": {app + "use_oidc = true", map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "https://example.invalid/x"},
			`needs both oidc_request_token and oidc_request_url`},
		"workload identity outside AKS": {"use_aks_workload_identity = true", nil,
			`AKS workload identity .*: it needs tenant_id \(ARM_TENANT_ID or AZURE_TENANT_ID\) and client_id .* AZURE_FEDERATED_TOKEN_FILE`},
		"boolean variable": {"", map[string]string{"ARM_USE_MSI": "yes please"}, `environment variable ARM_USE_MSI: "yes please" is not true or false`},
		"tenant id":        {"tenant_id = \"contoso tenant\"\nuse_cli = false", nil, `provider attribute tenant_id: "contoso tenant" is not a tenant ID: a tenant ID is a GUID`},
		"authority host variable": {"", map[string]string{"ENTRASYNC_AUTHORITY_HOST": "http://login.example.com"},
			`environment variable ENTRASYNC_AUTHORITY_HOST: "http://login.example.com" must use https`},
	} {
		t.Run(name, func(t *testing.T) {
			setSignInEnv(t, "", tc.env)
			cfg := e.config(tc.provider, name)
			if strings.Contains(name, "authority host") {
				cfg = strings.Replace(cfg, fmt.Sprintf("authority_host      = %q", e.idp.URL()), "", 1)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps:                    []resource.TestStep{{Config: cfg, PlanOnly: true, ExpectError: signInError(tc.want)}},
			})
			if n := len(e.idp.TokenRequests()); n != 0 {
				t.Errorf("a misconfiguration reached the authority %d times", n)
			}
		})
	}
}

// TestAccAuth_signInFailuresAreTheMethods: a method that is configured but refused fails the
// apply with the authority's words and the method's name; nothing later in the order is tried.
func TestAccAuth_signInFailuresAreTheMethods(t *testing.T) {
	e := newAuthEnv(t, globalGraph)
	const otherTenant = "5e0c7a3b-1d2e-4f60-8a9b-c0d1e2f3a4b5"
	otherPEM, _, err := fakeidentity.NewClientCertificate("not registered")
	if err != nil {
		t.Fatal(err)
	}
	loggedOut := t.TempDir()
	if _, err := fakeidentity.InstallAzureCLI(loggedOut, fakeidentity.AzureCLI{Resource: globalGraph, LoggedOut: true}); err != nil {
		t.Fatal(err)
	}
	// use_msi is configured in every case: it comes later in the order and must never be tried.
	msi := map[string]string{"ARM_USE_MSI": "true", "IDENTITY_ENDPOINT": e.idp.IdentityEndpoint(), "IDENTITY_HEADER": e.idp.IdentityHeader()}
	e.idp.AddManagedIdentity("")
	with := func(extra map[string]string) map[string]string {
		out := map[string]string{"ARM_TENANT_ID": authTenant, "ARM_CLIENT_ID": authClient}
		for k, v := range msi {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	for name, tc := range map[string]struct {
		env    map[string]string
		cliDir string
		want   string
	}{
		"wrong secret": {with(map[string]string{"ARM_CLIENT_SECRET": "not-the-secret"}), "",
			`(?s)sign-in with client secret \(client_secret or client_secret_file_path / ARM_CLIENT_SECRET or ARM_CLIENT_SECRET_FILE_PATH\):.*AADSTS7000215: Invalid client secret provided`},
		"unknown tenant": {with(map[string]string{"ARM_CLIENT_SECRET": authSecret, "ARM_TENANT_ID": otherTenant}), "",
			`(?s)sign-in with client secret .*:.*AADSTS90002: Tenant '` + otherTenant + `' not found`},
		"unregistered certificate": {with(map[string]string{"ARM_CLIENT_CERTIFICATE": base64.StdEncoding.EncodeToString(otherPEM)}), "",
			`(?s)sign-in with client certificate .*:.*AADSTS700027: Client assertion failed signature validation`},
		"GitHub subject without federated credential": {with(map[string]string{"ARM_USE_OIDC": "true",
			"ARM_OIDC_TOKEN": e.idp.IssueFederatedToken("repo:entrasync/infra:pull_request", fakeidentity.FederatedAudience, time.Hour)}), "",
			`(?s)sign-in with OIDC token .*:.*AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:entrasync/infra:pull_request'`},
		"Azure CLI by default, logged out": {nil, loggedOut,
			`(?s)no sign-in method is configured.*ARM_USE_MSI.*The Azure CLI was tried because use_cli defaults to true, and failed:.*Please run 'az login'`},
	} {
		t.Run(name, func(t *testing.T) {
			before := len(e.idp.Accepted())
			setSignInEnv(t, tc.cliDir, tc.env)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps:                    []resource.TestStep{{Config: e.config("", name), ExpectError: signInError(tc.want)}},
			})
			if n := len(e.idp.Accepted()); n != before {
				t.Errorf("Graph accepted %d tokens: a later method was tried", n-before)
			}
		})
	}
}

// TestAccAuth_revokedTokenIsReplacedOnce: Graph rejects the first token (revoked); the provider
// gets one new token from the authority and provisions with it.
func TestAccAuth_revokedTokenIsReplacedOnce(t *testing.T) {
	e := newAuthEnv(t, globalGraph)
	e.idp.RevokeNext(1)
	setSignInEnv(t, "", map[string]string{"ARM_TENANT_ID": authTenant, "ARM_CLIENT_ID": authClient, "ARM_CLIENT_SECRET": authSecret})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:            e.config("", "revoked"),
			ConfigStateChecks: provisioned,
			Check: func(*terraform.State) error {
				reqs := e.graph.Requests()
				rejected := -1
				for i, r := range reqs {
					if r.Status == 401 {
						if rejected >= 0 {
							return fmt.Errorf("Graph answered 401 more than once")
						}
						rejected = i
					}
				}
				if rejected < 0 || rejected+1 == len(reqs) || reqs[rejected+1].Path != reqs[rejected].Path || reqs[rejected+1].Status != 200 {
					return fmt.Errorf("want one 401 followed by the same call answered 200, got %+v", reqs)
				}
				// Every accepted token was requested once, plus the revoked one: exactly one replacement.
				accepted := map[string]bool{}
				for _, tok := range e.idp.Accepted() {
					accepted[tok.Value] = true
				}
				if n := len(e.idp.TokenRequests()); n != len(accepted)+1 {
					return fmt.Errorf("%d token requests for %d accepted tokens, want one more for the revoked one", n, len(accepted))
				}
				return nil
			},
		}},
	})
}

// TestAccAuth_tokenScopeFollowsEnvironment: in US Government L4 the token is requested for
// graph.microsoft.us, the only audience that cloud's Graph accepts.
func TestAccAuth_tokenScopeFollowsEnvironment(t *testing.T) {
	e := newAuthEnv(t, "https://graph.microsoft.us")
	setSignInEnv(t, "", map[string]string{"ARM_TENANT_ID": authTenant, "ARM_CLIENT_ID": authClient, "ARM_CLIENT_SECRET": authSecret,
		"ARM_ENVIRONMENT": "usgovernmentl4"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:            e.config("", "usgovernmentl4"),
			ConfigStateChecks: provisioned,
			Check: func(*terraform.State) error {
				for _, tok := range e.idp.Issued() {
					if tok.Resource != "https://graph.microsoft.us" {
						return fmt.Errorf("a token was issued for %s", tok.Resource)
					}
				}
				if reqs := e.idp.TokenRequests(); len(reqs) == 0 || strings.Fields(reqs[0].Scope)[0] != "https://graph.microsoft.us/.default" {
					return fmt.Errorf("token requests = %+v", reqs)
				}
				return nil
			},
		}},
	})
}
