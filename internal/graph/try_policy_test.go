package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSlotWaitDoesNotCountAgainstTryTimeout: the second call waits about a second for its slot,
// longer than TryTimeout; its attempt still gets a live context. The transport answers in memory,
// so nothing but the wait could use up the timeout.
func TestSlotWaitDoesNotCountAgainstTryTimeout(t *testing.T) {
	m := &memoryTransport{handle: func(n int, req *http.Request) (*http.Response, error) {
		if err := req.Context().Err(); err != nil {
			return nil, err
		}
		return memoryAnswer(req, n, http.StatusOK, successBody()), nil
	}}
	c, _ := newMemoryClient(t, m, func(cfg *Config) {
		cfg.RateLimitRequests, cfg.RateLimitInterval = 1, time.Second
		cfg.TryTimeout, cfg.MaxRetries = 300*time.Millisecond, 0
	})
	for range 2 {
		if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err != nil {
			t.Fatal(err)
		}
	}
}

// hangFirst hangs the first attempt until its context ends and answers the others.
func hangFirst(n int, req *http.Request) (*http.Response, error) {
	if n == 1 {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return memoryAnswer(req, n, http.StatusOK, successBody()), nil
}

func TestTryTimeoutEndsAHungAttempt(t *testing.T) {
	m := &memoryTransport{handle: hangFirst}
	c, rec := newMemoryClient(t, m, func(cfg *Config) { cfg.TryTimeout = 100 * time.Millisecond })
	r, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	if err != nil {
		t.Fatal(err)
	}
	if n := m.requests(); n != 2 || r.RequestID != "req-2" {
		t.Fatalf("got %d requests and the answer %s, want 2 and req-2", n, r.RequestID)
	}
	if answers := eventsOf[AnswerEvent](rec); len(answers) != 2 || !strings.Contains(answers[0].Error, "context deadline exceeded") {
		t.Errorf("answers %+v, want the first to end at its timeout", answers)
	}
}

func TestHungServerEndsAfterMaxRetries(t *testing.T) {
	m := &memoryTransport{handle: func(_ int, req *http.Request) (*http.Response, error) { return hangFirst(1, req) }}
	c, _ := newMemoryClient(t, m, func(cfg *Config) { cfg.MaxRetries, cfg.TryTimeout = 1, 50*time.Millisecond })
	_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "failed after 2 attempt(s)") {
		t.Fatalf("got %v, want a per-attempt timeout after 2 attempts", err)
	}
	if n := m.requests(); n != 2 {
		t.Fatalf("got %d requests, want 2", n)
	}
}
