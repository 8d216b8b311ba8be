package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProvisionOnDemandRetries503ThenSucceeds(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 3 {
			w.Header().Set("Retry-After", "0.01")
			writeGraphError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "busy")
			return
		}
		writeSuccess(w)
	})
	c, rec := newTestClient(t, g, nil)
	for call := range 2 {
		res, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
		if err != nil {
			t.Fatal(err)
		}
		if call == 0 && res.RequestID != "req-4" {
			t.Errorf("request-id %q, want the successful answer's req-4", res.RequestID)
		}
	}
	seen := g.seen()
	if len(seen) != 5 {
		t.Fatalf("got %d requests, want 4 for the first call and 1 for the second", len(seen))
	}
	retries := eventsOf[RetryEvent](rec)
	for i, e := range retries {
		want := RetryEvent{Attempt: i + 1, StatusCode: 503, Reason: "Service Unavailable", RetryAfter: 10 * time.Millisecond, HasRetryAfter: true}
		if e != want {
			t.Errorf("retry event %d = %+v, want %+v", i, e, want)
		}
	}
	if answers := eventsOf[AnswerEvent](rec); len(answers) != 5 || len(retries) != 3 {
		t.Errorf("reported %d answers and %d retry decisions, want 5 and 3", len(answers), len(retries))
	}
}

func TestProvisionOnDemandRetriesAConnectionError(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		writeSuccess(w)
	})
	c, rec := newTestClient(t, g, nil)
	if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err != nil {
		t.Fatal(err)
	}
	if n := len(g.seen()); n != 2 {
		t.Fatalf("got %d requests, want 2", n)
	}
	retries := eventsOf[RetryEvent](rec)
	if len(retries) != 1 {
		t.Fatalf("reported %d retry decisions, want 1", len(retries))
	}
	if e := retries[0]; e.Attempt != 1 || e.StatusCode != 0 || e.Reason == "" || e.HasRetryAfter || e.Final {
		t.Errorf("retry decision %+v, want attempt 1 without an answer, backing off", e)
	}
}

func TestRetryAfterPausesEveryCallerOfTheJob(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0.2")
			writeGraphError(w, http.StatusTooManyRequests, "TooManyRequests", "slow down")
			return
		}
		writeSuccess(w)
	})
	c, rec := newTestClient(t, g, nil)
	paused := make(chan struct{})
	var once sync.Once
	rec.hook = func(e Event) {
		if _, ok := e.(RetryEvent); ok {
			once.Do(func() { close(paused) })
		}
	}

	errs := make(chan error, 2)
	go func() {
		_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
		errs <- err
	}()
	<-paused // the job is paused now: the second caller must wait too
	go func() {
		_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
		errs <- err
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}

	seen := g.seen()
	if len(seen) != 3 {
		t.Fatalf("got %d requests, want 3", len(seen))
	}
	// the 429 arrived before the client read it, so the pause ends no earlier than this
	pauseEnd := seen[0].at.Add(200 * time.Millisecond)
	for i, r := range seen[1:] {
		if r.at.Before(pauseEnd) {
			t.Errorf("request %d arrived %v before the pause ended", i+2, pauseEnd.Sub(r.at))
		}
	}
}

func TestRetryAfterBeyondTheDeadlineIsThrottledError(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeGraphError(w, http.StatusTooManyRequests, "TooManyRequests", "slow down")
	})
	c, _ := newTestClient(t, g, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	for call := range 2 { // the second call finds the job paused and sends nothing
		_, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest)
		var te *ThrottledError
		if !errors.As(err, &te) {
			t.Fatalf("call %d: got %v, want *ThrottledError", call, err)
		}
		if ctx.Err() != nil {
			t.Fatalf("call %d returned only at the deadline", call)
		}
		if te.StatusCode != 429 || te.RequestID != "req-1" || te.JobID != testJob(t) || te.ServicePrincipalID != testSP ||
			te.RetryAfter <= 25*time.Second || te.RetryAfter > 30*time.Second {
			t.Errorf("call %d: %+v", call, te)
		}
		if !strings.Contains(err.Error(), "throttled, retry after ") {
			t.Errorf("call %d: message %q", call, err)
		}
	}
	if n := len(g.seen()); n != 1 {
		t.Fatalf("got %d requests, want 1", n)
	}
}

func TestMaxRetriesExhaustedIsError(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0.01")
		writeGraphError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "busy")
	})
	c, rec := newTestClient(t, g, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("got %v, want *Error", err)
	}
	if ge.StatusCode != 503 || ge.Code != "ServiceUnavailable" || ge.Attempts != 3 || ge.RequestID != "req-3" {
		t.Errorf("%+v", ge)
	}
	if want := "Graph returned 503 ServiceUnavailable: busy (request-id: req-3, after 3 attempts)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if n := len(g.seen()); n != 3 {
		t.Errorf("got %d requests, want 3", n)
	}
	all := rec.all()
	if last, ok := all[len(all)-1].(RetryEvent); !ok || !last.Final || last.Attempt != 3 || last.StatusCode != 503 {
		t.Errorf("last event %#v, want the final retry decision of attempt 3", all[len(all)-1])
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 14, 7, 0, time.UTC)
	for value, want := range map[string]time.Duration{
		"120":                            120 * time.Second,
		"2.128":                          2128 * time.Millisecond,
		" 0.2 ":                          200 * time.Millisecond,
		"0":                              0,
		".5":                             500 * time.Millisecond,
		"1.0000000019":                   time.Second + time.Nanosecond,
		"Mon, 02 Mar 2026 09:14:37 GMT":  30 * time.Second, // RFC 1123
		"Monday, 02-Mar-26 09:14:17 GMT": 10 * time.Second, // RFC 850
		"Mon Mar  2 09:14:12 2026":       5 * time.Second,  // ANSI C
		"Mon, 02 Mar 2026 09:00:00 GMT":  0,                // in the past: no wait
	} {
		if got, ok := parseRetryAfter(value, now); !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v", value, got, ok, want)
		}
	}
	for _, value := range []string{"", " ", "-1", "-0.5", "1e3", "+5", "5s", ".", "1.2.3", "0x10", "NaN", "99999999999999999999", "tomorrow"} {
		if got, ok := parseRetryAfter(value, now); ok {
			t.Errorf("parseRetryAfter(%q) = %v, want absent", value, got)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{"2.128", "120", "-1", "Mon, 02 Mar 2026 09:14:37 GMT", "9223372036.854775807"} {
		f.Add(seed)
	}
	now := time.Date(2026, 3, 2, 9, 14, 7, 0, time.UTC)
	f.Fuzz(func(t *testing.T, value string) {
		d, ok := parseRetryAfter(value, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", value, d, ok)
		}
	})
}
