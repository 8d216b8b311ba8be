package graph

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestLimiterEveryJobGetsItsFullRate provisions three jobs at once on one fake clock, their
// callers arriving interleaved: each job starts its calls as if it were alone (limits are per
// job), in arrival order, and no caller starts more than one interval after its fair turn.
func TestLimiterEveryJobGetsItsFullRate(t *testing.T) {
	const limit, perJob = 5, 20
	interval := 10 * time.Second
	c := newFakeClock()
	var ls []*limiter
	for _, job := range []string{"scim.FAIRNESS1", "scim.FAIRNESS2", "scim.FAIRNESS3"} {
		key := jobKey("https://fairness.example", "sp-fairness", job)
		l := limiterFor(key, limit, interval)
		t.Cleanup(func() {
			limiters.Lock()
			delete(limiters.byKey, key)
			limiters.Unlock()
		})
		l.mu.Lock()
		l.clock = c
		l.mu.Unlock()
		ls = append(ls, l)
	}
	if ls[0] == ls[1] || ls[1] == ls[2] || ls[0] == ls[2] {
		t.Fatal("different jobs share a limiter")
	}
	margin := ls[0].margin
	t0 := c.Now()

	type start struct {
		id int
		at time.Time
	}
	starts := make([]chan start, len(ls))
	errs := make(chan error, len(ls)*perJob)
	for j := range ls {
		starts[j] = make(chan start, perJob)
	}
	for id := range perJob {
		for j, l := range ls {
			go func() {
				if err := l.wait(context.Background(), time.Time{}); err != nil {
					errs <- err
					return
				}
				starts[j] <- start{id, c.Now()}
			}()
			// the next caller arrives only once this one holds its ticket: arrival order is known
			eventually(t, l, c, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.ticket == uint64(id+1) })
		}
	}

	got := make([][]start, len(ls))
	total := func() int {
		n := 0
		for _, g := range got {
			n += len(g)
		}
		return n
	}
	// settle collects the starts granted so far and waits until every job with waiters has
	// armed its head's timer; it polls because three limiters and the clock change independently.
	settle := func() {
		give := time.Now().Add(10 * time.Second)
		for {
			for j := range ls {
				for drained := false; !drained; {
					select {
					case s := <-starts[j]:
						got[j] = append(got[j], s)
					case err := <-errs:
						t.Fatal(err)
					default:
						drained = true
					}
				}
			}
			granted, waiting := 0, 0
			for _, l := range ls {
				l.mu.Lock()
				granted += int(l.ticket) - len(l.queue)
				if len(l.queue) > 0 {
					waiting++
				}
				l.mu.Unlock()
			}
			if total() == granted && len(c.pending()) == waiting {
				return
			}
			if time.Now().After(give) {
				t.Fatalf("limiters did not settle: %d of %d starts collected, %d timers for %d waiting jobs", total(), granted, len(c.pending()), waiting)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for settle(); total() < len(ls)*perJob; settle() {
		c.advanceTo(c.pending()[0])
	}

	for j, g := range got {
		// callers released together race to report; their start times tell the order
		slices.SortFunc(g, func(a, b start) int { return a.id - b.id })
		for k, s := range g {
			if s.id != k {
				t.Fatalf("job %d: caller %d missing", j, k)
			}
			batch := time.Duration(k / limit)
			// alone and in arrival order, a job's k-th call starts when the window lets its batch go
			if want := t0.Add(batch * (interval + margin)); !s.at.Equal(want) {
				t.Errorf("job %d caller %d started at %v, want %v as if the job were alone", j, k, s.at.Sub(t0), want.Sub(t0))
			}
			if late := s.at.Sub(t0.Add(batch * interval)); late > interval {
				t.Errorf("job %d caller %d started %v after its fair turn, more than one interval", j, k, late)
			}
		}
	}
}
