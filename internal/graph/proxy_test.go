package graph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Go reads HTTPS_PROXY and NO_PROXY once per process, at the first request that asks for them, so
// the proxy tests run in a process of their own: the test binary again, with only that test and the
// variable below set.
const proxyChildEnv = "ENTRASYNC_PROXY_TEST_CHILD"

// inOwnProcess runs the calling test again in a child process with env added, and reports whether
// the caller is that child (then it runs the test body) or the parent (then the child's result is in).
func inOwnProcess(t *testing.T, env ...string) bool {
	t.Helper()
	if os.Getenv(proxyChildEnv) != "" {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(append(os.Environ(), proxyChildEnv+"=1"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("the test in its own process failed (%v):\n%s", err, out)
	}
	return false
}

// recordingProxy is an HTTP proxy that refuses every tunnel and remembers the hosts asked for.
func recordingProxy(t *testing.T) (*httptest.Server, chan string) {
	t.Helper()
	hosts := make(chan string, 16)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts <- r.Host
		http.Error(w, "no tunnels here", http.StatusForbidden)
	}))
	t.Cleanup(proxy.Close)
	return proxy, hosts
}

// TestClientTransportHonoursProxyEnvironment: behind a corporate proxy, Graph calls go through
// HTTPS_PROXY, and hosts in NO_PROXY do not, as with any Go program that uses the default transport.
func TestClientTransportHonoursProxyEnvironment(t *testing.T) {
	if !inOwnProcess(t) {
		return
	}
	proxy, hosts := recordingProxy(t)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "graph.internal.example")

	transport := defaultHTTPClient().Transport.(*http.Transport)
	if transport.Proxy == nil {
		t.Fatal("the client's transport has no proxy function: HTTPS_PROXY and NO_PROXY would be ignored")
	}
	for host, want := range map[string]string{"graph.microsoft.com": proxy.URL, "graph.internal.example": ""} {
		req, _ := http.NewRequest(http.MethodGet, "https://"+host+"/v1.0/servicePrincipals", nil)
		got, err := transport.Proxy(req)
		if err != nil {
			t.Fatal(err)
		}
		if (got == nil && want != "") || (got != nil && got.String() != want) {
			t.Errorf("proxy for %s = %v, want %q", host, got, want)
		}
	}

	// And a call through the client's whole pipeline reaches the proxy.
	c, err := NewClient(Config{Endpoint: "https://graph.proxied.example", APIVersion: "v1.0", Credential: staticCredential{}, Scopes: []string{"s"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListSynchronizationJobs(context.Background(), "8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34"); err == nil {
		t.Fatal("want the call to fail: the proxy refuses every tunnel")
	}
	// The proxy records the host before it answers, so by now it is there if the call went through it.
	select {
	case host := <-hosts:
		if host != "graph.proxied.example:443" {
			t.Errorf("the proxy was asked for %q, want graph.proxied.example:443", host)
		}
	default:
		t.Error("the call did not go through HTTPS_PROXY")
	}
}
