package fakeidentity

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // x5t is a SHA-1 thumbprint by definition (RFC 7515)
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// openIDConfiguration answers MSAL's tenant discovery.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	if !s.knownTenant(tenant) {
		refuse(http.StatusBadRequest, "invalid_tenant", 90002, "Tenant '%s' not found. Check to make sure you have the correct "+
			"tenant ID and are signing into the correct cloud.", tenant).write(w)
		return
	}
	base := s.ts.URL + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base + "/v2.0",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"cloud_instance_name":                   "fakeidentity",
	})
}

// token is the client credentials grant with a secret, a certificate assertion or a federated
// assertion. It checks the tenant, the client, the proof and the scope, as Entra ID does.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	_ = r.ParseForm()
	rec := TokenRequest{TenantID: tenant, ClientID: r.PostForm.Get("client_id"), Scope: r.PostForm.Get("scope")}
	tok, ref := s.grant(r, tenant, &rec)
	if ref != nil {
		rec.Status, rec.Error = ref.status, "AADSTS"+strconv.Itoa(ref.code)
		s.record(rec)
		ref.write(w)
		return
	}
	rec.Status = http.StatusOK
	s.record(rec)
	value := s.issue(tok)
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(s.lifetime.Seconds()) - 1,
		"ext_expires_in": int(s.lifetime.Seconds()) - 1,
		"access_token":   value,
	})
}

func (s *Server) record(rec TokenRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
}

func (s *Server) grant(r *http.Request, tenant string, rec *TokenRequest) (Token, *refusal) {
	form := r.PostForm
	if !s.knownTenant(tenant) {
		return Token{}, refuse(http.StatusBadRequest, "invalid_request", 90002, "Tenant '%s' not found. Check to make sure you have "+
			"the correct tenant ID and are signing into the correct cloud.", tenant)
	}
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		return Token{}, refuse(http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'.", gt)
	}
	clientID := form.Get("client_id")
	app, ok := s.app(tenant, clientID)
	if !ok {
		return Token{}, refuse(http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '%s' was not found in "+
			"the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or "+
			"consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant)
	}
	resource, ref := scopeResource(form.Get("scope"), tenant)
	if ref != nil {
		return Token{}, ref
	}
	t := Token{TenantID: app.TenantID, ClientID: app.ClientID, Resource: resource}
	switch {
	case form.Has("client_secret"):
		rec.Grant, t.Grant = GrantClientSecret, GrantClientSecret
		if app.Secret == "" || subtle.ConstantTimeCompare([]byte(form.Get("client_secret")), []byte(app.Secret)) != 1 {
			return Token{}, refuse(http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the "+
				"secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID)
		}
	case form.Get("client_assertion_type") == assertionType && form.Get("client_assertion") != "":
		assertion := form.Get("client_assertion")
		if certificateAssertion(assertion) {
			rec.Grant, t.Grant = GrantCertificate, GrantCertificate
			ref = s.checkCertificateAssertion(assertion, app, s.ts.URL+r.URL.Path)
		} else {
			rec.Grant, t.Grant = GrantFederated, GrantFederated
			t.Subject, ref = s.checkFederatedAssertion(assertion, app)
		}
		if ref != nil {
			return Token{}, ref
		}
	default:
		return Token{}, refuse(http.StatusBadRequest, "invalid_client", 7000218, "The request body must contain the following "+
			"parameter: 'client_assertion' or 'client_secret'.")
	}
	return t, nil
}

// scopeResource reads the one "{resource}/.default" scope of a client credentials request.
func scopeResource(scope, tenant string) (string, *refusal) {
	var defaults []string
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "openid", "profile", "offline_access":
		default:
			defaults = append(defaults, sc)
		}
	}
	if len(defaults) != 1 || !strings.HasSuffix(defaults[0], "/.default") {
		return "", refuse(http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope %s is not valid. Client "+
			"credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)
	}
	resource := strings.TrimSuffix(defaults[0], "/.default")
	if !slices.Contains(GraphResources, resource) {
		return "", refuse(http.StatusBadRequest, "invalid_resource", 500011, "The resource principal named %s was not found in the "+
			"tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or "+
			"consented to by any user in the tenant.", resource, tenant)
	}
	return resource, nil
}

// certificateAssertion tells a certificate assertion (it names its key by thumbprint) from a
// federated one.
func certificateAssertion(assertion string) bool {
	tok, _, err := jwt.NewParser().ParseUnverified(assertion, jwt.MapClaims{})
	if err != nil {
		return false
	}
	_, s256 := tok.Header["x5t#S256"]
	_, s1 := tok.Header["x5t"]
	return s256 || s1
}

func (s *Server) checkCertificateAssertion(assertion string, app *App, tokenEndpoint string) *refusal {
	invalid := func(reason string) *refusal {
		return refuse(http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation. "+
			"[Reason - %s] Trace ID is the same as the request.", reason)
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(assertion, claims, func(t *jwt.Token) (any, error) {
		for _, cert := range app.Certificates {
			if thumbprintMatches(t.Header, cert.Raw) {
				return cert.PublicKey, nil
			}
		}
		return nil, errors.New("no registered certificate has the assertion's thumbprint")
	}, jwt.WithValidMethods([]string{"PS256", "RS256"}), jwt.WithExpirationRequired())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired) || errors.Is(err, jwt.ErrTokenNotValidYet):
		return refuse(http.StatusUnauthorized, "invalid_client", 700024, "Client assertion is not within its valid time range.")
	case err != nil || !tok.Valid:
		reason := "The signature is invalid."
		if errors.Is(err, jwt.ErrTokenUnverifiable) {
			reason = "The key was not found."
		}
		return invalid(reason)
	}
	if aud, _ := claims.GetAudience(); !slices.Contains(aud, tokenEndpoint) {
		return refuse(http.StatusUnauthorized, "invalid_client", 700021, "Client assertion audience claim does not match Realm issuer.")
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	if iss != app.ClientID || sub != app.ClientID {
		return refuse(http.StatusUnauthorized, "invalid_client", 700023, "Client assertion issuer and subject must be the client ID '%s'.", app.ClientID)
	}
	return nil
}

func thumbprintMatches(header map[string]any, der []byte) bool {
	s256 := sha256.Sum256(der)
	s1 := sha1.Sum(der) //nolint:gosec // the x5t header is SHA-1
	for name, want := range map[string][]byte{"x5t#S256": s256[:], "x5t": s1[:]} {
		v, _ := header[name].(string)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding, base64.URLEncoding} {
			if got, err := enc.DecodeString(v); err == nil && bytes.Equal(got, want) {
				return true
			}
		}
	}
	return false
}

func (s *Server) checkFederatedAssertion(assertion string, app *App) (string, *refusal) {
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(assertion, claims, func(*jwt.Token) (any, error) {
		return &s.issuerKey.PublicKey, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithExpirationRequired())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired) || errors.Is(err, jwt.ErrTokenNotValidYet):
		return "", refuse(http.StatusBadRequest, "invalid_client", 700024, "Client assertion is not within its valid time range.")
	case err != nil || !tok.Valid:
		return "", refuse(http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation.")
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	aud, _ := claims.GetAudience()
	switch {
	case iss != s.IssuerURL():
		return "", refuse(http.StatusBadRequest, "invalid_request", 700211, "No matching federated identity record found for presented assertion issuer '%s'. "+
			"Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.", iss)
	case !slices.Contains(aud, FederatedAudience):
		return "", refuse(http.StatusBadRequest, "invalid_request", 700212, "No matching federated identity record found for presented assertion audience '%s'. "+
			"Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.", strings.Join(aud, ", "))
	case !slices.Contains(app.FederatedSubjects, sub):
		return "", refuse(http.StatusBadRequest, "invalid_request", 700213, "No matching federated identity record found for presented assertion subject '%s'. "+
			"Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.", sub)
	}
	return sub, nil
}
