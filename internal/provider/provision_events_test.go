package provider

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// TestGraphEventsBecomeProgress feeds the client's events to the provider's hook: waits and
// retries of the call become progress messages, answers and final failures none.
func TestGraphEventsBecomeProgress(t *testing.T) {
	var progress []string
	ctx := withProgress(tflogtest.RootLogger(context.Background(), &bytes.Buffer{}), func(msg string) { progress = append(progress, msg) })
	onEvent := graphEvents(nil)
	for _, e := range []graph.Event{
		graph.AnswerEvent{Method: "POST", Attempt: 1, StatusCode: 429, RequestID: "req-1"},
		graph.RetryEvent{Attempt: 1, StatusCode: 429, Reason: "Too Many Requests", RetryAfter: 200 * time.Millisecond, HasRetryAfter: true},
		graph.WaitEvent{ServicePrincipalID: "sp", JobID: "job", Attempt: 2, Waited: 1500*time.Millisecond + 400*time.Microsecond},
		graph.AnswerEvent{Method: "POST", Attempt: 2, Error: "connection reset"},
		graph.RetryEvent{Attempt: 2, Reason: "connection reset"},
		graph.RetryEvent{Attempt: 3, StatusCode: 503, Final: true},
		graph.ThrottledEvent{Throttled: &graph.ThrottledError{RetryAfter: time.Minute}},
		graph.UnreadableAnswerEvent{RequestID: "req-4", Error: "invalid character"},
	} {
		onEvent(ctx, e)
	}
	want := []string{
		"Graph answered HTTP 429: retrying after 200ms...",
		"Waited 1.5s for the job's rate limit",
		"Graph could not be reached: retrying after exponential backoff...",
	}
	if !slices.Equal(progress, want) {
		t.Errorf("progress\n%s\nwant\n%s", strings.Join(progress, "\n"), strings.Join(want, "\n"))
	}
	// A call that asked for no progress (a data source read) only logs.
	onEvent(context.Background(), graph.RetryEvent{Attempt: 1, StatusCode: 503})
}

// TestGraphEventsAreLoggedWithSecretsMasked: every event is one debug line with its fields, and
// the sign-in secrets never reach it, even inside an error text.
func TestGraphEventsAreLoggedWithSecretsMasked(t *testing.T) {
	const secret = "s3cr3t-client-secret"
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	onEvent := graphEvents([]string{secret})
	onEvent(ctx, graph.AnswerEvent{Method: "POST", URL: "https://graph.test/v1.0/x", Attempt: 1, Error: "dial: " + secret, Duration: time.Second})
	onEvent(ctx, graph.RetryEvent{Attempt: 1, Reason: "dial: " + secret})
	onEvent(ctx, graph.WaitEvent{ServicePrincipalID: "sp", JobID: "job", Attempt: 2, Waited: 2 * time.Second})
	lines, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), secret) || len(lines) != 3 {
		t.Fatalf("log lines %v: want 3, without the secret", lines)
	}
	for i, want := range []map[string]any{
		{"@message": "Graph request", "method": "POST", "attempt": float64(1), "duration_ms": float64(1000), "error": "dial: ***"},
		{"@message": "Graph call will be retried", "attempt": float64(1), "error": "dial: ***", "retry_after": "exponential backoff"},
		{"@message": "Graph call waited for the job's rate limit", "job_id": "job", "attempt": float64(2), "waited_ms": float64(2000)},
	} {
		for key, value := range want {
			if lines[i][key] != value {
				t.Errorf("line %d: %s = %v, want %v", i, key, lines[i][key], value)
			}
		}
	}
}
