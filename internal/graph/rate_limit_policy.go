package graph

import (
	"context"
	"errors"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// waitForSlot runs before every attempt of a provisionOnDemand call, after the token is in hand
// so the slot is used at once: it waits for the job's limiter (its window and any Retry-After
// pause) and, once the attempt is answered, counts it from then (see start).
func (c *Client) waitForSlot(req *policy.Request) (*http.Response, error) {
	call := callOf(req)
	if call == nil || call.job == nil {
		return req.Next()
	}
	ctx := req.Raw().Context()
	limiter := call.job.limiter
	start := limiter.now()
	ticket, err := limiter.acquire(ctx, call.deadline)
	if err != nil {
		return nil, c.throttled(ctx, call, err)
	}
	if waited := limiter.now().Sub(start); waited >= minReportedWait {
		c.emit(ctx, WaitEvent{
			ServicePrincipalID: call.job.servicePrincipalID,
			JobID:              call.job.jobID,
			Attempt:            call.attempts + 1,
			Waited:             waited,
		})
	}
	resp, err := req.Next()
	limiter.answered(ticket, limiter.now())
	return resp, err
}

// throttled completes a limiter's or a Retry-After's *ThrottledError with the job and reports
// it; other errors (the caller's cancellation) pass unchanged.
func (c *Client) throttled(ctx context.Context, call *callState, err error) error {
	var te *ThrottledError
	if !errors.As(err, &te) {
		return err
	}
	te.ServicePrincipalID, te.JobID = call.job.servicePrincipalID, call.job.jobID
	c.emit(ctx, ThrottledEvent{Throttled: te})
	return te
}
