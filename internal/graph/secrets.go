package graph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
)

// The credentials of a service principal's jobs ("synchronizationSecretKeyStringValuePair
// resource type"). Keys are values of the synchronizationSecret enum (BaseAddress, SecretToken,
// UserName, Password...). Values are never logged: the pipeline logs no bodies.

// SecretKeys are the documented values of the synchronizationSecret enum.
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

type secretPair struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// secretPairs is the wire list of a key -> value map, in key order so a request is the same
// for the same map.
func secretPairs(credentials map[string]string) []secretPair {
	pairs := make([]secretPair, 0, len(credentials))
	for k, v := range credentials {
		pairs = append(pairs, secretPair{Key: k, Value: v})
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i].Key < pairs[j].Key })
	return pairs
}

// ValidateCredentials asks the job's target whether it accepts credentials, without saving
// them ("synchronizationJob: validateCredentials", 204 when they work). A refusal is an *Error
// whose Message is Graph's reason.
func (c *Client) ValidateCredentials(ctx context.Context, servicePrincipalID, jobID string, credentials map[string]string) error {
	if servicePrincipalID == "" || jobID == "" {
		return errors.New("graph: validating credentials needs a service principal id and a job id")
	}
	body := map[string]any{"useSavedCredentials": false, "credentials": secretPairs(credentials)}
	_, _, err := c.do(ctx, http.MethodPost, jobsPath(servicePrincipalID)+"/"+url.PathEscape(jobID)+"/validateCredentials", body, nil)
	return err
}

// PutSynchronizationSecrets saves the credentials the service principal's jobs use ("Add
// synchronization secrets", PUT .../synchronization/secrets, 204). Graph has no call that
// deletes saved secrets; saving a key with an empty value blanks it.
func (c *Client) PutSynchronizationSecrets(ctx context.Context, servicePrincipalID string, credentials map[string]string) error {
	if servicePrincipalID == "" {
		return errors.New("graph: saving synchronization secrets needs a service principal id")
	}
	path := "/servicePrincipals/" + url.PathEscape(servicePrincipalID) + "/synchronization/secrets"
	_, _, err := c.do(ctx, http.MethodPut, path, map[string]any{"value": secretPairs(credentials)}, nil)
	return err
}
