package graph

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
)

// try sends one attempt of a call: it counts it and gives it the per-attempt timeout, which
// starts only now, after any wait for the job's slot, and a body of its own.
func (c *Client) try(req *policy.Request) (*http.Response, error) {
	call := callOf(req)
	if call == nil {
		return req.Next()
	}
	call.attempts++
	tryCtx, cancel := context.WithTimeout(req.Raw().Context(), c.tryTimeout)
	// The body download policy sits below this one, so the body is in memory when Next returns.
	defer cancel()
	try := req.Clone(tryCtx)
	if call.body != nil {
		// net/http may still read an attempt's body after the attempt failed (a reset mid-answer),
		// while azcore rewinds the shared body for the next: each attempt reads its own.
		if err := try.SetBody(streaming.NopCloser(bytes.NewReader(call.body)), "application/json"); err != nil {
			return nil, err
		}
	}
	resp, err := try.Next()
	if err != nil {
		return nil, retriableBrokenAnswer(err)
	}
	return resp, nil
}

// retriableBrokenAnswer lets azcore retry a POST whose answer broke off mid-body (connection
// reset or closed early), which it never retries on its own: Graph's POSTs here are safe to
// resend (a repeated provisionOnDemand answers RedundantExport). A body over the size cap stays final.
func retriableBrokenAnswer(err error) error {
	var final interface {
		error
		NonRetriable()
	}
	if !errors.As(err, &final) {
		return err
	}
	var netErr net.Error
	if cause := errors.Unwrap(final); cause != nil && (errors.As(cause, &netErr) || errors.Is(cause, io.ErrUnexpectedEOF)) {
		return cause
	}
	return err
}
