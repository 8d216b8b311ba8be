package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Settings are the sign-in settings after the provider has applied attribute and environment
// precedence. Empty strings and false mean "not set". File paths are read here, not by the
// provider, so their contents are known only to this package.
type Settings struct {
	Cloud         Cloud
	AuthorityHost string // from ParseAuthorityHost; "" = the cloud's

	TenantID         string
	ClientID         string
	ClientIDFilePath string

	AccessToken string

	ClientCertificate         string // base64 of PKCS#12 or PEM, or PEM text
	ClientCertificatePath     string
	ClientCertificatePassword string

	ClientSecret         string
	ClientSecretFilePath string

	UseOIDC           bool
	OIDCToken         string
	OIDCTokenFilePath string
	// OIDCRequestToken and OIDCRequestURL serve GitHub Actions (and Azure Pipelines, whose
	// request URL azidentity reads from SYSTEM_OIDCREQUESTURI itself).
	OIDCRequestToken       string
	OIDCRequestURL         string
	ADOServiceConnectionID string
	// ADOOIDCRequestURL is SYSTEM_OIDCREQUESTURI, the URL AzurePipelinesCredential will use.
	ADOOIDCRequestURL string

	UseAKSWorkloadIdentity bool
	// The workload identity's own values: client_id / tenant_id / oidc_token_file_path, else
	// AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_FEDERATED_TOKEN_FILE as AKS injects them.
	WorkloadClientID  string
	WorkloadTenantID  string
	WorkloadTokenFile string

	UseMSI      bool
	MSIClientID string // "" = system-assigned

	UseCLI bool
	// UseCLISet is true when use_cli was set explicitly (attribute or ARM_USE_CLI) rather than by default.
	UseCLISet bool
}

// Method names, as users see them in errors.
const (
	MethodAccessToken       = "access token (access_token / ENTRASYNC_ACCESS_TOKEN)"
	MethodClientCertificate = "client certificate (client_certificate or client_certificate_path / ARM_CLIENT_CERTIFICATE or ARM_CLIENT_CERTIFICATE_PATH)"
	MethodClientSecret      = "client secret (client_secret or client_secret_file_path / ARM_CLIENT_SECRET or ARM_CLIENT_SECRET_FILE_PATH)"
	MethodOIDC              = "OIDC (use_oidc / ARM_USE_OIDC)" // use_oidc without any token source
	MethodOIDCToken         = "OIDC token (use_oidc with oidc_token or oidc_token_file_path / ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH)"
	MethodAzurePipelines    = "Azure Pipelines OIDC (use_oidc with ado_pipeline_service_connection_id / ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID)"
	MethodGitHubOIDC        = "GitHub Actions OIDC (use_oidc with oidc_request_token and oidc_request_url / ACTIONS_ID_TOKEN_REQUEST_TOKEN and ACTIONS_ID_TOKEN_REQUEST_URL)"
	MethodWorkloadIdentity  = "AKS workload identity (use_aks_workload_identity / ARM_USE_AKS_WORKLOAD_IDENTITY)"
	MethodManagedIdentity   = "managed identity (use_msi / ARM_USE_MSI)"
	MethodAzureCLI          = "Azure CLI (use_cli / ARM_USE_CLI)"
)

// federatedAudience is the audience Entra ID accepts for federated (OIDC) client assertions.
const federatedAudience = "api://AzureADTokenExchange"

// ErrNoCredentials is returned when no sign-in method is configured (and, with use_cli left at
// its default, the Azure CLI could not sign in either).
var ErrNoCredentials = errors.New("no sign-in method is configured. Configure one of these; the first configured is used:\n" +
	"  - access token: access_token (ENTRASYNC_ACCESS_TOKEN), a ready bearer token for Microsoft Graph\n" +
	"  - client certificate: tenant_id, client_id and client_certificate or client_certificate_path, with client_certificate_password\n" +
	"    (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_CERTIFICATE, ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_CERTIFICATE_PASSWORD)\n" +
	"  - client secret: tenant_id, client_id and client_secret or client_secret_file_path\n" +
	"    (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_CLIENT_SECRET_FILE_PATH)\n" +
	"  - OIDC token: use_oidc = true, tenant_id, client_id and oidc_token or oidc_token_file_path\n" +
	"    (ARM_USE_OIDC, ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH)\n" +
	"  - Azure Pipelines: use_oidc = true, tenant_id, client_id and ado_pipeline_service_connection_id\n" +
	"    (ARM_USE_OIDC, ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, with SYSTEM_ACCESSTOKEN and SYSTEM_OIDCREQUESTURI)\n" +
	"  - GitHub Actions: use_oidc = true, tenant_id, client_id, oidc_request_token and oidc_request_url\n" +
	"    (ARM_USE_OIDC, ARM_OIDC_REQUEST_TOKEN or ACTIONS_ID_TOKEN_REQUEST_TOKEN, ARM_OIDC_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_URL)\n" +
	"  - AKS workload identity: use_aks_workload_identity = true\n" +
	"    (ARM_USE_AKS_WORKLOAD_IDENTITY, with AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE)\n" +
	"  - managed identity: use_msi = true, optionally msi_client_id (ARM_USE_MSI, ARM_CLIENT_ID)\n" +
	"  - Azure CLI: use_cli = true, the default (ARM_USE_CLI), after `az login`\n" +
	"client_id can also come from client_id_file_path (ARM_CLIENT_ID_FILE_PATH)")

// SignInError is a failure of the configured sign-in method, named as the user configured it.
type SignInError struct {
	Method string
	Err    error
}

func (e *SignInError) Error() string { return "sign-in with " + e.Method + ": " + e.Err.Error() }
func (e *SignInError) Unwrap() error { return e.Err }

// defaultCLIError is the Azure CLI failing when it was tried only because use_cli defaults to
// true: for the user, no method is configured, so the error lists them all.
type defaultCLIError struct{ err error }

func (e *defaultCLIError) Error() string {
	return ErrNoCredentials.Error() + "\nThe Azure CLI was tried because use_cli defaults to true, and failed: " + e.err.Error()
}

func (e *defaultCLIError) Unwrap() []error { return []error{ErrNoCredentials, e.err} }

// Credential is the credential of the sign-in method in use.
type Credential struct {
	azcore.TokenCredential
	Method string
	// Secrets are the secret values in play (from settings and files), for log masking.
	Secrets []string
}

// NewCredential picks the first configured sign-in method, in the order access token,
// certificate, secret, OIDC token or file, Azure Pipelines, GitHub Actions OIDC, AKS workload
// identity, managed identity, Azure CLI. A method that is configured but incomplete, or whose
// token request fails later, is an error of that method: it never falls through to the next.
func NewCredential(s Settings) (*Credential, error) {
	authority := s.AuthorityHost
	if authority == "" {
		authority = s.Cloud.AuthorityHost
	}
	opts := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: authority}}
	noDiscovery := !isMicrosoftAuthority(authority)

	var m method
	var err error
	switch {
	case s.AccessToken != "":
		m = method{name: MethodAccessToken, build: func() (azcore.TokenCredential, error) { return staticToken(s.AccessToken), nil }}
	case s.ClientCertificate != "" || s.ClientCertificatePath != "":
		m, err = certificateMethod(s, opts, noDiscovery)
	case s.ClientSecret != "" || s.ClientSecretFilePath != "":
		m, err = secretMethod(s, opts, noDiscovery)
	case s.UseOIDC:
		m, err = oidcMethod(s, opts, noDiscovery)
	case s.UseAKSWorkloadIdentity:
		m, err = workloadIdentityMethod(s, opts, noDiscovery)
	case s.UseMSI:
		m = managedIdentityMethod(s)
	case s.UseCLI:
		m, err = cliMethod(s)
	default:
		return nil, ErrNoCredentials
	}
	if err != nil {
		var noMethod *defaultCLIError
		if errors.As(err, &noMethod) {
			return nil, err
		}
		return nil, &SignInError{Method: m.name, Err: err}
	}
	cred, err := m.build()
	if err != nil {
		return nil, &SignInError{Method: m.name, Err: err}
	}
	secrets := nonEmpty(s.AccessToken, s.ClientCertificate, s.ClientCertificatePassword, s.ClientSecret,
		s.OIDCToken, s.OIDCRequestToken)
	return &Credential{
		TokenCredential: &methodCredential{method: m, cred: cred},
		Method:          m.name,
		Secrets:         append(secrets, m.secrets...),
	}, nil
}

// method is a checked sign-in method: how to build its azidentity credential.
type method struct {
	name    string
	build   func() (azcore.TokenCredential, error)
	secrets []string // read from files
	// renew gets a token other than the one Graph rejected; nil when the credential keeps no
	// cache of its own (the CLI) or cannot get another (a static token).
	renew func(ctx context.Context, cred azcore.TokenCredential, opts policy.TokenRequestOptions) (azcore.TokenCredential, azcore.AccessToken, error)
	// wrapErr turns a token error into what the user reads; nil = a SignInError of the method.
	wrapErr func(error) error
}

// rebuild renews by building a new credential: azidentity's confidential clients cache tokens
// per instance, so a new instance asks the authority again.
func rebuild(build func() (azcore.TokenCredential, error)) func(context.Context, azcore.TokenCredential, policy.TokenRequestOptions) (azcore.TokenCredential, azcore.AccessToken, error) {
	return func(ctx context.Context, _ azcore.TokenCredential, opts policy.TokenRequestOptions) (azcore.TokenCredential, azcore.AccessToken, error) {
		cred, err := build()
		if err != nil {
			return nil, azcore.AccessToken{}, err
		}
		tok, err := cred.GetToken(ctx, opts)
		return cred, tok, err
	}
}

// clientID is client_id or the content of client_id_file_path; both set must agree.
func clientID(s Settings) (id string, err error) {
	if s.ClientIDFilePath == "" {
		return s.ClientID, nil
	}
	b, err := os.ReadFile(s.ClientIDFilePath)
	if err != nil {
		return "", fmt.Errorf("client_id_file_path (ARM_CLIENT_ID_FILE_PATH): %w", err)
	}
	fromFile := strings.TrimSpace(string(b))
	if fromFile == "" {
		return "", fmt.Errorf("client_id_file_path (ARM_CLIENT_ID_FILE_PATH): %s is empty; it must hold the application (client) ID", s.ClientIDFilePath)
	}
	if s.ClientID != "" && !strings.EqualFold(s.ClientID, fromFile) {
		return "", fmt.Errorf("client_id (ARM_CLIENT_ID) is %q but client_id_file_path (ARM_CLIENT_ID_FILE_PATH) holds %q; set one of them", s.ClientID, fromFile)
	}
	return fromFile, nil
}

// tenantAndClient returns the tenant and client ID an application sign-in needs, or an error
// naming what is missing.
func tenantAndClient(s Settings) (tenant, client string, err error) {
	client, err = clientID(s)
	if err != nil {
		return "", "", err
	}
	var missing []string
	if s.TenantID == "" {
		missing = append(missing, "tenant_id (ARM_TENANT_ID)")
	}
	if client == "" {
		missing = append(missing, "client_id (ARM_CLIENT_ID) or client_id_file_path (ARM_CLIENT_ID_FILE_PATH)")
	}
	if len(missing) > 0 {
		return "", "", fmt.Errorf("it also needs %s", strings.Join(missing, " and "))
	}
	return s.TenantID, client, nil
}

func certificateMethod(s Settings, opts azcore.ClientOptions, noDiscovery bool) (method, error) {
	m := method{name: MethodClientCertificate}
	if s.ClientCertificate != "" && s.ClientCertificatePath != "" {
		return m, errors.New("client_certificate (ARM_CLIENT_CERTIFICATE) and client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) are both set; set one of them")
	}
	tenant, client, err := tenantAndClient(s)
	if err != nil {
		return m, err
	}
	var data []byte
	source := "client_certificate (ARM_CLIENT_CERTIFICATE)"
	if s.ClientCertificatePath != "" {
		source = "client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH)"
		if data, err = os.ReadFile(s.ClientCertificatePath); err != nil {
			return m, fmt.Errorf("%s: %w", source, err)
		}
	} else if strings.Contains(s.ClientCertificate, "-----BEGIN") {
		data = []byte(s.ClientCertificate)
	} else if data, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s.ClientCertificate), "")); err != nil {
		return m, fmt.Errorf("%s is not base64 (%v); it holds a PKCS#12 (.pfx) file or a PEM file, base64-encoded", source, err)
	}
	certs, key, err := azidentity.ParseCertificates(data, []byte(s.ClientCertificatePassword))
	if err != nil {
		return m, fmt.Errorf("%s: no certificate and private key could be read (%v). Use PEM with the certificate and an unencrypted "+
			"private key, or PKCS#12 (.pfx) with its password in client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD); "+
			"PKCS#12 must use 3DES encryption (OpenSSL 3: openssl pkcs12 -export -legacy)", source, err)
	}
	m.build = func() (azcore.TokenCredential, error) {
		return azidentity.NewClientCertificateCredential(tenant, client, certs, key, &azidentity.ClientCertificateCredentialOptions{
			ClientOptions: opts, DisableInstanceDiscovery: noDiscovery,
		})
	}
	m.renew = rebuild(m.build)
	return m, nil
}

func secretMethod(s Settings, opts azcore.ClientOptions, noDiscovery bool) (method, error) {
	m := method{name: MethodClientSecret}
	if s.ClientSecret != "" && s.ClientSecretFilePath != "" {
		return m, errors.New("client_secret (ARM_CLIENT_SECRET) and client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH) are both set; set one of them")
	}
	tenant, client, err := tenantAndClient(s)
	if err != nil {
		return m, err
	}
	secret := s.ClientSecret
	if s.ClientSecretFilePath != "" {
		b, err := os.ReadFile(s.ClientSecretFilePath)
		if err != nil {
			return m, fmt.Errorf("client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH): %w", err)
		}
		if secret = strings.TrimSpace(string(b)); secret == "" {
			return m, fmt.Errorf("client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH): %s is empty; it must hold the client secret", s.ClientSecretFilePath)
		}
		m.secrets = append(m.secrets, secret)
	}
	m.build = func() (azcore.TokenCredential, error) {
		return azidentity.NewClientSecretCredential(tenant, client, secret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: opts, DisableInstanceDiscovery: noDiscovery,
		})
	}
	m.renew = rebuild(m.build)
	return m, nil
}

// oidcMethod picks among the OIDC sources: a token or token file, Azure Pipelines, then GitHub Actions.
func oidcMethod(s Settings, opts azcore.ClientOptions, noDiscovery bool) (method, error) {
	switch {
	case s.OIDCToken != "" || s.OIDCTokenFilePath != "":
		m := method{name: MethodOIDCToken}
		if s.OIDCToken != "" && s.OIDCTokenFilePath != "" {
			return m, errors.New("oidc_token (ARM_OIDC_TOKEN) and oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH) are both set; set one of them")
		}
		tenant, client, err := tenantAndClient(s)
		if err != nil {
			return m, err
		}
		assertion := func(context.Context) (string, error) { return s.OIDCToken, nil }
		if s.OIDCTokenFilePath != "" {
			if _, err := os.Stat(s.OIDCTokenFilePath); err != nil {
				return m, fmt.Errorf("oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH): %w", err)
			}
			assertion = tokenFile(s.OIDCTokenFilePath, "oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH)")
		}
		return assertionMethod(m, tenant, client, assertion, opts, noDiscovery), nil

	case s.ADOServiceConnectionID != "":
		m := method{name: MethodAzurePipelines}
		tenant, client, err := tenantAndClient(s)
		if err != nil {
			return m, err
		}
		if s.OIDCRequestToken == "" {
			return m, errors.New("it needs the job's access token in SYSTEM_ACCESSTOKEN (map it with `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`), " +
				"oidc_request_token or ARM_OIDC_REQUEST_TOKEN")
		}
		if s.ADOOIDCRequestURL == "" {
			return m, errors.New("SYSTEM_OIDCREQUESTURI is not set: Azure Pipelines sets it in jobs that run on Azure Pipelines agents")
		}
		if s.OIDCRequestURL != "" && s.OIDCRequestURL != s.ADOOIDCRequestURL {
			return m, errors.New("oidc_request_url (ARM_OIDC_REQUEST_URL) differs from SYSTEM_OIDCREQUESTURI; Azure Pipelines sign-in always uses " +
				"SYSTEM_OIDCREQUESTURI, so leave oidc_request_url unset")
		}
		m.build = func() (azcore.TokenCredential, error) {
			return azidentity.NewAzurePipelinesCredential(tenant, client, s.ADOServiceConnectionID, s.OIDCRequestToken,
				&azidentity.AzurePipelinesCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
		}
		m.renew = rebuild(m.build)
		return m, nil

	case s.OIDCRequestToken != "" || s.OIDCRequestURL != "":
		m := method{name: MethodGitHubOIDC}
		if s.OIDCRequestToken == "" || s.OIDCRequestURL == "" {
			return m, errors.New("it needs both oidc_request_token and oidc_request_url (ARM_OIDC_REQUEST_TOKEN and ARM_OIDC_REQUEST_URL, or " +
				"ACTIONS_ID_TOKEN_REQUEST_TOKEN and ACTIONS_ID_TOKEN_REQUEST_URL, which GitHub sets in jobs with `permissions: id-token: write`)")
		}
		u, err := url.Parse(s.OIDCRequestURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return m, fmt.Errorf("oidc_request_url (ARM_OIDC_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_URL) %q must be an https URL", s.OIDCRequestURL)
		}
		tenant, client, err := tenantAndClient(s)
		if err != nil {
			return m, err
		}
		return assertionMethod(m, tenant, client, gitHubAssertion(u, s.OIDCRequestToken), opts, noDiscovery), nil
	}
	return method{name: MethodOIDC}, errors.New("use_oidc is true but no OIDC token source is configured. Set oidc_token or " +
		"oidc_token_file_path (ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH), ado_pipeline_service_connection_id (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID) " +
		"in Azure Pipelines, or run in GitHub Actions with `permissions: id-token: write` (which sets ACTIONS_ID_TOKEN_REQUEST_TOKEN and ACTIONS_ID_TOKEN_REQUEST_URL)")
}

func assertionMethod(m method, tenant, client string, assertion func(context.Context) (string, error), opts azcore.ClientOptions, noDiscovery bool) method {
	m.build = func() (azcore.TokenCredential, error) {
		return azidentity.NewClientAssertionCredential(tenant, client, assertion, &azidentity.ClientAssertionCredentialOptions{
			ClientOptions: opts, DisableInstanceDiscovery: noDiscovery,
		})
	}
	m.renew = rebuild(m.build)
	return m
}

// tokenFile reads an OIDC token file on every token request, as Kubernetes rotates it.
func tokenFile(path, setting string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("%s: %w", setting, err)
		}
		token := strings.TrimSpace(string(b))
		if token == "" {
			return "", fmt.Errorf("%s: %s is empty", setting, path)
		}
		return token, nil
	}
}

func workloadIdentityMethod(s Settings, opts azcore.ClientOptions, noDiscovery bool) (method, error) {
	m := method{name: MethodWorkloadIdentity}
	var missing []string
	if s.WorkloadTenantID == "" {
		missing = append(missing, "tenant_id (ARM_TENANT_ID or AZURE_TENANT_ID)")
	}
	if s.WorkloadClientID == "" {
		missing = append(missing, "client_id (ARM_CLIENT_ID or AZURE_CLIENT_ID)")
	}
	if s.WorkloadTokenFile == "" {
		missing = append(missing, "oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH or AZURE_FEDERATED_TOKEN_FILE)")
	}
	if len(missing) > 0 {
		return m, fmt.Errorf("it needs %s; AKS sets the AZURE_* variables in pods labelled azure.workload.identity/use: \"true\"", strings.Join(missing, " and "))
	}
	if _, err := os.Stat(s.WorkloadTokenFile); err != nil {
		return m, fmt.Errorf("federated token file: %w", err)
	}
	m.build = func() (azcore.TokenCredential, error) {
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: opts, DisableInstanceDiscovery: noDiscovery,
			ClientID: s.WorkloadClientID, TenantID: s.WorkloadTenantID, TokenFilePath: s.WorkloadTokenFile,
		})
	}
	m.renew = rebuild(m.build)
	return m, nil
}

func managedIdentityMethod(s Settings) method {
	m := method{name: MethodManagedIdentity}
	m.build = func() (azcore.TokenCredential, error) {
		o := &azidentity.ManagedIdentityCredentialOptions{}
		if s.MSIClientID != "" {
			o.ID = azidentity.ClientID(s.MSIClientID)
		}
		return azidentity.NewManagedIdentityCredential(o)
	}
	// MSAL keeps managed identity tokens in one cache per process; claims make it skip that cache.
	m.renew = func(ctx context.Context, cred azcore.TokenCredential, opts policy.TokenRequestOptions) (azcore.TokenCredential, azcore.AccessToken, error) {
		opts.Claims = fmt.Sprintf(`{"access_token":{"nbf":{"essential":true,"value":"%d"}}}`, time.Now().Unix())
		tok, err := cred.GetToken(ctx, opts)
		return cred, tok, err
	}
	return m
}

func cliMethod(s Settings) (method, error) {
	m := method{name: MethodAzureCLI}
	m.build = func() (azcore.TokenCredential, error) {
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: s.TenantID})
	}
	if !s.UseCLISet {
		m.wrapErr = func(err error) error { return &defaultCLIError{err: err} }
	}
	// azidentity runs `az` through the shell and PATH; a missing CLI is known before any apply.
	if _, err := exec.LookPath("az"); err != nil {
		err = errors.New("the Azure CLI (az) was not found on PATH; install it and run `az login`")
		if m.wrapErr != nil {
			return m, m.wrapErr(err)
		}
		return m, err
	}
	return m, nil
}

// methodCredential names its method in every error and, asked again for a token it has just
// handed out (the caller's copy was rejected, as azcore asks again only then or near expiry),
// renews it once instead of returning the same token from the credential's cache.
type methodCredential struct {
	method method
	mu     sync.Mutex
	cred   azcore.TokenCredential
	last   string
}

func (c *methodCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tok, err := c.cred.GetToken(ctx, opts)
	if err == nil && tok.Token == c.last && c.method.renew != nil {
		var cred azcore.TokenCredential
		if cred, tok, err = c.method.renew(ctx, c.cred, opts); err == nil {
			c.cred = cred
		}
	}
	if err != nil {
		if c.method.wrapErr != nil {
			return azcore.AccessToken{}, c.method.wrapErr(err)
		}
		return azcore.AccessToken{}, &SignInError{Method: c.method.name, Err: err}
	}
	c.last = tok.Token
	return tok, nil
}

// staticToken is a bearer token minted elsewhere (a pipeline step), used as is.
type staticToken string

func (t staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	// The real expiry is unknown; a far one stops azcore from asking again within a run.
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}
