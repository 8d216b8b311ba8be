package fakegraph_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

func secretsBody(baseAddress, token string) string {
	return `{"value":[{"key":"BaseAddress","value":"` + baseAddress + `"},{"key":"SecretToken","value":"` + token + `"}]}`
}

func credentialsBody(useSaved bool, baseAddress, token string) string {
	saved := "false"
	if useSaved {
		saved = "true"
	}
	return `{"useSavedCredentials":` + saved + `,"templateId":"scim","credentials":[{"key":"BaseAddress","value":"` + baseAddress + `"},{"key":"SecretToken","value":"` + token + `"}]}`
}

func TestSecrets(t *testing.T) {
	srv, base := start(t, fakegraph.Options{})
	sp := fakegraph.UnconfiguredSCIMServicePrincipalID
	if keys := srv.SavedSecretKeys(sp); len(keys) != 0 {
		t.Fatalf("the unconfigured app has secrets %v", keys)
	}
	if keys := srv.SavedSecretKeys(fakegraph.SCIMServicePrincipalID); strings.Join(keys, ",") != "BaseAddress,SecretToken,SyncAll" {
		t.Errorf("seeded SCIM secrets = %v", keys)
	}
	noContent(t, call(t, http.MethodPut, syncURL(base, sp)+"/secrets", secretsBody("https://elsewhere.test", "abc"), nil))
	noContent(t, call(t, http.MethodPut, syncURL(base, sp)+"/secrets",
		`{"value":[{"key":"BaseAddress","value":"`+fakegraph.SCIMBaseAddress+`"},{"key":"SecretToken","value":"`+fakegraph.SCIMSecretToken+`"},{"key":"SyncNotificationSettings","value":"{\"Enabled\":false}"}]}`, nil))
	if keys := srv.SavedSecretKeys(sp); strings.Join(keys, ",") != "BaseAddress,SecretToken,SyncNotificationSettings" {
		t.Errorf("a PUT replaces the saved secrets: %v", keys)
	}
	for _, bad := range []struct{ body, message string }{
		{`{"value":[{"key":"Token","value":"x"}]}`, "'Token' is not valid for enum type 'microsoft.graph.synchronizationSecret'"},
		{`{"value":[{"key":"BaseAddress","val":"x"}]}`, "'val'"},
		{`{"secrets":[]}`, "'secrets'"},
		{`{"value":{}}`, ""},
		{`nope`, ""},
	} {
		if msg := checkEnvelope(t, call(t, http.MethodPut, syncURL(base, sp)+"/secrets", bad.body, nil), 400, "BadRequest"); !strings.Contains(msg, bad.message) {
			t.Errorf("%s: %q", bad.body, msg)
		}
	}
	checkEnvelope(t, call(t, http.MethodGet, syncURL(base, sp)+"/secrets", "", nil), 405, "Request_BadRequest")
	checkEnvelope(t, call(t, http.MethodPut, syncURL(base, "00000000-0000-4000-8000-00000000beef")+"/secrets", secretsBody("a", "b"), nil), 404, "Request_ResourceNotFound")
	for _, r := range srv.Requests() {
		if strings.Contains(r.Body, fakegraph.SCIMSecretToken) || strings.Contains(r.Body, "abc") {
			t.Errorf("the request log holds a secret: %+v", r)
		}
	}
}

func TestValidateCredentials(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	seeded := jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID) + "/validateCredentials"
	noContent(t, call(t, http.MethodPost, seeded, credentialsBody(false, fakegraph.SCIMBaseAddress, fakegraph.SCIMSecretToken), nil))
	noContent(t, call(t, http.MethodPost, seeded, `{"useSavedCredentials":true}`, nil))
	// useSavedCredentials ignores the credentials given.
	noContent(t, call(t, http.MethodPost, seeded, credentialsBody(true, "https://wrong.test", "wrong"), nil))

	tests := []struct{ body, code, message string }{
		{credentialsBody(false, fakegraph.SCIMBaseAddress, "wrong"), fakegraph.ErrorCodeCredentialsInvalid, "invalid credentials"},
		{credentialsBody(false, "https://other.test/scim", fakegraph.SCIMSecretToken), fakegraph.ErrorCodeCredentialsInvalid, "https://other.test/scim"},
		{`{"credentials":[{"key":"BaseAddress","value":"` + fakegraph.SCIMBaseAddress + `"}]}`, fakegraph.ErrorCodeCredentialsInvalid, "SecretToken"},
		{`{"credentials":[]}`, fakegraph.ErrorCodeCredentialsMissing, ""},
		{`{"credentials":[{"key":"Bearer","value":"x"}]}`, "BadRequest", "'Bearer'"},
		{`{"useSavedCredentials":"yes"}`, "BadRequest", "Edm.Boolean"},
		{`{"credential":[]}`, "BadRequest", "'credential'"},
	}
	for _, tt := range tests {
		if msg := checkEnvelope(t, call(t, http.MethodPost, seeded, tt.body, nil), 400, tt.code); !strings.Contains(msg, tt.message) {
			t.Errorf("%s: message %q", tt.body, msg)
		}
	}
	missing := jobURL(base, "v1.0", fakegraph.CredentialsMissingServicePrincipalID, fakegraph.CredentialsMissingJobID) + "/validateCredentials"
	checkEnvelope(t, call(t, http.MethodPost, missing, `{"useSavedCredentials":true}`, nil), 400, fakegraph.ErrorCodeCredentialsMissing)

	workday := jobURL(base, "v1.0", fakegraph.WorkdayServicePrincipalID, fakegraph.WorkdayJobID) + "/validateCredentials"
	noContent(t, call(t, http.MethodPost, workday, `{"credentials":[{"key":"UserName","value":"`+fakegraph.WorkdayUserName+`"},{"key":"Password","value":"`+fakegraph.WorkdayPassword+`"},{"key":"BaseAddress","value":"`+fakegraph.WorkdayBaseAddress+`"}]}`, nil))
	checkEnvelope(t, call(t, http.MethodPost, workday, credentialsBody(false, fakegraph.SCIMBaseAddress, fakegraph.SCIMSecretToken), nil), 400, fakegraph.ErrorCodeCredentialsInvalid)
}
