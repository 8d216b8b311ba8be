package auth

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakeidentity"
)

const (
	testTenant = "8f1c2d3e-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
	testClient = "2b7e9c41-5d3a-4f8e-b6c1-9a0d2e4f6b8c"
)

var testCA *fakeidentity.CA

// TestMain makes the process trust the fake identity's CA the way users trust a CA: crypto/x509
// reads SSL_CERT_FILE once, at the first TLS handshake, so it is set before any test runs.
func TestMain(m *testing.M) {
	code, err := runWithTestCA(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runWithTestCA(m *testing.M) (int, error) {
	ca, err := fakeidentity.NewCA()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "entrasync-auth-ca")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(file, ca.PEM(), 0o600); err != nil {
		return 0, err
	}
	os.Setenv("SSL_CERT_FILE", file)
	testCA = ca
	return m.Run(), nil
}

func globalCloud() Cloud { c, _ := LookupCloud("global"); return c }

// startAuthority serves a fake authority with app registered and returns settings pointing at it.
func startAuthority(t *testing.T, app fakeidentity.App) (*fakeidentity.Server, Settings) {
	t.Helper()
	s, err := fakeidentity.Start(testCA)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddApp(app)
	host, err := ParseAuthorityHost(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	return s, Settings{Cloud: globalCloud(), AuthorityHost: host, TenantID: app.TenantID, ClientID: app.ClientID}
}

func token(t *testing.T, c *Credential) (string, error) {
	t.Helper()
	tok, err := c.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{globalCloud().Scope()}})
	return tok.Token, err
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// noCLI leaves PATH without `az`, so use_cli finds nothing.
func noCLI(t *testing.T) { t.Setenv("PATH", t.TempDir()) }

func TestLookupCloud(t *testing.T) {
	for env, graph := range map[string]string{
		"global":         "https://graph.microsoft.com",
		"public":         "https://graph.microsoft.com",
		"Global":         "https://graph.microsoft.com",
		"usgovernmentl4": "https://graph.microsoft.us",
		"usgovernmentl5": "https://dod-graph.microsoft.us",
		"china":          "https://microsoftgraph.chinacloudapi.cn",
	} {
		c, ok := LookupCloud(env)
		if !ok || c.GraphEndpoint != graph {
			t.Errorf("LookupCloud(%q) = %+v, %v; want Graph %s", env, c, ok, graph)
		}
		if c.Scope() != graph+"/.default" {
			t.Errorf("LookupCloud(%q).Scope() = %s", env, c.Scope())
		}
		if !isMicrosoftAuthority(c.AuthorityHost) {
			t.Errorf("%s's authority %s is not recognised as Microsoft's", env, c.AuthorityHost)
		}
	}
	if _, ok := LookupCloud("azurestack"); ok {
		t.Error("unknown environment accepted")
	}
}

func TestParseAuthorityHost(t *testing.T) {
	for raw, want := range map[string]string{
		"https://login.microsoftonline.us":   "https://login.microsoftonline.us/",
		"https://login.contoso.example/adfs": "https://login.contoso.example/adfs/",
		"https://127.0.0.1:8443/":            "https://127.0.0.1:8443/",
		"http://login.microsoftonline.com":   "",
		"login.microsoftonline.com":          "",
		"https://login.example.com/?x=1":     "",
		"https://u:p@login.example.com":      "",
	} {
		got, err := ParseAuthorityHost(raw)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ParseAuthorityHost(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for host, microsoft := range map[string]bool{
		"https://login.microsoftonline.com/": true, "https://LOGIN.chinacloudapi.cn/": true,
		"https://127.0.0.1:8443/": false, "https://login.microsoftonline.com.evil.example/": false,
	} {
		if isMicrosoftAuthority(host) != microsoft {
			t.Errorf("isMicrosoftAuthority(%s) = %v", host, !microsoft)
		}
	}
}

func TestNewCredentialAccessTokenWins(t *testing.T) {
	c, err := NewCredential(Settings{AccessToken: "tok", ClientSecret: "s", TenantID: "t", ClientID: "c", UseMSI: true, Cloud: globalCloud()})
	if err != nil || c.Method != MethodAccessToken {
		t.Fatalf("got %+v, %v", c, err)
	}
	if tok, err := token(t, c); err != nil || tok != "tok" {
		t.Fatalf("GetToken = %q, %v", tok, err)
	}
}

// TestNewCredentialMisconfigurations checks that each incomplete or conflicting method is an
// error of that method, naming the settings involved, and never falls through to the next.
func TestNewCredentialMisconfigurations(t *testing.T) {
	noCLI(t)
	missing := filepath.Join(t.TempDir(), "missing")
	app := Settings{TenantID: testTenant, ClientID: testClient, Cloud: globalCloud(), UseMSI: true, UseCLI: true}
	with := func(edit func(*Settings)) Settings { s := app; edit(&s); return s }
	for name, tc := range map[string]struct {
		s      Settings
		method string
		want   []string
	}{
		"secret without tenant": {
			with(func(s *Settings) { s.ClientSecret, s.TenantID = "s3cret", "" }), MethodClientSecret,
			[]string{"needs tenant_id (ARM_TENANT_ID)"}},
		"secret without client": {
			with(func(s *Settings) { s.ClientSecret, s.ClientID = "s3cret", "" }), MethodClientSecret,
			[]string{"client_id (ARM_CLIENT_ID) or client_id_file_path (ARM_CLIENT_ID_FILE_PATH)"}},
		"secret and secret file": {
			with(func(s *Settings) { s.ClientSecret, s.ClientSecretFilePath = "s3cret", "/x" }), MethodClientSecret,
			[]string{"client_secret (ARM_CLIENT_SECRET) and client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH) are both set"}},
		"secret file missing": {
			with(func(s *Settings) { s.ClientSecretFilePath = missing }), MethodClientSecret,
			[]string{"client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH)", "no such file"}},
		"client id file disagrees": {
			with(func(s *Settings) {
				s.ClientSecret, s.ClientIDFilePath = "s3cret", writeFile(t, "id", "11111111-2222-3333-4444-555555555555\n")
			}),
			MethodClientSecret, []string{"client_id (ARM_CLIENT_ID) is", "client_id_file_path (ARM_CLIENT_ID_FILE_PATH) holds"}},
		"certificate and certificate path": {
			with(func(s *Settings) { s.ClientCertificate, s.ClientCertificatePath = "AAAA", "/x.pfx" }), MethodClientCertificate,
			[]string{"client_certificate (ARM_CLIENT_CERTIFICATE) and client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) are both set"}},
		"certificate not base64": {
			with(func(s *Settings) { s.ClientCertificate = "not base64!" }), MethodClientCertificate,
			[]string{"client_certificate (ARM_CLIENT_CERTIFICATE) is not base64"}},
		"certificate wrong password": {
			with(func(s *Settings) {
				p12, _, _ := fakeidentity.PKCS12Certificate()
				s.ClientCertificate, s.ClientCertificatePassword = base64.StdEncoding.EncodeToString(p12), "wrong-password"
			}), MethodClientCertificate,
			[]string{"no certificate and private key could be read", "client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD)"}},
		"oidc token and file": {
			with(func(s *Settings) { s.UseOIDC, s.OIDCToken, s.OIDCTokenFilePath = true, "jwt", "/x" }), MethodOIDCToken,
			[]string{"oidc_token (ARM_OIDC_TOKEN) and oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH) are both set"}},
		"oidc token file missing": {
			with(func(s *Settings) { s.UseOIDC, s.OIDCTokenFilePath = true, missing }), MethodOIDCToken,
			[]string{"oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH)", "no such file"}},
		"use_oidc without a source": {
			with(func(s *Settings) { s.UseOIDC = true }), MethodOIDC,
			[]string{"no OIDC token source", "id-token: write", "ado_pipeline_service_connection_id"}},
		"github without url": {
			with(func(s *Settings) { s.UseOIDC, s.OIDCRequestToken = true, "req" }), MethodGitHubOIDC,
			[]string{"needs both oidc_request_token and oidc_request_url"}},
		"github plain http": {
			with(func(s *Settings) {
				s.UseOIDC, s.OIDCRequestToken, s.OIDCRequestURL = true, "req", "http://token.actions.example/x"
			}),
			MethodGitHubOIDC, []string{"must be an https URL"}},
		"pipelines without system token": {
			with(func(s *Settings) {
				s.UseOIDC, s.ADOServiceConnectionID, s.ADOOIDCRequestURL = true, "sc", "https://dev.azure.com/x"
			}),
			MethodAzurePipelines, []string{"SYSTEM_ACCESSTOKEN"}},
		"pipelines outside a pipeline": {
			with(func(s *Settings) { s.UseOIDC, s.ADOServiceConnectionID, s.OIDCRequestToken = true, "sc", "sys" }),
			MethodAzurePipelines, []string{"SYSTEM_OIDCREQUESTURI is not set"}},
		"workload identity without env": {
			with(func(s *Settings) { s.UseAKSWorkloadIdentity = true }), MethodWorkloadIdentity,
			[]string{"tenant_id (ARM_TENANT_ID or AZURE_TENANT_ID)", "AZURE_FEDERATED_TOKEN_FILE"}},
		"cli set explicitly, not installed": {
			Settings{Cloud: globalCloud(), UseCLI: true, UseCLISet: true}, MethodAzureCLI,
			[]string{"not found on PATH"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewCredential(tc.s)
			var signIn *SignInError
			if !errors.As(err, &signIn) {
				t.Fatalf("want a SignInError, got %v", err)
			}
			if signIn.Method != tc.method {
				t.Errorf("method = %q, want %q", signIn.Method, tc.method)
			}
			for _, w := range append(tc.want, tc.method) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, secret := range []string{"s3cret", "wrong-password", "\"jwt\""} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks %s", secret)
				}
			}
		})
	}
}

func TestNewCredentialNothingConfigured(t *testing.T) {
	noCLI(t)
	if _, err := NewCredential(Settings{Cloud: globalCloud()}); !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("use_cli = false: got %v", err)
	}
	// use_cli defaults to true: without az, nothing is configured at all, and the error lists every method.
	_, err := NewCredential(Settings{Cloud: globalCloud(), UseCLI: true})
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("use_cli by default without az: got %v", err)
	}
	for _, w := range []string{"ENTRASYNC_ACCESS_TOKEN", "ARM_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_SECRET_FILE_PATH", "ARM_OIDC_TOKEN_FILE_PATH",
		"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ACTIONS_ID_TOKEN_REQUEST_URL", "AZURE_FEDERATED_TOKEN_FILE", "ARM_USE_MSI", "ARM_USE_CLI",
		"use_cli defaults to true", "not found on PATH"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not name %s:\n%s", w, err)
		}
	}
}

func TestAzureCLIByDefaultFailingListsTheMethods(t *testing.T) {
	dir := t.TempDir()
	if _, err := fakeidentity.InstallAzureCLI(dir, fakeidentity.AzureCLI{Resource: "https://graph.microsoft.com", LoggedOut: true}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	for _, explicit := range []bool{false, true} {
		c, err := NewCredential(Settings{Cloud: globalCloud(), UseCLI: true, UseCLISet: explicit})
		if err != nil {
			t.Fatal(err)
		}
		_, err = token(t, c)
		if !strings.Contains(err.Error(), "Please run 'az login'") {
			t.Errorf("explicit=%v: the CLI's own message is missing: %v", explicit, err)
		}
		if errors.Is(err, ErrNoCredentials) == explicit {
			t.Errorf("explicit=%v: errors.Is(ErrNoCredentials) = %v: %v", explicit, !explicit, err)
		}
	}
}

func TestAzureCLIPassesTheTenant(t *testing.T) {
	dir := t.TempDir()
	cli, err := fakeidentity.InstallAzureCLI(dir, fakeidentity.AzureCLI{Token: "cli-token", Resource: "https://graph.microsoft.us", TenantID: testTenant})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	gov, _ := LookupCloud("usgovernmentl4")
	c, err := NewCredential(Settings{Cloud: gov, TenantID: testTenant, UseCLI: true})
	if err != nil || c.Method != MethodAzureCLI {
		t.Fatalf("got %+v, %v", c, err)
	}
	tok, err := c.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{gov.Scope()}})
	if err != nil || tok.Token != "cli-token" {
		t.Fatalf("GetToken = %q, %v", tok.Token, err)
	}
	if calls := cli.Calls(); len(calls) != 1 || !strings.Contains(calls[0], "--resource https://graph.microsoft.us --tenant "+testTenant) {
		t.Errorf("az calls = %q", calls)
	}
}

func TestWrongSecretIsTheMethodsErrorWithTheAuthoritysText(t *testing.T) {
	_, s := startAuthority(t, fakeidentity.App{TenantID: testTenant, ClientID: testClient, Secret: "right"})
	s.ClientSecret = "wrong-secret-value"
	s.UseMSI = true // configured later in the order: must not be tried
	c, err := NewCredential(s)
	if err != nil {
		t.Fatal(err)
	}
	_, err = token(t, c)
	var signIn *SignInError
	if !errors.As(err, &signIn) || signIn.Method != MethodClientSecret {
		t.Fatalf("want the client secret's SignInError, got %v", err)
	}
	for _, w := range []string{"AADSTS7000215", "Invalid client secret provided", MethodClientSecret} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not contain %q: %v", w, err)
		}
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Error("error leaks the secret")
	}
}

// TestEachMethodGetsATokenFromTheAuthority runs every application method against the fake
// authority and checks the grant it used.
func TestEachMethodGetsATokenFromTheAuthority(t *testing.T) {
	const subject = "system:serviceaccount:infra:terraform"
	pemCert, cert, err := fakeidentity.NewClientCertificate("client")
	if err != nil {
		t.Fatal(err)
	}
	srv, base := startAuthority(t, fakeidentity.App{TenantID: testTenant, ClientID: testClient, Secret: "right",
		Certificates: []*x509.Certificate{cert}, FederatedSubjects: []string{subject, "repo:entrasync/infra:environment:prod", "sc://entrasync/infra/entra"}})
	ghURL, ghToken := srv.GitHubActions("repo:entrasync/infra:environment:prod")
	adoURL, adoToken := srv.AzurePipelines("conn-1", "sc://entrasync/infra/entra")
	t.Setenv("SYSTEM_OIDCREQUESTURI", adoURL)
	tokenFile := writeFile(t, "token", srv.IssueFederatedToken(subject, fakeidentity.FederatedAudience, time.Hour))

	for name, tc := range map[string]struct {
		edit   func(*Settings)
		method string
		grant  string
	}{
		"secret":           {func(s *Settings) { s.ClientSecret = "right" }, MethodClientSecret, fakeidentity.GrantClientSecret},
		"secret file":      {func(s *Settings) { s.ClientSecretFilePath = writeFile(t, "secret", "right\n") }, MethodClientSecret, fakeidentity.GrantClientSecret},
		"certificate pem":  {func(s *Settings) { s.ClientCertificate = string(pemCert) }, MethodClientCertificate, fakeidentity.GrantCertificate},
		"certificate file": {func(s *Settings) { s.ClientCertificatePath = writeFile(t, "c.pem", string(pemCert)) }, MethodClientCertificate, fakeidentity.GrantCertificate},
		"oidc token": {func(s *Settings) {
			s.UseOIDC, s.OIDCToken = true, srv.IssueFederatedToken(subject, fakeidentity.FederatedAudience, time.Hour)
		}, MethodOIDCToken, fakeidentity.GrantFederated},
		"oidc token file": {func(s *Settings) { s.UseOIDC, s.OIDCTokenFilePath = true, tokenFile }, MethodOIDCToken, fakeidentity.GrantFederated},
		"azure pipelines": {func(s *Settings) {
			s.UseOIDC, s.ADOServiceConnectionID, s.OIDCRequestToken, s.ADOOIDCRequestURL = true, "conn-1", adoToken, adoURL
		}, MethodAzurePipelines, fakeidentity.GrantFederated},
		"github actions": {func(s *Settings) { s.UseOIDC, s.OIDCRequestToken, s.OIDCRequestURL = true, ghToken, ghURL }, MethodGitHubOIDC, fakeidentity.GrantFederated},
		"workload identity": {func(s *Settings) {
			s.UseAKSWorkloadIdentity, s.WorkloadClientID, s.WorkloadTenantID, s.WorkloadTokenFile = true, testClient, testTenant, tokenFile
		}, MethodWorkloadIdentity, fakeidentity.GrantFederated},
	} {
		t.Run(name, func(t *testing.T) {
			s := base
			tc.edit(&s)
			c, err := NewCredential(s)
			if err != nil {
				t.Fatal(err)
			}
			if c.Method != tc.method {
				t.Errorf("method = %q, want %q", c.Method, tc.method)
			}
			tok, err := token(t, c)
			if err != nil {
				t.Fatal(err)
			}
			if !srv.AcceptToken("https://graph.microsoft.com")(tok) {
				t.Fatal("the fake Graph refuses the token")
			}
			if got := srv.Accepted(); got[len(got)-1].Grant != tc.grant {
				t.Errorf("grant = %s, want %s", got[len(got)-1].Grant, tc.grant)
			}
		})
	}
}

// TestTokenFileIsReadOnEveryTokenRequest: Kubernetes rotates projected tokens, so a new
// credential (as after a rejected token) reads the file again.
func TestTokenFileIsReadOnEveryTokenRequest(t *testing.T) {
	srv, s := startAuthority(t, fakeidentity.App{TenantID: testTenant, ClientID: testClient, FederatedSubjects: []string{"new"}})
	s.UseOIDC, s.OIDCTokenFilePath = true, writeFile(t, "token", srv.IssueFederatedToken("old", fakeidentity.FederatedAudience, time.Hour))
	c, err := NewCredential(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := token(t, c); err == nil || !strings.Contains(err.Error(), "AADSTS700213") {
		t.Fatalf("the old subject must be refused, got %v", err)
	}
	if err := os.WriteFile(s.OIDCTokenFilePath, []byte(srv.IssueFederatedToken("new", fakeidentity.FederatedAudience, time.Hour)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := token(t, c); err != nil {
		t.Fatalf("the rotated token was not read: %v", err)
	}
}

// TestRejectedTokenIsRenewed: asked again for the token it has just handed out, the credential
// gets a new one from the authority instead of azidentity's cache.
func TestRejectedTokenIsRenewed(t *testing.T) {
	srv, s := startAuthority(t, fakeidentity.App{TenantID: testTenant, ClientID: testClient, Secret: "right"})
	s.ClientSecret = "right"
	c, err := NewCredential(s)
	if err != nil {
		t.Fatal(err)
	}
	first, err := token(t, c)
	if err != nil {
		t.Fatal(err)
	}
	second, err := token(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if first == second {
		t.Fatal("the same token was handed out again")
	}
	if n := len(srv.TokenRequests()); n != 2 {
		t.Errorf("token requests = %d, want 2", n)
	}
}

type scriptedCredential struct {
	tokens []string
	calls  int
}

func (c *scriptedCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.calls++
	if c.calls > len(c.tokens) {
		return azcore.AccessToken{}, errors.New("authority unreachable")
	}
	return azcore.AccessToken{Token: c.tokens[c.calls-1], ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestMethodCredentialRenewsOnceAndNamesTheMethod(t *testing.T) {
	renewed := &scriptedCredential{tokens: []string{"b"}}
	m := method{name: "test method", renew: func(ctx context.Context, _ azcore.TokenCredential, o policy.TokenRequestOptions) (azcore.TokenCredential, azcore.AccessToken, error) {
		tok, err := renewed.GetToken(ctx, o)
		return renewed, tok, err
	}}
	c := &methodCredential{method: m, cred: &scriptedCredential{tokens: []string{"a", "a"}}}
	var got []string
	for range 2 {
		tok, err := c.GetToken(context.Background(), policy.TokenRequestOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, tok.Token)
	}
	if strings.Join(got, ",") != "a,b" || renewed.calls != 1 {
		t.Fatalf("tokens = %v, renewals = %d", got, renewed.calls)
	}
	_, err := c.GetToken(context.Background(), policy.TokenRequestOptions{})
	if err == nil || err.Error() != "sign-in with test method: authority unreachable" {
		t.Fatalf("error = %v", err)
	}
}

func TestSecretsAreListedForMasking(t *testing.T) {
	_, s := startAuthority(t, fakeidentity.App{TenantID: testTenant, ClientID: testClient, Secret: "from-file"})
	s.ClientSecretFilePath = writeFile(t, "secret", "from-file\n")
	c, err := NewCredential(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Secrets, ",") != "from-file" {
		t.Errorf("secrets = %q", c.Secrets)
	}
}
