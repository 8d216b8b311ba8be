package fakegraph

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"
)

// arrive stamps a request with the server clock and, for a provisionOnDemand call, records the
// arrival in its job's window in the same step, as a strict server does at its front door: a
// request still in its handler counts for the others from the moment it arrived.
func (s *Server) arrive(x *exchange, rt route) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.now()
	if s.limit < 0 || rt.operation != OperationProvisionOnDemand || x.r.Method != http.MethodPost {
		return t
	}
	key := jobKey(rt.servicePrincipalID, rt.jobID)
	starts := s.windows[key]
	at, _ := slices.BinarySearchFunc(starts, t, time.Time.Compare)
	starts = slices.Insert(starts, at, t)
	// Forget arrivals that no window of a later (or slightly late-judged) request can reach.
	forget := 0
	for forget < len(starts) && !starts[forget].After(t.Add(-2*s.interval)) {
		forget++
	}
	s.windows[key] = starts[forget:]
	x.windowKey = key
	return t
}

// forget removes the arrival of a request that never reached the rate check (401, 404, 405, or
// a client that left): like Graph, only calls that reach a job count against its limit.
func (s *Server) forget(x *exchange) {
	if x.windowKey == "" || x.judged {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	starts := s.windows[x.windowKey]
	if i := slices.IndexFunc(starts, x.entry.Time.Equal); i >= 0 {
		s.windows[x.windowKey] = slices.Delete(starts, i, i+1)
	}
}

// admit applies the per-job sliding window to a provisionOnDemand request. Like a strict
// server, it counts rejected requests too: a request is rejected when, counting it, more than
// the limit arrived within the interval up to its own arrival. A rejected request is answered
// 429 here.
func (s *Server) admit(x *exchange) bool {
	if x.windowKey == "" {
		return true
	}
	s.mu.Lock()
	x.judged = true
	t := x.entry.Time
	starts := s.windows[x.windowKey]
	first := sort.Search(len(starts), func(i int) bool { return starts[i].After(t.Add(-s.interval)) })
	last := sort.Search(len(starts), func(i int) bool { return starts[i].After(t) })
	window := starts[first:last]
	admitted := len(window) <= s.limit
	var retryAfter time.Duration
	if !admitted {
		// The retry is admitted once all but limit-1 of these (this one included) have left the window.
		retryAfter = window[len(window)-s.limit].Add(s.interval).Sub(t)
		x.entry.RateLimited = true
	}
	s.mu.Unlock()
	if admitted {
		return true
	}
	if !s.opts.OmitRetryAfter {
		x.w.Header().Set("Retry-After", formatRetryAfter(retryAfter))
	}
	s.writeError(x, http.StatusTooManyRequests, "TooManyRequests", "Too many requests. Please retry after some time.")
	return false
}

// formatRetryAfter writes seconds with three decimals (Graph's sample: 2.128), rounded up so a
// client that waits exactly that long is admitted.
func formatRetryAfter(d time.Duration) string {
	ms := (d + time.Millisecond - 1) / time.Millisecond
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}
