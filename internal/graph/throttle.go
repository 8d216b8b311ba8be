package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// ThrottledError reports that the caller's deadline comes before the time Graph (Retry-After)
// or the client-side rate limit allows the next provisionOnDemand call of the job.
type ThrottledError struct {
	ServicePrincipalID string
	JobID              string
	RetryAfter         time.Duration // how long the caller would have had to wait
	StatusCode         int           // 429/503 that paused the job, 0 if only the client-side limit applies
	RequestID          string        // request-id of the answer that paused the job
}

func (e *ThrottledError) Error() string {
	cause := "client-side rate limit"
	if e.StatusCode != 0 {
		cause = fmt.Sprintf("Graph answered %d", e.StatusCode)
		if e.RequestID != "" {
			cause += ", request-id: " + e.RequestID
		}
	}
	return fmt.Sprintf("provisioning job %s of service principal %s is throttled, retry after %s (%s)",
		e.JobID, e.ServicePrincipalID, e.RetryAfter.Round(time.Millisecond), cause)
}

// NonRetriable stops azcore's retry policy: waiting longer cannot help before the deadline.
func (e *ThrottledError) NonRetriable() {}

// clock is the time source of a limiter, replaced by a fake one in tests.
type clock interface {
	Now() time.Time
	// TimerAt returns a channel that receives at t and a func that stops the timer. An absolute
	// time, unlike a duration, cannot go stale between reading the clock and arming the timer.
	TimerAt(t time.Time) (<-chan time.Time, func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) TimerAt(t time.Time) (<-chan time.Time, func() bool) {
	timer := time.NewTimer(time.Until(t))
	return timer.C, timer.Stop
}

// limiters holds one limiter per job key for the whole process, so every Client (one per
// resource instance) of the same job shares its window and its pauses. Jobs are few; entries stay.
var limiters = struct {
	sync.Mutex
	byKey map[string]*limiter
}{byKey: map[string]*limiter{}}

// jobKey identifies a job across clients: the same job reached through v1.0 or beta shares a limit.
func jobKey(endpoint, servicePrincipalID, jobID string) string {
	return strings.ToLower(endpoint + " " + servicePrincipalID + " " + jobID)
}

// limiterFor returns the process-wide limiter of key. When clients disagree, the job gets the
// smallest limit and the longest interval any of them asked for (limit 0 asks for nothing).
func limiterFor(key string, limit int, interval time.Duration) *limiter {
	limiters.Lock()
	l, ok := limiters.byKey[key]
	if !ok {
		l = newLimiter(realClock{}, 0, 0)
		limiters.byKey[key] = l
	}
	limiters.Unlock()
	l.tighten(limit, interval)
	return l
}

// limiter lets at most limit calls start in any window of length interval (a rolling log of the
// last limit start times, not a token bucket), serves callers first come first served, and holds
// everyone while the job is paused by a Retry-After.
type limiter struct {
	clock  clock
	margin time.Duration // added to interval to absorb connection setup and network jitter

	mu       sync.Mutex
	limit    int // 0: no window, only pauses apply
	interval time.Duration
	starts   []start  // the last limit calls, oldest first
	queue    []uint64 // tickets of waiting callers, in arrival order
	ticket   uint64
	pause    pause
	changed  chan struct{} // closed and replaced on every change, waking all waiters
}

// start is when a call started: granted its slot, then moved to when its request was written.
type start struct {
	at     time.Time
	ticket uint64
}

// pause is a Retry-After that holds every caller of the job.
type pause struct {
	until      time.Time
	statusCode int
	requestID  string
}

func newLimiter(c clock, limit int, interval time.Duration) *limiter {
	l := &limiter{clock: c, changed: make(chan struct{})}
	l.tighten(limit, interval)
	return l
}

// marginFor is 2% of the interval, within [50ms, 500ms].
func marginFor(interval time.Duration) time.Duration {
	return min(max(interval/50, 50*time.Millisecond), 500*time.Millisecond)
}

// tighten keeps the smaller limit and the longer interval of the current and the given ones.
func (l *limiter) tighten(limit int, interval time.Duration) {
	if limit <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit == 0 || limit < l.limit {
		l.limit = limit
		if len(l.starts) > limit {
			l.starts = slices.Clone(l.starts[len(l.starts)-limit:])
		}
		l.notifyLocked()
	}
	if interval > l.interval {
		l.interval = interval
		l.margin = marginFor(interval)
		l.notifyLocked()
	}
}

// acquire blocks until the caller may send, in arrival order. deadline is the caller's (zero:
// none): when the caller's slot is not before it, acquire returns a *ThrottledError at once
// instead of waiting. Each successful acquire counts as one start, identified by the ticket.
func (l *limiter) acquire(ctx context.Context, deadline time.Time) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err // a slot taken now would be wasted
	}
	l.mu.Lock()
	l.ticket++
	ticket := l.ticket
	l.queue = append(l.queue, ticket)
	l.notifyLocked()
	for {
		now := l.clock.Now()
		pos := slices.Index(l.queue, ticket)
		at := l.slotLocked(pos, now)
		if pos == 0 && !at.After(now) {
			l.startLocked(ticket, now)
			l.mu.Unlock()
			return ticket, nil
		}
		if !deadline.IsZero() && !at.Before(deadline) {
			err := l.throttledLocked(at.Sub(now), now)
			l.leaveLocked(ticket)
			l.mu.Unlock()
			return 0, err
		}
		changed := l.changed
		var fire <-chan time.Time
		stop := func() bool { return false }
		if pos == 0 {
			fire, stop = l.clock.TimerAt(at)
		}
		l.mu.Unlock()
		select {
		case <-changed:
		case <-fire:
		case <-ctx.Done():
			stop()
			l.mu.Lock()
			l.leaveLocked(ticket)
			l.mu.Unlock()
			return 0, ctx.Err()
		}
		stop()
		l.mu.Lock()
	}
}

// slotLocked is the earliest start of the waiter at queue position pos, assuming every waiter
// ahead of it starts as early as the window and the pause allow.
func (l *limiter) slotLocked(pos int, now time.Time) time.Time {
	at := now
	if l.pause.until.After(at) {
		at = l.pause.until
	}
	if l.limit == 0 {
		return at
	}
	starts := make([]time.Time, 0, len(l.starts)+pos)
	for _, s := range l.starts {
		starts = append(starts, s.at)
	}
	for i := 0; ; i++ {
		if n := len(starts); n >= l.limit {
			if free := starts[n-l.limit].Add(l.interval + l.margin); free.After(at) {
				at = free
			}
		}
		if i == pos {
			return at
		}
		starts = append(starts, at)
	}
}

func (l *limiter) startLocked(ticket uint64, now time.Time) {
	l.queue = l.queue[1:]
	if l.limit > 0 {
		if len(l.starts) == l.limit {
			l.starts = append(l.starts[:0], l.starts[1:]...)
		}
		l.starts = append(l.starts, start{at: now, ticket: ticket})
	}
	l.notifyLocked()
}

// now reads the limiter's clock.
func (l *limiter) now() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.clock.Now()
}

// sent moves a start to when its request was written. A sender descheduled between its grant
// and the write would otherwise reach a strict server closer to the next window than planned.
// Moving a start later only ever delays the calls after it.
func (l *limiter) sent(ticket uint64, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.IndexFunc(l.starts, func(s start) bool { return s.ticket == ticket })
	if i < 0 || !at.After(l.starts[i].at) {
		return
	}
	l.starts[i].at = at
	slices.SortStableFunc(l.starts, func(a, b start) int { return a.at.Compare(b.at) })
	l.notifyLocked()
}

func (l *limiter) leaveLocked(ticket uint64) {
	if i := slices.Index(l.queue, ticket); i >= 0 {
		l.queue = slices.Delete(l.queue, i, i+1)
		l.notifyLocked()
	}
}

func (l *limiter) throttledLocked(wait time.Duration, now time.Time) *ThrottledError {
	err := &ThrottledError{RetryAfter: wait}
	if l.pause.until.After(now) {
		err.StatusCode = l.pause.statusCode
		err.RequestID = l.pause.requestID
	}
	return err
}

func (l *limiter) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// pauseUntil holds every waiting and future caller until t and returns the end of the pause now
// in force: a later pause extends the current one, an earlier one never shortens it.
func (l *limiter) pauseUntil(t time.Time, statusCode int, requestID string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.After(l.pause.until) {
		l.pause = pause{until: t, statusCode: statusCode, requestID: requestID}
		l.notifyLocked()
	}
	return l.pause.until
}
