package graph

import (
	"context"
	"time"
)

// Event is what a Client reports while a call runs, through Config.OnEvent: a WaitEvent,
// RetryEvent, AnswerEvent, ThrottledEvent or UnreadableAnswerEvent. Events never hold
// credentials, headers beyond the ids, or bodies.
type Event interface{ graphEvent() }

// WaitEvent reports that an attempt of a provisionOnDemand call waited for its slot in the job's rate limit
// (or for a Retry-After pause of the job) before it was sent.
type WaitEvent struct {
	ServicePrincipalID string
	JobID              string
	Attempt            int           // the attempt about to be sent, from 1
	Waited             time.Duration // at least minReportedWait
}

// RetryEvent reports that an attempt ended with an answer or a transport error that is retried, or would
// be if retries were left (Final).
type RetryEvent struct {
	Attempt    int    // the attempt that ended, from 1
	StatusCode int    // 0 when no answer came
	Reason     string // the HTTP status text, or the transport error when no answer came
	// RetryAfter is Graph's Retry-After; zero with HasRetryAfter false means azcore's
	// exponential backoff decides the delay.
	RetryAfter    time.Duration
	HasRetryAfter bool
	Final         bool // no retries left: the call ends with this attempt
}

// AnswerEvent reports that one attempt ended, with an answer or an error. URL has no query, which may hold names.
type AnswerEvent struct {
	Method          string
	URL             string
	ClientRequestID string
	Attempt         int // from 1; 0 for a request sent outside a call of this client
	StatusCode      int // 0 when no answer came
	RequestID       string
	Error           string        // the transport error when no answer came
	Duration        time.Duration // from sending to the answer, without the rate-limit wait
}

// ThrottledEvent reports that a call ends with a *ThrottledError, its slot or Graph's Retry-After being past
// the caller's deadline.
type ThrottledEvent struct {
	Throttled *ThrottledError
}

// UnreadableAnswerEvent reports that a 2xx answer of provisionOnDemand is not the documented {key, value}
// object (a gateway's page, an empty body); the result keeps it raw.
type UnreadableAnswerEvent struct {
	RequestID string
	Error     string
}

func (WaitEvent) graphEvent()             {}
func (RetryEvent) graphEvent()            {}
func (AnswerEvent) graphEvent()           {}
func (ThrottledEvent) graphEvent()        {}
func (UnreadableAnswerEvent) graphEvent() {}

// minReportedWait is the shortest limiter wait worth a WaitEvent; shorter ones are the limiter's
// own bookkeeping, not a wait for the window.
const minReportedWait = time.Millisecond

// emit hands e to the configured OnEvent, if any.
func (c *Client) emit(ctx context.Context, e Event) {
	if c.onEvent != nil {
		c.onEvent(ctx, e)
	}
}
