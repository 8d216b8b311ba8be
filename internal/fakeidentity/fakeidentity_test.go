package fakeidentity

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

const (
	tenant = "8f1c2d3e-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
	client = "2b7e9c41-5d3a-4f8e-b6c1-9a0d2e4f6b8c"
	graph  = "https://graph.microsoft.com"
)

// start serves a fake with one app and returns client options that trust its CA.
func start(t *testing.T, app App) (*Server, azcore.ClientOptions) {
	t.Helper()
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(ca)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.AddApp(app)
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}
	t.Cleanup(transport.CloseIdleConnections)
	return s, azcore.ClientOptions{
		Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: s.URL()},
		Transport: &http.Client{Transport: transport},
		Retry:     policy.RetryOptions{MaxRetries: -1},
	}
}

func getToken(t *testing.T, cred azcore.TokenCredential, scope string) (string, error) {
	t.Helper()
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}})
	return tok.Token, err
}

// expectRefusal checks that err carries the authority's AADSTS code.
func expectRefusal(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), code) {
		t.Fatalf("want a refusal with %s, got %v", code, err)
	}
}

func TestClientSecretGrant(t *testing.T) {
	s, opts := start(t, App{TenantID: tenant, ClientID: client, Secret: "right-secret"})
	secretCred := func(tenantID, clientID, secret string) azcore.TokenCredential {
		c, err := azidentity.NewClientSecretCredential(tenantID, clientID, secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tok, err := getToken(t, secretCred(tenant, client, "right-secret"), graph+"/.default")
	if err != nil {
		t.Fatal(err)
	}
	if !s.AcceptToken(graph)(tok) {
		t.Error("the fake Graph check refuses a token just issued for it")
	}
	if s.AcceptToken("https://graph.microsoft.us")(tok) {
		t.Error("a token for the global Graph is accepted by the US Government one")
	}
	if got := s.Accepted(); len(got) != 1 || got[0].Grant != GrantClientSecret || got[0].ClientID != client || got[0].TenantID != tenant {
		t.Errorf("accepted = %+v", got)
	}

	_, err = getToken(t, secretCred(tenant, client, "wrong-secret"), graph+"/.default")
	expectRefusal(t, err, "AADSTS7000215")
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Error("the refusal echoes the secret")
	}
	_, err = getToken(t, secretCred(tenant, "0d9f2b6c-0000-4000-8000-000000000000", "right-secret"), graph+"/.default")
	expectRefusal(t, err, "AADSTS700016")
	_, err = getToken(t, secretCred("5e0c7a3b-0000-4000-8000-000000000000", client, "right-secret"), graph+"/.default")
	expectRefusal(t, err, "AADSTS90002")
	_, err = getToken(t, secretCred(tenant, client, "right-secret"), "https://management.azure.com/.default")
	expectRefusal(t, err, "AADSTS500011")

	var refused int
	for _, r := range s.TokenRequests() {
		if r.Status != http.StatusOK {
			refused++
		}
	}
	if refused < 3 { // the unknown tenant may be refused at discovery already
		t.Errorf("token requests = %+v", s.TokenRequests())
	}
}

func TestCertificateGrant(t *testing.T) {
	pemData, cert, err := NewClientCertificate("client")
	if err != nil {
		t.Fatal(err)
	}
	p12, p12Cert, err := PKCS12Certificate()
	if err != nil {
		t.Fatal(err)
	}
	s, opts := start(t, App{TenantID: tenant, ClientID: client, Certificates: []*x509.Certificate{cert}})
	certCred := func(data []byte, password string) azcore.TokenCredential {
		certs, key, err := azidentity.ParseCertificates(data, []byte(password))
		if err != nil {
			t.Fatal(err)
		}
		c, err := azidentity.NewClientCertificateCredential(tenant, client, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tok, err := getToken(t, certCred(pemData, ""), graph+"/.default")
	if err != nil {
		t.Fatal(err)
	}
	if !s.AcceptToken(graph)(tok) || s.Accepted()[0].Grant != GrantCertificate {
		t.Errorf("certificate token not accepted as such: %+v", s.Accepted())
	}
	// The fixture is not the registered certificate: its assertion must be refused.
	_, err = getToken(t, certCred(p12, PKCS12Password), graph+"/.default")
	expectRefusal(t, err, "AADSTS700027")

	s.AddApp(App{TenantID: tenant, ClientID: client, Certificates: []*x509.Certificate{cert, p12Cert}})
	if _, err := getToken(t, certCred(p12, PKCS12Password), graph+"/.default"); err != nil {
		t.Fatalf("PKCS#12 fixture: %v", err)
	}
}

func TestFederatedGrant(t *testing.T) {
	const subject = "system:serviceaccount:infra:terraform"
	s, opts := start(t, App{TenantID: tenant, ClientID: client, FederatedSubjects: []string{subject}})
	other, _ := start(t, App{TenantID: tenant, ClientID: client})
	assertionCred := func(assertion string) azcore.TokenCredential {
		c, err := azidentity.NewClientAssertionCredential(tenant, client, func(context.Context) (string, error) { return assertion, nil },
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tok, err := getToken(t, assertionCred(s.IssueFederatedToken(subject, FederatedAudience, time.Minute)), graph+"/.default")
	if err != nil {
		t.Fatal(err)
	}
	if !s.AcceptToken(graph)(tok) || s.Accepted()[0].Subject != subject {
		t.Errorf("accepted = %+v", s.Accepted())
	}
	for name, tc := range map[string]struct{ assertion, code string }{
		"subject":  {s.IssueFederatedToken("repo:someone/else:ref:refs/heads/main", FederatedAudience, time.Minute), "AADSTS700213"},
		"audience": {s.IssueFederatedToken(subject, "https://github.com/entrasync", time.Minute), "AADSTS700212"},
		"issuer":   {other.IssueFederatedToken(subject, FederatedAudience, time.Minute), "AADSTS700027"},
		"expired":  {s.IssueFederatedToken(subject, FederatedAudience, -time.Minute), "AADSTS700024"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := getToken(t, assertionCred(tc.assertion), graph+"/.default")
			expectRefusal(t, err, tc.code)
		})
	}
}

func TestManagedIdentityEndpoint(t *testing.T) {
	s, opts := start(t, App{TenantID: tenant, ClientID: client})
	const userAssigned = "6c3f1a2b-0000-4000-8000-00000000abcd"
	s.AddManagedIdentity(userAssigned)
	t.Setenv("IDENTITY_ENDPOINT", s.IdentityEndpoint())
	t.Setenv("IDENTITY_HEADER", s.IdentityHeader())
	mi := func(id string) azcore.TokenCredential {
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if id != "" {
			o.ID = azidentity.ClientID(id)
		}
		c, err := azidentity.NewManagedIdentityCredential(o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tok, err := getToken(t, mi(userAssigned), "https://graph.microsoft.us/.default")
	if err != nil {
		t.Fatal(err)
	}
	if !s.AcceptToken("https://graph.microsoft.us")(tok) || s.Accepted()[0].ClientID != userAssigned {
		t.Errorf("accepted = %+v", s.Accepted())
	}
	if _, err := getToken(t, mi(""), graph+"/.default"); err == nil || !strings.Contains(err.Error(), "No User Assigned") {
		t.Errorf("system-assigned identity not enabled, got %v", err)
	}
	t.Setenv("IDENTITY_HEADER", "wrong")
	if _, err := getToken(t, mi("9a9a9a9a-0000-4000-8000-000000000000"), graph+"/.default"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong identity header, got %v", err)
	}
}

func TestAzurePipelinesEndpoint(t *testing.T) {
	const connection, subject = "3f0e4a1c-0000-4000-8000-00000000c0de", "sc://entrasync/infra/entra-provisioning"
	s, opts := start(t, App{TenantID: tenant, ClientID: client, FederatedSubjects: []string{subject}})
	uri, systemToken := s.AzurePipelines(connection, subject)
	t.Setenv("SYSTEM_OIDCREQUESTURI", uri)
	ado := func(connectionID, token string) azcore.TokenCredential {
		c, err := azidentity.NewAzurePipelinesCredential(tenant, client, connectionID, token,
			&azidentity.AzurePipelinesCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := getToken(t, ado(connection, systemToken), graph+"/.default"); err != nil {
		t.Fatal(err)
	}
	if _, err := getToken(t, ado(connection, "not-the-job-token"), graph+"/.default"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong system access token, got %v", err)
	}
	if _, err := getToken(t, ado("unknown-connection", systemToken), graph+"/.default"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown service connection, got %v", err)
	}
}

func TestGitHubActionsEndpoint(t *testing.T) {
	const subject = "repo:entrasync/infra:ref:refs/heads/main"
	s, opts := start(t, App{TenantID: tenant, ClientID: client})
	requestURL, requestToken := s.GitHubActions(subject)
	get := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, requestURL+"&audience="+FederatedAudience, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := opts.Transport.(*http.Client).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Value string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Value
	}
	status, idToken := get(requestToken)
	if status != http.StatusOK || idToken == "" {
		t.Fatalf("GitHub ID token: %d %q", status, idToken)
	}
	if status, _ := get("wrong"); status != http.StatusUnauthorized {
		t.Errorf("wrong request token answered %d", status)
	}
	s.AddApp(App{TenantID: tenant, ClientID: client, FederatedSubjects: []string{subject}})
	c, err := azidentity.NewClientAssertionCredential(tenant, client, func(context.Context) (string, error) { return idToken, nil },
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := getToken(t, c, graph+"/.default"); err != nil {
		t.Fatalf("GitHub ID token as assertion: %v", err)
	}
}

func TestRevokeNext(t *testing.T) {
	s, _ := start(t, App{TenantID: tenant, ClientID: client})
	tok := s.MintToken(tenant, client, graph)
	s.RevokeNext(1)
	accept := s.AcceptToken(graph)
	if accept(tok) {
		t.Fatal("a token to be revoked was accepted")
	}
	if accept(tok) {
		t.Fatal("a revoked token was accepted later")
	}
	if fresh := s.MintToken(tenant, client, graph); !accept(fresh) {
		t.Fatal("a new token after the revocation was refused")
	}
}

func TestInstallAzureCLI(t *testing.T) {
	dir := t.TempDir()
	cli, err := InstallAzureCLI(dir, AzureCLI{Token: "tok-123", Resource: graph, TenantID: tenant})
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		out, err := exec.Command(filepath.Join(dir, "az"), args...).Output()
		return string(out), err
	}
	out, err := run("account", "get-access-token", "-o", "json", "--resource", graph, "--tenant", tenant)
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		AccessToken string `json:"accessToken"`
		ExpiresOn   int64  `json:"expires_on"`
	}
	if err := json.Unmarshal([]byte(out), &answer); err != nil || answer.AccessToken != "tok-123" || answer.ExpiresOn < time.Now().Unix() {
		t.Fatalf("answer %q: %v", out, err)
	}
	if _, err := run("account", "get-access-token", "-o", "json", "--resource", "https://graph.microsoft.us"); err == nil {
		t.Error("a token for another resource and no tenant was handed out")
	}
	if calls := cli.Calls(); len(calls) != 2 || !strings.Contains(calls[0], "--tenant "+tenant) {
		t.Errorf("calls = %q", calls)
	}

	if _, err := InstallAzureCLI(dir, AzureCLI{Token: "x", Resource: graph, LoggedOut: true}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(dir, "az"), "account", "get-access-token", "--resource", graph)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil || !strings.Contains(stderr.String(), "az login") {
		t.Errorf("logged out: %v, %q", err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "az")); err != nil {
		t.Fatal(err)
	}
}
