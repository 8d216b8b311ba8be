package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

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
	}
	if _, ok := LookupCloud("azurestack"); ok {
		t.Error("unknown environment accepted")
	}
}

func TestNewCredentialAccessTokenWins(t *testing.T) {
	cloud, _ := LookupCloud("global")
	cred, method, err := NewCredential(Settings{AccessToken: "tok", ClientSecret: "s", TenantID: "t", ClientID: "c", Cloud: cloud})
	if err != nil || method != MethodAccessToken {
		t.Fatalf("got %q, %v", method, err)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{cloud.Scope()}})
	if err != nil || tok.Token != "tok" {
		t.Fatalf("GetToken = %q, %v", tok.Token, err)
	}
}

func TestNewCredentialClientSecretNeedsTenantAndClient(t *testing.T) {
	cloud, _ := LookupCloud("global")
	_, method, err := NewCredential(Settings{ClientSecret: "s", Cloud: cloud})
	if err == nil || method != MethodClientSecret {
		t.Fatalf("got %q, %v", method, err)
	}
	for _, want := range []string{"tenant_id", "client_id", "ARM_TENANT_ID"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "\"s\"") {
		t.Error("error leaks the secret")
	}
	if _, _, err := NewCredential(Settings{ClientSecret: "s", TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", ClientID: "c", Cloud: cloud}); err != nil {
		t.Fatalf("complete client secret settings: %v", err)
	}
}

func TestNewCredentialNothingConfigured(t *testing.T) {
	_, _, err := NewCredential(Settings{})
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("got %v", err)
	}
}
