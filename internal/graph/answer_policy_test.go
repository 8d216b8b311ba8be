package graph

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestAnswerEventsCarryIdsNeverSecrets(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			writeGraphError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "busy")
			return
		}
		writeGraphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges")
	})
	c, rec := newTestClient(t, g, nil)
	if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err == nil {
		t.Fatal("want an error")
	}
	events := rec.all()
	if len(events) != 3 {
		t.Fatalf("got %d events, want 2 answers and 1 retry decision: %+v", len(events), events)
	}
	for _, e := range events {
		text := fmt.Sprintf("%+v", e)
		for _, secret := range []string{testToken, "Bearer", "Insufficient privileges", groupRequest.Parameters[0].RuleID} {
			if strings.Contains(text, secret) {
				t.Errorf("event carries %q: %s", secret, text)
			}
		}
	}
	answer, ok := events[2].(AnswerEvent)
	seen := g.seen()
	if !ok || answer.Method != http.MethodPost || answer.URL != g.URL+seen[1].path || answer.StatusCode != 403 ||
		answer.RequestID != "req-2" || answer.Attempt != 2 || answer.Error != "" ||
		answer.ClientRequestID != seen[1].header.Get("client-request-id") || answer.Duration <= 0 {
		t.Errorf("last event %+v, want the answer of attempt 2", events[2])
	}
}
