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
	starts   []start  // the calls that may still count in a window, by at
	queue    []uint64 // tickets of waiting callers, in arrival order
	ticket   uint64
	pause    pause
	changed  chan struct{} // closed and replaced on every change, waking all waiters
	owner    string        // names this limiter's starts in a shared window: processOwner
	shared   *sharedWindow // nil: the window is this process's alone
	flight   time.Duration // how long a start may stay in flight in a shared window
}

// start is a call's place in the window. Graph counts a call from when it arrives there, which
// the client cannot see: between the grant and the answer the call may still be on its way (a
// descheduled sender, a slow network), so while in flight it counts as now; once answered it
// counts from when the answer came, an upper bound of its arrival whatever the delays.
type start struct {
	at       time.Time
	ticket   uint64
	owner    string // the process that made the call (processOwner), for shared windows
	inFlight bool
}

// pause is a Retry-After that holds every caller of the job.
type pause struct {
	until      time.Time
	statusCode int
	requestID  string
}

func newLimiter(c clock, limit int, interval time.Duration) *limiter {
	l := &limiter{clock: c, changed: make(chan struct{}), owner: processOwner}
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
		at, started, err := l.tryStartLocked(ticket, pos, now)
		if started || err != nil {
			if err != nil {
				l.leaveLocked(ticket)
				ticket = 0
			}
			l.mu.Unlock()
			return ticket, err
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

// tryStartLocked starts the waiter at queue position pos if its slot has come, and returns the
// slot. With a shared window the first waiter reads the window, and writes its start, under the
// file's lock, so the processes sharing it never start more than the limit in a window.
func (l *limiter) tryStartLocked(ticket uint64, pos int, now time.Time) (at time.Time, started bool, err error) {
	try := func() {
		at = l.slotLocked(pos, now)
		if pos == 0 && !at.After(now) {
			l.startLocked(ticket, now)
			started = true
		}
	}
	if pos != 0 || l.shared == nil {
		try()
		return at, started, nil
	}
	err = l.shared.update(func(entries []sharedEntry) []sharedEntry {
		l.starts = l.shared.starts(entries, now)
		try()
		return l.shared.entries(l.starts, l.flight)
	})
	return at, started, err
}

// share keeps the job's window in a file of dir from now on (the first directory given wins).
// flight bounds how long a start of this process counts as in flight for the others.
func (l *limiter) share(dir, key string, flight time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shared == nil {
		l.shared = newSharedWindow(dir, key)
	}
	l.flight = max(l.flight, flight)
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
		if s.inFlight && s.at.Before(now) {
			starts = append(starts, now)
		} else {
			starts = append(starts, s.at)
		}
	}
	slices.SortFunc(starts, time.Time.Compare)
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
		l.forgetLocked(now)
		l.starts = append(l.starts, start{at: now, ticket: ticket, owner: l.owner, inFlight: true})
	}
	l.notifyLocked()
}

// forgetLocked drops the answered calls that can no longer hold anyone: their window has passed.
func (l *limiter) forgetLocked(now time.Time) {
	l.starts = slices.DeleteFunc(l.starts, func(s start) bool {
		return !s.inFlight && !s.at.Add(l.interval+l.margin).After(now)
	})
}

// now reads the limiter's clock.
func (l *limiter) now() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.clock.Now()
}

// answered ends a call's flight at at, when its answer (or its failure) came: from then on it
// counts from that moment. Moving a start later only ever delays the calls after it.
func (l *limiter) answered(ticket uint64, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	mark := func() {
		i := slices.IndexFunc(l.starts, func(s start) bool { return s.ticket == ticket && s.owner == l.owner })
		if i < 0 {
			return
		}
		l.starts[i].inFlight = false
		if at.After(l.starts[i].at) {
			l.starts[i].at = at
		}
		slices.SortStableFunc(l.starts, func(a, b start) int { return a.at.Compare(b.at) })
		l.notifyLocked()
	}
	if l.shared == nil {
		mark()
		return
	}
	// Should the write fail, the start stays in flight until its attempt's timeout: later, never
	// sooner, than its answer.
	_ = l.shared.update(func(entries []sharedEntry) []sharedEntry {
		l.starts = l.shared.starts(entries, l.clock.Now())
		mark()
		return l.shared.entries(l.starts, l.flight)
	})
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
