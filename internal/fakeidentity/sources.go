package fakeidentity

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// federatedTokenLifetime is how long the CI ID tokens handed out here are valid.
const federatedTokenLifetime = 10 * time.Minute

// managedIdentityToken answers like App Service's identity endpoint (api-version 2019-08-01):
// X-IDENTITY-HEADER must carry IDENTITY_HEADER, client_id picks a user-assigned identity.
func (s *Server) managedIdentityToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !secretEqual(r.Header.Get("X-IDENTITY-HEADER"), s.identityHeader) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": "Unauthorized: X-IDENTITY-HEADER is missing or wrong."})
		return
	}
	if v := q.Get("api-version"); v != "2019-08-01" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "message": "Unsupported api-version '" + v + "'."})
		return
	}
	resource := q.Get("resource")
	if !slices.Contains(GraphResources, resource) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "message": "AADSTS500011: The resource principal named " + resource + " was not found in the tenant."})
		return
	}
	clientID := q.Get("client_id")
	s.mu.Lock()
	known := s.identities[strings.ToLower(clientID)]
	s.mu.Unlock()
	if !known {
		writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400,
			"message": "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId."})
		return
	}
	value := s.issue(Token{Grant: GrantManagedIdentity, ClientID: clientID, Resource: resource})
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": value,
		"expires_on":   strconv.FormatInt(time.Now().Add(s.lifetime).Unix(), 10),
		"resource":     resource,
		"token_type":   "Bearer",
		"client_id":    clientID,
	})
}

// gitHubIDToken answers like ACTIONS_ID_TOKEN_REQUEST_URL: a job token for the requested audience.
func (s *Server) gitHubIDToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	want, subject := s.gitHubToken, s.gitHubSubject
	s.mu.Unlock()
	if want == "" || !secretEqual(bearer(r), want) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Bad credentials"})
		return
	}
	audience := r.URL.Query().Get("audience")
	if audience == "" {
		audience = "https://github.com/entrasync" // GitHub's default: the owner's URL
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": 1, "value": s.IssueFederatedToken(subject, audience, federatedTokenLifetime)})
}

// azurePipelinesIDToken answers like SYSTEM_OIDCREQUESTURI (api-version 7.1).
func (s *Server) azurePipelinesIDToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	want := s.adoToken
	subject, ok := s.adoConnections[r.URL.Query().Get("serviceConnectionId")]
	s.mu.Unlock()
	switch {
	case want == "" || !secretEqual(bearer(r), want):
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "TF400813: The user is not authorized to access this resource."})
	case r.URL.Query().Get("api-version") != "7.1":
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "The requested REST API version is not supported."})
	case !ok:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Service connection '" + r.URL.Query().Get("serviceConnectionId") + "' was not found."})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"oidcToken": s.IssueFederatedToken(subject, FederatedAudience, federatedTokenLifetime)})
	}
}

func bearer(r *http.Request) string {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func secretEqual(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
