package fakegraph

import (
	"fmt"
	"net/http"
	"time"
)

// admit applies the per-job sliding window to a provisionOnDemand request. Like a strict
// server, it counts rejected requests too: a request is rejected when, counting it, more than
// the limit started within the last interval. A rejected request is answered 429 here.
func (s *Server) admit(x *exchange, j *job) bool {
	if s.limit < 0 {
		return true
	}
	s.mu.Lock()
	key := jobKey(j.servicePrincipalID, j.id)
	starts := s.windows[key]
	t := x.entry.Time
	if n := len(starts); n > 0 && t.Before(starts[n-1]) {
		t = starts[n-1] // concurrent requests may read the clock out of order
	}
	cut := t.Add(-s.interval)
	expired := 0
	for expired < len(starts) && !starts[expired].After(cut) {
		expired++
	}
	starts = append(starts[expired:], t)
	s.windows[key] = starts
	admitted := len(starts) <= s.limit
	var retryAfter time.Duration
	if !admitted {
		// The retry is admitted once all but limit-1 of the recorded starts (this one
		// included) have left the window.
		retryAfter = starts[len(starts)-s.limit].Add(s.interval).Sub(t)
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
