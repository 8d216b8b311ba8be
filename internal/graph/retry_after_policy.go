package graph

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// honourRetryAfter turns Graph's Retry-After into the delay azcore's retry policy takes and, on
// a 429 or 503 of a provisionOnDemand call, into a pause of the whole job; a pause past the
// caller's deadline ends the call with a *ThrottledError at once. It reports the retry decision.
func (c *Client) honourRetryAfter(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	call := callOf(req)
	if call == nil {
		return resp, err
	}
	if err != nil {
		c.reportRetry(req, call, RetryEvent{Reason: err.Error()}, err)
		return nil, err
	}
	retry := RetryEvent{StatusCode: resp.StatusCode, Reason: http.StatusText(resp.StatusCode)}
	retry.RetryAfter, retry.HasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if retry.HasRetryAfter {
		wait := retry.RetryAfter
		// azcore prefers Retry-After-Ms (whole ms) and gives up on a delay above its cap, so the
		// delay is capped there and the job's pause holds the next attempt for the rest.
		ms := max((min(wait, maxRetryDelay)+time.Millisecond-1)/time.Millisecond, 1)
		resp.Header.Set("Retry-After-Ms", strconv.FormatInt(int64(ms), 10))
		if call.job != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
			requestID := resp.Header.Get("request-id")
			until := call.job.limiter.pauseUntil(time.Now().Add(wait), resp.StatusCode, requestID)
			if !call.deadline.IsZero() && until.After(call.deadline) && call.attempts <= c.maxRetries {
				runtime.Drain(resp)
				return nil, c.throttled(req.Raw().Context(), call, &ThrottledError{
					RetryAfter: time.Until(until),
					StatusCode: resp.StatusCode,
					RequestID:  requestID,
				})
			}
		}
	}
	if runtime.HasStatusCode(resp, retryStatusCodes...) {
		c.reportRetry(req, call, retry, nil)
	}
	return resp, nil
}

// reportRetry reports the decision azcore's retry policy is about to take on the attempt that
// just ended, unless the caller gave up or the error is final.
func (c *Client) reportRetry(req *policy.Request, call *callState, retry RetryEvent, err error) {
	ctx := req.Raw().Context()
	var nonRetriable interface{ NonRetriable() }
	if ctx.Err() != nil || errors.As(err, &nonRetriable) {
		return
	}
	retry.Attempt = call.attempts
	retry.Final = call.attempts > c.maxRetries
	c.emit(ctx, retry)
}

// parseRetryAfter reads a Retry-After value: whole or fractional seconds ("2.128") or an HTTP
// date in any form net/http accepts. A date in the past means no wait; a negative or unreadable
// value reports false.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(value)
	if whole, frac, _ := strings.Cut(v, "."); v != "" && v != "." && digits(whole) && digits(frac) {
		secs, err := strconv.ParseInt("0"+whole, 10, 64)
		if err != nil || secs >= int64(math.MaxInt64/time.Second) {
			return 0, false
		}
		frac = (frac + "000000000")[:9]
		nanos, _ := strconv.ParseInt(frac, 10, 64)
		return time.Duration(secs)*time.Second + time.Duration(nanos), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
