package graph

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock moves only when a test advances it; its timers fire in the advancing goroutine.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	changed chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) TimerAt(at time.Time) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: at, ch: make(chan time.Time, 1)}
	if !at.After(c.now) {
		t.ch <- c.now
		return t.ch, func() bool { return false }
	}
	c.timers = append(c.timers, t)
	c.notifyLocked()
	return t.ch, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.timers, t)
		if i < 0 {
			return false
		}
		c.timers = slices.Delete(c.timers, i, i+1)
		c.notifyLocked()
		return true
	}
}

// advanceTo moves the clock to t (never back) and fires the timers due by then.
func (c *fakeClock) advanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	c.timers = slices.DeleteFunc(c.timers, func(ft *fakeTimer) bool {
		if ft.at.After(c.now) {
			return false
		}
		ft.ch <- c.now
		return true
	})
	c.notifyLocked()
}

func (c *fakeClock) advance(d time.Duration) { c.advanceTo(c.Now().Add(d)) }

// pending lists the deadlines of the armed timers, earliest first.
func (c *fakeClock) pending() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ats []time.Time
	for _, t := range c.timers {
		ats = append(ats, t.at)
	}
	slices.SortFunc(ats, time.Time.Compare)
	return ats
}

func (c *fakeClock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// eventually blocks until cond holds, re-checking whenever the limiter or the clock changes.
// The timeout only turns a hang into a failure.
func eventually(t *testing.T, l *limiter, c *fakeClock, cond func() bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		l.mu.Lock()
		lch := l.changed
		l.mu.Unlock()
		c.mu.Lock()
		cch := c.changed
		c.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-lch:
		case <-cch:
		case <-timeout:
			t.Fatal("condition not reached")
		}
	}
}

func queued(l *limiter) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

func lastStart(l *limiter) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.starts[len(l.starts)-1].at
}

// armedAt waits until exactly one timer is armed (the head's) and returns its deadline.
func armedAt(t *testing.T, l *limiter, c *fakeClock) time.Time {
	t.Helper()
	eventually(t, l, c, func() bool { return len(c.pending()) == 1 })
	return c.pending()[0]
}

func mustWait(t *testing.T, l *limiter) {
	t.Helper()
	if err := l.wait(context.Background(), time.Time{}); err != nil {
		t.Fatalf("wait: %v", err)
	}
}

// spawn starts a waiter and returns once it is queued, so arrival order is the call order.
func spawn(t *testing.T, l *limiter, c *fakeClock, ctx context.Context, id int, done chan<- int, errs chan<- error) {
	t.Helper()
	want := queued(l) + 1
	go func() {
		if err := l.wait(ctx, time.Time{}); err != nil {
			errs <- err
			return
		}
		done <- id
	}()
	eventually(t, l, c, func() bool { return queued(l) == want })
}

func TestLimiterReleasesAtFirstOfLastNPlusInterval(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(c, 5, 10*time.Second)
	l.margin = 200 * time.Millisecond
	t0 := c.Now()
	for range 5 {
		mustWait(t, l)
		c.advance(time.Second)
	}
	done, errs := make(chan int, 2), make(chan error, 2)
	spawn(t, l, c, context.Background(), 6, done, errs)
	spawn(t, l, c, context.Background(), 7, done, errs)

	want := t0.Add(10*time.Second + 200*time.Millisecond)
	if at := armedAt(t, l, c); !at.Equal(want) {
		t.Fatalf("6th caller armed for %v, want first start + interval + margin = %v", at.Sub(t0), want.Sub(t0))
	}
	c.advanceTo(want.Add(-time.Nanosecond))
	if at := armedAt(t, l, c); !at.Equal(want) || queued(l) != 2 {
		t.Fatalf("released before its slot: armed %v, queued %d", at.Sub(t0), queued(l))
	}
	c.advanceTo(want)
	if id := <-done; id != 6 || !lastStart(l).Equal(want) {
		t.Fatalf("released %d at %v, want 6 at %v", id, lastStart(l).Sub(t0), want.Sub(t0))
	}
	// the 7th slides along: the second of the first five started at t0+1s
	want = want.Add(time.Second)
	if at := armedAt(t, l, c); !at.Equal(want) {
		t.Fatalf("7th caller armed for %v, want %v", at.Sub(t0), want.Sub(t0))
	}
	c.advanceTo(want)
	if id := <-done; id != 7 {
		t.Fatalf("released %d, want 7", id)
	}
}

func TestLimiterIsNotATokenBucket(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(c, 5, 10*time.Second)
	l.margin = 200 * time.Millisecond
	t0 := c.Now()
	for range 5 {
		mustWait(t, l)
	}
	c.advance(2 * time.Second)
	// a token bucket of 5 per 10s would have refilled one token by now
	err := l.wait(context.Background(), t0.Add(5*time.Second))
	var te *ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("6th caller at +2s: got %v, want *ThrottledError", err)
	}
	if want := 8200 * time.Millisecond; te.RetryAfter != want || te.StatusCode != 0 {
		t.Fatalf("got RetryAfter %v status %d, want %v and 0 (client-side limit)", te.RetryAfter, te.StatusCode, want)
	}
	if queued(l) != 0 {
		t.Fatalf("throttled caller still queued")
	}
}

func TestLimiterDeadlineCountsTheQueueAhead(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(c, 1, time.Second)
	l.margin = 0
	t0 := c.Now()
	mustWait(t, l)
	done, errs := make(chan int, 3), make(chan error, 3)
	spawn(t, l, c, context.Background(), 1, done, errs)
	spawn(t, l, c, context.Background(), 2, done, errs)

	// two ahead: slots at +1s and +2s, so the third may start at +3s
	var te *ThrottledError
	if err := l.wait(context.Background(), t0.Add(3*time.Second)); !errors.As(err, &te) || te.RetryAfter != 3*time.Second {
		t.Fatalf("got %v, want *ThrottledError retry after 3s", err)
	}
	go func() { errs <- l.wait(context.Background(), t0.Add(3*time.Second+time.Nanosecond)) }()
	eventually(t, l, c, func() bool { return queued(l) == 3 })
	for range 3 {
		c.advanceTo(armedAt(t, l, c))
		select {
		case <-done:
		case err := <-errs:
			if err != nil {
				t.Fatalf("caller within its deadline failed: %v", err)
			}
		}
	}
	if got := lastStart(l).Sub(t0); got != 3*time.Second {
		t.Fatalf("last caller started at %v, want 3s", got)
	}
}

func TestLimiterFIFOUnder100Callers(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(c, 1, time.Second)
	l.margin = 0
	mustWait(t, l)
	done, errs := make(chan int, 100), make(chan error, 100)
	for i := range 100 {
		spawn(t, l, c, context.Background(), i, done, errs)
	}
	for want := range 100 {
		c.advanceTo(armedAt(t, l, c))
		select {
		case got := <-done:
			if got != want {
				t.Fatalf("caller %d released in place %d", got, want)
			}
		case err := <-errs:
			t.Fatal(err)
		}
	}
}

func TestLimiterCancelledWaiterFreesItsPlace(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(c, 1, time.Second)
	l.margin = 0
	t0 := c.Now()
	mustWait(t, l)
	done, errs := make(chan int, 3), make(chan error, 3)
	ctx, cancel := context.WithCancel(context.Background())
	spawn(t, l, c, context.Background(), 1, done, errs)
	spawn(t, l, c, ctx, 2, done, errs)
	spawn(t, l, c, context.Background(), 3, done, errs)

	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: got %v", err)
	}
	eventually(t, l, c, func() bool { return queued(l) == 2 })
	for _, want := range []int{1, 3} {
		c.advanceTo(armedAt(t, l, c))
		if got := <-done; got != want {
			t.Fatalf("released %d, want %d", got, want)
		}
	}
	if got := lastStart(l).Sub(t0); got != 2*time.Second {
		t.Fatalf("caller behind the cancelled one started at %v, want 2s", got)
	}
}

func TestLimiterPauseExtendsNeverShortens(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(c, 5, 10*time.Second)
	t0 := c.Now()
	if got := l.pauseUntil(t0.Add(5*time.Second), 503, "req-1"); !got.Equal(t0.Add(5 * time.Second)) {
		t.Fatalf("pause ends %v", got.Sub(t0))
	}
	if got := l.pauseUntil(t0.Add(3*time.Second), 429, "req-0"); !got.Equal(t0.Add(5 * time.Second)) {
		t.Fatalf("earlier pause shortened it to %v", got.Sub(t0))
	}
	done, errs := make(chan int, 1), make(chan error, 1)
	spawn(t, l, c, context.Background(), 1, done, errs)
	if at := armedAt(t, l, c); !at.Equal(t0.Add(5 * time.Second)) {
		t.Fatalf("waiter armed for %v, want 5s", at.Sub(t0))
	}

	l.pauseUntil(t0.Add(7*time.Second), 429, "req-2")
	eventually(t, l, c, func() bool { p := c.pending(); return len(p) == 1 && p[0].Equal(t0.Add(7*time.Second)) })
	var te *ThrottledError
	if err := l.wait(context.Background(), t0.Add(6*time.Second)); !errors.As(err, &te) ||
		te.RetryAfter != 7*time.Second || te.StatusCode != 429 || te.RequestID != "req-2" {
		t.Fatalf("caller due before the pause ends: got %#v", err)
	}
	c.advanceTo(t0.Add(5 * time.Second))
	if queued(l) != 1 {
		t.Fatal("waiter released at the end of the shorter pause")
	}
	c.advanceTo(armedAt(t, l, c))
	<-done
	if got := lastStart(l).Sub(t0); got != 7*time.Second {
		t.Fatalf("waiter started at %v, want 7s", got)
	}
}

// TestLimiterWindowProperty drives random arrivals through the limiter and checks that every
// caller starts in arrival order, no window of length interval holds more than limit starts,
// and nobody waits longer than the window requires.
func TestLimiterWindowProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 30 {
		limit := 1 + rng.IntN(5)
		interval := time.Duration(1+rng.IntN(10)) * time.Second
		margin := time.Duration(rng.IntN(100)) * time.Millisecond
		c := newFakeClock()
		l := newLimiter(c, limit, interval)
		l.margin = margin

		type start struct {
			id int
			at time.Time
		}
		starts := make(chan start, 100)
		var got []start
		// settle waits until the limiter is idle or its head has armed a timer, collects the
		// starts granted so far and returns the armed deadlines. A head woken by an arrival
		// re-arms the same deadline, so a timer seen while it does so is still the right one.
		settle := func() []time.Time {
			var armed []time.Time
			eventually(t, l, c, func() bool { armed = c.pending(); return len(armed) > 0 || queued(l) == 0 })
			l.mu.Lock()
			granted := int(l.ticket) - len(l.queue)
			l.mu.Unlock()
			for len(got) < granted {
				got = append(got, <-starts)
			}
			return armed
		}

		var arrivals []time.Time
		now := c.Now()
		for id := range 100 {
			now = now.Add(time.Duration(rng.Int64N(int64(2 * interval / time.Duration(limit)))))
			for armed := settle(); len(armed) > 0 && !armed[0].After(now); armed = settle() {
				c.advanceTo(armed[0])
			}
			c.advanceTo(now)
			arrivals = append(arrivals, now)
			go func() {
				if err := l.wait(context.Background(), time.Time{}); err != nil {
					t.Error(err)
				}
				starts <- start{id, c.Now()}
			}()
			eventually(t, l, c, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.ticket == uint64(id+1) })
		}
		for armed := settle(); len(armed) > 0; armed = settle() {
			c.advanceTo(armed[0])
		}
		if len(got) != len(arrivals) {
			t.Fatalf("trial %d: %d of %d callers started", trial, len(got), len(arrivals))
		}

		for i, s := range got {
			if s.id != i {
				t.Fatalf("trial %d: caller %d started in place %d", trial, s.id, i)
			}
			want := arrivals[i]
			if i > 0 && got[i-1].at.After(want) {
				want = got[i-1].at
			}
			if i >= limit {
				if free := got[i-limit].at.Add(interval + margin); free.After(want) {
					want = free
				}
			}
			if !s.at.Equal(want) {
				t.Fatalf("trial %d (%d per %v): caller %d started at %v, want %v", trial, limit, interval, i, s.at.Sub(arrivals[0]), want.Sub(arrivals[0]))
			}
			if i >= limit && s.at.Sub(got[i-limit].at) < interval {
				t.Fatalf("trial %d: %d starts within %v", trial, limit+1, interval)
			}
		}
	}
}

func TestLimiterForSharesAndTightens(t *testing.T) {
	key := jobKey("https://graph.example", "SP-1", "scim.TIGHTEN")
	a := limiterFor(key, 5, 10*time.Second)
	b := limiterFor(jobKey("https://graph.example", "sp-1", "scim.tighten"), 3, 5*time.Second)
	limiterFor(key, 0, 0)
	if a != b {
		t.Fatal("clients of one job got different limiters")
	}
	if a.limit != 3 || a.interval != 10*time.Second || a.margin != 200*time.Millisecond {
		t.Fatalf("got %d per %v margin %v, want the strictest: 3 per 10s margin 200ms", a.limit, a.interval, a.margin)
	}
}

func TestMarginFor(t *testing.T) {
	for interval, want := range map[time.Duration]time.Duration{
		time.Second:      50 * time.Millisecond,
		10 * time.Second: 200 * time.Millisecond,
		time.Minute:      500 * time.Millisecond,
	} {
		if got := marginFor(interval); got != want {
			t.Errorf("marginFor(%v) = %v, want %v", interval, got, want)
		}
	}
}

func BenchmarkLimiter100Callers(b *testing.B) {
	l := newLimiter(realClock{}, 5, time.Microsecond)
	l.margin = 0
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := l.wait(context.Background(), time.Time{}); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// wait is acquire of a call answered at once, for tests that only care about when callers start.
func (l *limiter) wait(ctx context.Context, deadline time.Time) error {
	ticket, err := l.acquire(ctx, deadline)
	if err == nil {
		l.answered(ticket, l.now())
	}
	return err
}

func TestLimiterCountsACallFromItsAnswer(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(c, 1, 10*time.Second)
	l.margin = 0
	t0 := c.Now()
	first, err := l.acquire(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var te *ThrottledError
	// In flight, the call may reach Graph at any moment: at 5s the next may start 10s later at the earliest.
	c.advance(5 * time.Second)
	if err := l.wait(context.Background(), t0.Add(15*time.Second)); !errors.As(err, &te) || te.RetryAfter != 10*time.Second {
		t.Fatalf("next call while the first is in flight = %v, want throttled for 10s", err)
	}
	// Answered at 3s (stamped late): a strict server counted it at 3s or before, so the next may start at 13s.
	l.answered(first, t0.Add(3*time.Second))
	l.answered(first+1, t0.Add(time.Hour)) // an unknown ticket changes nothing
	if err := l.wait(context.Background(), t0.Add(13*time.Second)); !errors.As(err, &te) || te.RetryAfter != 8*time.Second {
		t.Fatalf("next call = %v, want throttled for 8s", err)
	}
	if got := lastStart(l); !got.Equal(t0.Add(3 * time.Second)) {
		t.Errorf("start = %v, want t0+3s", got)
	}
}
