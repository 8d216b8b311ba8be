package graph

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestSlidingWindowServerSeesNo429: callers at once, and a server that counts arrivals in a
// sliding window (rejected ones too, as Graph does) never sees more than the limit. The client
// counts a call from its answer, which comes after the server's stamp however late that is.
func TestSlidingWindowServerSeesNo429(t *testing.T) {
	const limit, interval, callers = 5, time.Second, 12
	clock := newFakeClock()
	var mu sync.Mutex
	var arrivals []time.Time
	arrived := make(chan struct{}, callers)
	m := &memoryTransport{handle: func(n int, req *http.Request) (*http.Response, error) {
		now := clock.Now()
		mu.Lock()
		arrivals = append(arrivals, now)
		inWindow := 0
		for _, a := range arrivals {
			if now.Sub(a) < interval {
				inWindow++
			}
		}
		mu.Unlock()
		arrived <- struct{}{}
		if inWindow > limit {
			return memoryAnswer(req, n, http.StatusTooManyRequests, `{"error":{"code":"TooManyRequests","message":"window exceeded"}}`), nil
		}
		return memoryAnswer(req, n, http.StatusOK, successBody()), nil
	}}
	c, _ := newMemoryClient(t, m, func(cfg *Config) {
		cfg.RateLimitRequests, cfg.RateLimitInterval, cfg.MaxRetries = limit, interval, 0
	})
	l := withFakeClockLimiter(t, c, testJob(t), clock)
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
			errs <- err
		}()
	}
	runClockUntilArrived(t, l, clock, arrived, callers)
	for range callers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// runClockUntilArrived advances clock to the limiter's next slot whenever every caller granted a
// slot has arrived (a signal on arrived) and every other caller waits in the queue.
func runClockUntilArrived(t *testing.T, l *limiter, clock *fakeClock, arrived <-chan struct{}, callers int) {
	t.Helper()
	timeout := time.After(30 * time.Second) // turns a hang into a failure only
	for seen := 0; seen < callers; {
		l.mu.Lock()
		lch, granted, queued := l.changed, int(l.ticket)-len(l.queue), len(l.queue)
		l.mu.Unlock()
		clock.mu.Lock()
		cch := clock.changed
		clock.mu.Unlock()
		if seen == granted && granted+queued == callers && queued > 0 && len(clock.pending()) == 1 {
			clock.advanceTo(clock.pending()[0])
			continue
		}
		select {
		case <-lch:
		case <-cch:
		case <-arrived:
			seen++
		case <-timeout:
			t.Fatalf("%d of %d callers arrived; %d granted, %d queued", seen, callers, granted, queued)
		}
	}
}

func TestOnlyProvisionCallsAreRateLimited(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.RateLimitRequests, cfg.RateLimitInterval = 1, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, err := c.do(ctx, http.MethodGet, "/servicePrincipals/"+testSP+"/synchronization/jobs", nil, nil); err != nil {
			t.Fatalf("read: %v", err)
		}
	}
	var te *ThrottledError
	if _, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest); !errors.As(err, &te) || te.StatusCode != 0 {
		t.Fatalf("second provision call within the hour: got %v, want client-side *ThrottledError", err)
	}
	if n := len(g.seen()); n != 4 {
		t.Fatalf("got %d requests, want 4", n)
	}
}
