package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Go reads HTTPS_PROXY and NO_PROXY once per process, at the first request that asks for them, so
// this test runs in a process of its own: the test binary again, with only this test and the
// variable below set.
const proxyChildEnv = "ENTRASYNC_PROXY_TEST_CHILD"

// TestSignInHonoursProxyEnvironment: behind a corporate proxy, token requests go through HTTPS_PROXY
// (azidentity's default transport reads the environment, as the Graph client's does).
func TestSignInHonoursProxyEnvironment(t *testing.T) {
	if os.Getenv(proxyChildEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), proxyChildEnv+"=1")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
			t.Fatalf("the test in its own process failed (%v):\n%s", err, out)
		}
		return
	}
	hosts := make(chan string, 16)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts <- r.Host
		http.Error(w, "no tunnels here", http.StatusForbidden)
	}))
	defer proxy.Close()
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")

	cred, err := NewCredential(Settings{
		Cloud: globalCloud(), AuthorityHost: "https://login.proxied.example/",
		TenantID: "8f1c2d3e-4b5a-4c6d-9e8f-0a1b2c3d4e5f", ClientID: "2b7e9c41-5d3a-4f8e-b6c1-9a0d2e4f6b8c", ClientSecret: "not-a-secret",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The first refused tunnel is enough: cancel then, instead of waiting for azidentity's retries.
	ctx, cancel := context.WithCancel(context.Background())
	failed := make(chan error, 1)
	go func() {
		_, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{globalCloud().Scope()}})
		failed <- err
	}()
	var host string
	select {
	case host = <-hosts:
		cancel()
		<-failed
	case err := <-failed:
		cancel()
		t.Fatalf("sign-in ended without asking the proxy: %v", err)
	}
	if host != "login.proxied.example:443" {
		t.Errorf("the proxy was asked for %q, want login.proxied.example:443", host)
	}
}
