package graph

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestIdentifyOncePerCall: the provider leads the User-Agent, and the attempts of one call share a
// client-request-id that no other call carries.
func TestIdentifyOncePerCall(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			writeGraphError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "busy")
			return
		}
		writeSuccess(w)
	})
	c, _ := newTestClient(t, g, nil)
	for range 2 {
		if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err != nil {
			t.Fatal(err)
		}
	}
	seen := g.seen()
	if len(seen) != 3 {
		t.Fatalf("got %d requests, want 2 for the first call and 1 for the second", len(seen))
	}
	id := seen[0].header.Get("client-request-id")
	if _, err := uuid.Parse(id); err != nil {
		t.Errorf("client-request-id %q: %v", id, err)
	}
	if seen[1].header.Get("client-request-id") != id {
		t.Errorf("the retry of a call carries another client-request-id")
	}
	if seen[2].header.Get("client-request-id") == id {
		t.Errorf("two calls share a client-request-id")
	}
	for _, r := range seen {
		if got := r.header.Get("User-Agent"); !strings.HasPrefix(got, "terraform-provider-entrasync/1.2.3 azsdk-go-") {
			t.Errorf("User-Agent %q", got)
		}
	}
}
