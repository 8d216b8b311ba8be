package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// sequenceCredential hands out token-1, token-2, ... one per call.
type sequenceCredential struct {
	mu    sync.Mutex
	calls int
}

func (c *sequenceCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return azcore.AccessToken{Token: fmt.Sprintf("token-%d", c.calls), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func (c *sequenceCredential) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// writeUnauthorized answers as Graph does for a token it rejects.
func writeUnauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
	writeGraphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure.")
}

func TestUnauthorizedGetsOneFreshTokenAndOneRetry(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer token-2" {
			writeUnauthorized(w)
			return
		}
		writeSuccess(w)
	})
	cred := &sequenceCredential{}
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.Credential = cred })
	r, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusSuccess {
		t.Errorf("status = %q", r.Status)
	}
	seen := g.seen()
	if len(seen) != 2 || seen[0].header.Get("Authorization") != "Bearer token-1" || seen[1].header.Get("Authorization") != "Bearer token-2" {
		t.Fatalf("want the call with token-1, then once with token-2; got %d requests", len(seen))
	}
	if seen[1].body != groupRequestJSON {
		t.Errorf("the retry's body = %s", seen[1].body)
	}
	if n := cred.count(); n != 2 {
		t.Errorf("tokens requested = %d, want 2", n)
	}
}

func TestUnauthorizedAgainIsAnErrorNotALoop(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeUnauthorized(w) })
	cred := &sequenceCredential{}
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.Credential = cred })
	_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusUnauthorized || gerr.Code != "InvalidAuthenticationToken" {
		t.Fatalf("want Graph's 401 error, got %v", err)
	}
	if n := len(g.seen()); n != 2 {
		t.Errorf("requests = %d, want the call and one retry", n)
	}
	if n := cred.count(); n != 2 {
		t.Errorf("tokens requested = %d, want 2", n)
	}
}

func TestUnauthorizedWithAStaticTokenIsNotResent(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeUnauthorized(w) })
	cred := &sequenceCredential{}
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.Credential, cfg.StaticToken = cred, true })
	_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("want Graph's 401 error, got %v", err)
	}
	if n := len(g.seen()); n != 1 {
		t.Errorf("requests = %d, want 1: the same token would be refused again", n)
	}
}

func TestWithMaxRetriesGivesACallItsOwnBudget(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeGraphError(w, http.StatusServiceUnavailable, "serviceNotAvailable", "Try again.")
	})
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.MaxRetries = 5 })
	_, err := c.GetSynchronizationSchema(WithMaxRetries(context.Background(), 1), testSP, "scim.0")
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("want Graph's 503 error, got %v", err)
	}
	if n := len(g.seen()); n != 2 {
		t.Errorf("requests = %d, want 2: the call and its one retry", n)
	}
}
