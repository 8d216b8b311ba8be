package graph

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// eventRecorder is a Config.OnEvent that keeps every event; hook, when set, sees each as it comes.
type eventRecorder struct {
	mu     sync.Mutex
	events []Event
	hook   func(Event)
}

func (r *eventRecorder) record(_ context.Context, e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	hook := r.hook
	r.mu.Unlock()
	if hook != nil {
		hook(e)
	}
}

func (r *eventRecorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// eventsOf returns the events of type T that r recorded, in order.
func eventsOf[T Event](r *eventRecorder) []T {
	var of []T
	for _, e := range r.all() {
		if t, ok := e.(T); ok {
			of = append(of, t)
		}
	}
	return of
}

// withFakeClockLimiter installs the limiter of the test's job on clock c before any call makes it.
func withFakeClockLimiter(t *testing.T, c *Client, jobID string, clock *fakeClock) *limiter {
	t.Helper()
	key := jobKey(c.endpoint, testSP, jobID)
	l := newLimiter(clock, c.limit, c.interval)
	limiters.Lock()
	limiters.byKey[key] = l
	limiters.Unlock()
	t.Cleanup(func() {
		limiters.Lock()
		delete(limiters.byKey, key)
		limiters.Unlock()
	})
	return l
}

// TestEventsOfACall follows one call through a retried 500 and a wait for the job's window:
// each step is reported once, in order, with what a log line or a progress message needs.
func TestEventsOfACall(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0.01")
			writeGraphError(w, http.StatusInternalServerError, "InternalServerError", "oops")
			return
		}
		writeSuccess(w)
	})
	c, rec := newTestClient(t, g, func(cfg *Config) { cfg.RateLimitRequests, cfg.RateLimitInterval = 1, 10*time.Second })
	clock := newFakeClock()
	l := withFakeClockLimiter(t, c, testJob(t), clock)
	errs := make(chan error, 1)
	go func() {
		_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
		errs <- err
	}()
	// The retry waits for the window of the first attempt to pass on the fake clock.
	slot := armedAt(t, l, clock)
	clock.advanceTo(slot)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}

	events := rec.all()
	if len(events) != 4 {
		t.Fatalf("got %d events, want answer, retry, wait, answer: %+v", len(events), events)
	}
	if a, ok := events[0].(AnswerEvent); !ok || a.Attempt != 1 || a.StatusCode != 500 || a.RequestID != "req-1" {
		t.Errorf("event 0 = %+v, want the answer of attempt 1", events[0])
	}
	wantRetry := RetryEvent{Attempt: 1, StatusCode: 500, Reason: "Internal Server Error", RetryAfter: 10 * time.Millisecond, HasRetryAfter: true}
	if events[1] != wantRetry {
		t.Errorf("event 1 = %+v, want %+v", events[1], wantRetry)
	}
	wantWait := WaitEvent{ServicePrincipalID: testSP, JobID: testJob(t), Attempt: 2, Waited: 10*time.Second + l.margin}
	if events[2] != wantWait {
		t.Errorf("event 2 = %+v, want %+v", events[2], wantWait)
	}
	if a, ok := events[3].(AnswerEvent); !ok || a.Attempt != 2 || a.StatusCode != 200 || a.RequestID != "req-2" {
		t.Errorf("event 3 = %+v, want the answer of attempt 2", events[3])
	}
}

func TestThrottledAndUnreadableAnswersAreEvents(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>gateway</html>"))
	})
	c, rec := newTestClient(t, g, func(cfg *Config) { cfg.RateLimitRequests, cfg.RateLimitInterval = 1, time.Hour })
	if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest); err == nil {
		t.Fatal("second call within the hour: want a *ThrottledError")
	}
	unreadable := eventsOf[UnreadableAnswerEvent](rec)
	if len(unreadable) != 1 || unreadable[0].RequestID != "req-1" || unreadable[0].Error == "" {
		t.Errorf("unreadable answer events %+v, want one for req-1", unreadable)
	}
	throttled := eventsOf[ThrottledEvent](rec)
	if len(throttled) != 1 || throttled[0].Throttled.JobID != testJob(t) || throttled[0].Throttled.ServicePrincipalID != testSP ||
		throttled[0].Throttled.RetryAfter <= 0 {
		t.Errorf("throttled events %+v, want one for the job", throttled)
	}
}
