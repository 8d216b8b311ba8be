// Package fakeidentity is a fake Microsoft Entra ID for tests: a sign-in authority over TLS on
// loopback (OpenID configuration and a token endpoint for client secrets, certificates and
// federated client assertions), an App Service style managed-identity endpoint
// (IDENTITY_ENDPOINT / IDENTITY_HEADER), the OIDC token endpoints of GitHub Actions and Azure
// Pipelines, and a fake `az` executable. It mints opaque access tokens and tells a fake Graph
// which of them to accept (AcceptToken), so a test proves the whole sign-in chain.
//
// Like the fake Graph it shares no code with the provider: it speaks the wire formats on its own.
package fakeidentity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// FederatedAudience is the audience Entra ID accepts in federated client assertions.
const FederatedAudience = "api://AzureADTokenExchange"

// Grants: how a token was obtained.
const (
	GrantClientSecret    = "client_secret"
	GrantCertificate     = "client_certificate"
	GrantFederated       = "federated_credential"
	GrantManagedIdentity = "managed_identity"
	GrantMinted          = "minted" // MintToken: a token handed out of band (az, access_token)
)

// GraphResources are the Graph resources of the four clouds, the only ones tokens are issued for.
var GraphResources = []string{
	"https://graph.microsoft.com",
	"https://graph.microsoft.us",
	"https://dod-graph.microsoft.us",
	"https://microsoftgraph.chinacloudapi.cn",
}

// App is an application registration in a tenant: any of a secret, certificates and
// federated credentials (subjects of assertions issued by this server's OIDC issuer).
type App struct {
	TenantID          string
	ClientID          string
	Secret            string
	Certificates      []*x509.Certificate
	FederatedSubjects []string
}

// Token is an access token the fake issued.
type Token struct {
	Value    string `json:"-"`
	Grant    string
	TenantID string
	ClientID string
	Subject  string // federated: the assertion's subject
	Resource string
	Expires  time.Time
}

// TokenRequest is one request to the token endpoint and how it was answered.
type TokenRequest struct {
	TenantID string
	ClientID string
	Grant    string // as far as it could be told from the request
	Scope    string
	Status   int
	Error    string // AADSTS code of a refusal
}

// Server is the fake identity platform. All endpoints share one TLS listener on 127.0.0.1.
type Server struct {
	ts        *httptest.Server
	issuerKey *ecdsa.PrivateKey
	lifetime  time.Duration

	mu             sync.Mutex
	apps           map[string]*App // tenant/clientID, lower case
	tenants        map[string]bool
	tokens         map[string]*Token
	presented      []Token
	requests       []TokenRequest
	rejectNext     int
	identityHeader string
	identities     map[string]bool // managed identities by client ID; "" = system-assigned
	gitHubToken    string
	gitHubSubject  string
	adoToken       string
	adoConnections map[string]string // service connection ID -> subject
}

// Start serves a fake identity platform over TLS with a certificate from ca.
func Start(ca *CA) (*Server, error) {
	cert, err := ca.loopbackCertificate()
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	s := &Server{
		issuerKey:      key,
		lifetime:       time.Hour,
		apps:           map[string]*App{},
		tenants:        map[string]bool{},
		tokens:         map[string]*Token{},
		identities:     map[string]bool{},
		adoConnections: map[string]string{},
		identityHeader: randomString(18),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfiguration)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("GET /msi/token", s.managedIdentityToken)
	mux.HandleFunc("GET /github/idtoken", s.gitHubIDToken)
	mux.HandleFunc("POST /ado/oidctoken", s.azurePipelinesIDToken)
	s.ts = httptest.NewUnstartedServer(mux)
	s.ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.ts.StartTLS()
	return s, nil
}

// URL is the server's base URL, the authority host to configure.
func (s *Server) URL() string { return s.ts.URL }

// Close stops the server.
func (s *Server) Close() { s.ts.Close() }

// IssuerURL is the issuer of the federated tokens this server hands out.
func (s *Server) IssuerURL() string { return s.ts.URL + "/oidc-issuer" }

// AddApp registers an application.
func (s *Server) AddApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[strings.ToLower(a.TenantID+"/"+a.ClientID)] = &a
	s.tenants[strings.ToLower(a.TenantID)] = true
}

// AddManagedIdentity lets the managed-identity endpoint issue tokens for a user-assigned
// identity (clientID) or, with "", the system-assigned one.
func (s *Server) AddManagedIdentity(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identities[strings.ToLower(clientID)] = true
}

// IdentityEndpoint and IdentityHeader are the IDENTITY_ENDPOINT and IDENTITY_HEADER values of
// the managed-identity endpoint (App Service style).
func (s *Server) IdentityEndpoint() string { return s.ts.URL + "/msi/token" }

// IdentityHeader is the secret the managed-identity endpoint expects in X-IDENTITY-HEADER.
func (s *Server) IdentityHeader() string { return s.identityHeader }

// GitHubActions enables the GitHub Actions ID token endpoint for a job whose tokens carry
// subject, and returns ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.
func (s *Server) GitHubActions(subject string) (requestURL, requestToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gitHubToken, s.gitHubSubject = randomString(24), subject
	return s.ts.URL + "/github/idtoken?api-version=2.0", s.gitHubToken
}

// AzurePipelines enables the Azure Pipelines OIDC endpoint for a service connection whose
// tokens carry subject, and returns SYSTEM_OIDCREQUESTURI and SYSTEM_ACCESSTOKEN.
func (s *Server) AzurePipelines(serviceConnectionID, subject string) (requestURI, systemAccessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.adoToken == "" {
		s.adoToken = randomString(24)
	}
	s.adoConnections[serviceConnectionID] = subject
	return s.ts.URL + "/ado/oidctoken", s.adoToken
}

// IssueFederatedToken signs an OIDC token of this server's issuer, as a Kubernetes service
// account token or a CI job token would be, valid for lifetime.
func (s *Server) IssueFederatedToken(subject, audience string, lifetime time.Duration) string {
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": s.IssuerURL(),
		"sub": subject,
		"aud": audience,
		"iat": now.Unix(),
		"nbf": now.Add(-time.Minute).Unix(),
		"exp": now.Add(lifetime).Unix(),
		"jti": uuid.NewString(),
	})
	tok.Header["kid"] = "fakeidentity"
	signed, err := tok.SignedString(s.issuerKey)
	if err != nil {
		panic(err) // an ECDSA key of our own cannot fail to sign
	}
	return signed
}

// MintToken issues an access token out of band: what `az` or a pipeline step would hand over.
func (s *Server) MintToken(tenantID, clientID, resource string) string {
	return s.issue(Token{Grant: GrantMinted, TenantID: tenantID, ClientID: clientID, Resource: resource})
}

func (s *Server) issue(t Token) string {
	t.Value = "fakeid." + randomString(32)
	t.Expires = time.Now().Add(s.lifetime)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[t.Value] = &t
	return t.Value
}

// AcceptToken returns a check for fakegraph.Options.AcceptToken: the token must have been
// issued here for resource, be unexpired and not revoked.
func (s *Server) AcceptToken(resource string) func(string) bool {
	return func(value string) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		t, ok := s.tokens[value]
		if !ok || t.Resource != resource || time.Now().After(t.Expires) {
			return false
		}
		if s.rejectNext > 0 {
			s.rejectNext--
			delete(s.tokens, value) // revoked
			return false
		}
		s.presented = append(s.presented, *t)
		return true
	}
}

// RevokeNext revokes the next n valid tokens presented to AcceptToken, as Entra ID does when
// it revokes sessions, so the client must get a new one.
func (s *Server) RevokeNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectNext = n
}

// Accepted lists the tokens AcceptToken accepted, oldest first.
func (s *Server) Accepted() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Token(nil), s.presented...)
}

// Issued lists every token issued, in no particular order (tests search logs for them).
func (s *Server) Issued() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Token, 0, len(s.tokens))
	for _, t := range s.tokens {
		out = append(out, *t)
	}
	return out
}

// TokenRequests lists the token endpoint's requests, oldest first.
func (s *Server) TokenRequests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenRequest(nil), s.requests...)
}

func (s *Server) app(tenant, clientID string) (*App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[strings.ToLower(tenant+"/"+clientID)]
	return a, ok
}

func (s *Server) knownTenant(tenant string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tenants[strings.ToLower(tenant)]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// refusal is a token request refused with an AADSTS code, worded as Entra ID words it.
type refusal struct {
	status int
	error  string // OAuth error
	code   int    // AADSTS number
	text   string
}

func refuse(status int, oauthError string, code int, format string, args ...any) *refusal {
	return &refusal{status: status, error: oauthError, code: code, text: fmt.Sprintf(format, args...)}
}

func (r *refusal) write(w http.ResponseWriter) {
	trace, correlation := uuid.NewString(), uuid.NewString()
	now := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	writeJSON(w, r.status, map[string]any{
		"error": r.error,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			r.code, r.text, trace, correlation, now),
		"error_codes":    []int{r.code},
		"timestamp":      now,
		"trace_id":       trace,
		"correlation_id": correlation,
		"error_uri":      fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", r.code),
	})
}
