package fakegraph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The credentials the fake's targets accept. validateCredentials and a job's cycles accept
// exactly these; anything else is rejected like a target answering 401.
const (
	SCIMBaseAddress    = "https://scim.example.test/scim"
	SCIMSecretToken    = "fake-scim-token-6d1f0c9a"
	WorkdayBaseAddress = "https://wd3-impl-services1.workday.com/ccx/service/contoso4"
	WorkdayUserName    = "ISU_Entra@contoso4"
	WorkdayPassword    = "fake-workday-password-3b8e"
)

// Error codes of the fake's credential checks. Graph documents no codes for these; the SCIM
// one is the code Entra's provisioning logs show for a failed "Test connection".
const (
	ErrorCodeCredentialsInvalid = "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable"
	ErrorCodeCredentialsMissing = "CredentialsMissing"
)

// SecretKeys are the values of the synchronizationSecret enum, from the
// "synchronizationSecretKeyStringValuePair resource type" page.
var SecretKeys = []string{
	"None", "UserName", "Password", "SecretToken", "AppKey", "BaseAddress", "ClientIdentifier", "ClientSecret",
	"SingleSignOnType", "Sandbox", "Url", "Domain", "ConsumerKey", "ConsumerSecret", "TokenKey", "TokenExpiration",
	"Oauth2AccessToken", "Oauth2AccessTokenCreationTime", "Oauth2RefreshToken", "SyncAll", "InstanceName",
	"Oauth2ClientId", "Oauth2ClientSecret", "CompanyId", "UpdateKeyOnSoftDelete", "SynchronizationSchedule",
	"SystemOfRecord", "SandboxName", "EnforceDomain", "SyncNotificationSettings", "SkipOutOfScopeDeletions",
	"Oauth2AuthorizationCode", "Oauth2RedirectUri", "ApplicationTemplateIdentifier", "Oauth2TokenExchangeUri",
	"Oauth2AuthorizationUri", "AuthenticationType", "Server", "PerformInboundEntitlementGrants",
	"HardDeletesEnabled", "SyncAgentCompatibilityKey", "SyncAgentADContainer", "ValidateDomain",
	"TestReferences", "ConnectionString",
}

// Credential states for SetCredentials.
const (
	CredentialsValid   = "valid"   // the target's expected credentials are saved
	CredentialsInvalid = "invalid" // the expected keys are saved with wrong values
	CredentialsNone    = "missing" // nothing is saved
)

const invalidCredentialsMessage = "You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account."

// seedSecrets saves the expected credentials of every seeded app whose job works.
func (s *Server) seedSecrets() {
	s.secrets = map[string]map[string]string{}
	for sp, templates := range s.templates {
		if sp == strings.ToLower(CredentialsMissingServicePrincipalID) || sp == strings.ToLower(UnconfiguredSCIMServicePrincipalID) {
			continue
		}
		s.secrets[sp] = pairsMap(templates[0].expected)
		s.secrets[sp]["SyncAll"] = "false"
	}
}

func pairsMap(pairs []keyValue) map[string]string {
	m := map[string]string{}
	for _, p := range pairs {
		m[p.Key] = p.Value
	}
	return m
}

// decodeSecretPairs reads a synchronizationSecretKeyStringValuePair collection and rejects
// keys outside the enum, as Graph's OData reader does.
func decodeSecretPairs(raw json.RawMessage) (map[string]string, *apiError) {
	var pairs []map[string]json.RawMessage
	if len(raw) > 0 && !isNull(raw) {
		if err := json.Unmarshal(raw, &pairs); err != nil {
			return nil, badRequest("BadRequest", unreadablePayload)
		}
	}
	m := map[string]string{}
	for _, p := range pairs {
		raw, _ := json.Marshal(p)
		fields, err := decodeObject(raw, "synchronizationSecretKeyStringValuePair", "key", "value")
		if err != nil {
			return nil, err
		}
		key, err := decodeString(fields, "key")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(SecretKeys, key) {
			return nil, badRequest("BadRequest", "The value '%s' is not valid for enum type 'microsoft.graph.synchronizationSecret'; allowed: %s.",
				key, strings.Join(SecretKeys, ", "))
		}
		if m[key], err = decodeString(fields, "value"); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// servePutSecrets answers "Add synchronization secrets" (PUT .../synchronization/secrets,
// learn.microsoft.com/graph/api/synchronization-serviceprincipal-put-synchronization): the body
// {"value": [{key, value}]} replaces what was saved; 204 No Content.
func (s *Server) servePutSecrets(x *exchange, rt route, body []byte) {
	top, apiErr := decodeObject(body, "", "value")
	var secrets map[string]string
	if apiErr == nil {
		secrets, apiErr = decodeSecretPairs(top["value"])
	}
	if apiErr != nil {
		s.writeError(x, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	s.saveSecrets(rt.servicePrincipalID, secrets)
	x.writeHeader(http.StatusNoContent)
}

func (s *Server) saveSecrets(servicePrincipalID string, secrets map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := strings.ToLower(servicePrincipalID)
	s.secrets[sp] = secrets
	for _, j := range s.byPrincipal[sp] {
		j.credentialsMissing = len(secrets) == 0
	}
}

// serveValidateCredentials answers "synchronizationJob: validateCredentials"
// (learn.microsoft.com/graph/api/synchronization-synchronizationjob-validatecredentials):
// 204 when the target accepts the credentials, else 400 with the reason.
func (s *Server) serveValidateCredentials(x *exchange, j *job, body []byte) {
	fields, apiErr := decodeObject(body, "", "useSavedCredentials", "templateId", "applicationIdentifier", "credentials")
	var given map[string]string
	if apiErr == nil {
		given, apiErr = decodeSecretPairs(fields["credentials"])
	}
	if apiErr != nil {
		s.writeError(x, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	var useSaved bool
	if raw, ok := fields["useSavedCredentials"]; ok && !isNull(raw) && json.Unmarshal(raw, &useSaved) != nil {
		s.writeError(x, http.StatusBadRequest, "BadRequest", "Cannot convert the value of property 'useSavedCredentials' to the expected type 'Edm.Boolean'.")
		return
	}
	s.mu.Lock()
	if useSaved {
		given = s.secrets[strings.ToLower(j.servicePrincipalID)]
	}
	code, message := s.checkCredentials(j, given)
	s.mu.Unlock()
	if code != "" {
		s.writeError(x, http.StatusBadRequest, code, message)
		return
	}
	x.writeHeader(http.StatusNoContent)
}

// checkCredentials compares credentials with what the job's target expects; it answers an
// error code and message, or "" when they work. Callers hold s.mu.
func (s *Server) checkCredentials(j *job, given map[string]string) (code, message string) {
	t := s.template(j.servicePrincipalID, j.templateID)
	if t == nil || len(t.expected) == 0 {
		return "", ""
	}
	if len(given) == 0 {
		return ErrorCodeCredentialsMissing, "Admin credentials for the target system have not been saved for this job. Enter the tenant URL and secret token, test the connection and save the configuration."
	}
	var missing []string
	for _, want := range t.expected {
		if _, ok := given[want.Key]; !ok {
			missing = append(missing, want.Key)
		}
	}
	if len(missing) > 0 {
		return ErrorCodeCredentialsInvalid, fmt.Sprintf("The credentials lack %s, which template '%s' needs.", strings.Join(missing, ", "), t.id)
	}
	for _, want := range t.expected {
		if given[want.Key] != want.Value {
			return ErrorCodeCredentialsInvalid, invalidCredentialsMessage + " The target at '" + given["BaseAddress"] + "' refused them."
		}
	}
	return "", ""
}

// credentialProblem checks the saved credentials a job's cycle would use.
func (s *Server) credentialProblem(j *job) (code, message string) {
	return s.checkCredentials(j, s.secrets[strings.ToLower(j.servicePrincipalID)])
}

// SetCredentials saves credentials for a service principal from outside Graph:
// CredentialsValid, CredentialsInvalid or CredentialsNone.
func (s *Server) SetCredentials(servicePrincipalID, state string) error {
	s.mu.Lock()
	templates := s.templates[strings.ToLower(servicePrincipalID)]
	s.mu.Unlock()
	if len(templates) == 0 {
		return fmt.Errorf("fakegraph: no service principal %q", servicePrincipalID)
	}
	secrets := map[string]string{}
	switch state {
	case CredentialsValid:
		secrets = pairsMap(templates[0].expected)
	case CredentialsInvalid:
		for _, p := range templates[0].expected {
			secrets[p.Key] = p.Value + "-wrong"
		}
	case CredentialsNone:
	default:
		return fmt.Errorf("fakegraph: credentials state %q is not %q, %q or %q", state, CredentialsValid, CredentialsInvalid, CredentialsNone)
	}
	s.saveSecrets(servicePrincipalID, secrets)
	return nil
}

// SavedSecretKeys lists the secret keys saved for a service principal (never the values).
func (s *Server) SavedSecretKeys(servicePrincipalID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.secrets[strings.ToLower(servicePrincipalID)] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
