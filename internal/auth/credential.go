package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Settings are the sign-in settings after the provider has applied attribute and environment
// precedence. Empty strings mean "not set".
type Settings struct {
	TenantID     string
	ClientID     string
	ClientSecret string
	AccessToken  string
	Cloud        Cloud
}

// Method names, as users see them in errors.
const (
	MethodAccessToken  = "access token (access_token / ENTRASYNC_ACCESS_TOKEN)"
	MethodClientSecret = "client secret (client_secret / ARM_CLIENT_SECRET)"
)

// ErrNoCredentials is returned when no sign-in method is configured.
var ErrNoCredentials = errors.New("no sign-in method is configured. Set one of:\n" +
	"  - access_token (or ENTRASYNC_ACCESS_TOKEN): a ready bearer token for Microsoft Graph\n" +
	"  - tenant_id, client_id and client_secret (or ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET)")

// NewCredential picks the first configured sign-in method (access token, then client secret)
// and returns its credential and name. A method that is configured but incomplete is an error
// for that method; it never falls through to the next.
func NewCredential(s Settings) (azcore.TokenCredential, string, error) {
	switch {
	case s.AccessToken != "":
		return staticToken(s.AccessToken), MethodAccessToken, nil
	case s.ClientSecret != "":
		var missing []string
		if s.TenantID == "" {
			missing = append(missing, "tenant_id (ARM_TENANT_ID)")
		}
		if s.ClientID == "" {
			missing = append(missing, "client_id (ARM_CLIENT_ID)")
		}
		if len(missing) > 0 {
			return nil, MethodClientSecret, fmt.Errorf("%s also needs %s", MethodClientSecret, strings.Join(missing, " and "))
		}
		opts := &azidentity.ClientSecretCredentialOptions{
			ClientOptions: policy.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: s.Cloud.AuthorityHost}},
		}
		cred, err := azidentity.NewClientSecretCredential(s.TenantID, s.ClientID, s.ClientSecret, opts)
		if err != nil {
			return nil, MethodClientSecret, fmt.Errorf("%s: %w", MethodClientSecret, err)
		}
		return cred, MethodClientSecret, nil
	}
	return nil, "", ErrNoCredentials
}

// staticToken is a bearer token minted elsewhere (a pipeline step), used as is.
type staticToken string

func (t staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	// The real expiry is unknown; a far one stops azcore from asking again within a run.
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}
