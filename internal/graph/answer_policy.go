package graph

import (
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// reportAnswer reports every attempt as an AnswerEvent: what was sent where, the answer and its
// ids, never headers beyond the ids, tokens or bodies; the URL loses its query, which may hold names.
func (c *Client) reportAnswer(req *policy.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := req.Next()
	u := *req.Raw().URL
	u.RawQuery = ""
	e := AnswerEvent{
		Method:          req.Raw().Method,
		URL:             u.String(),
		ClientRequestID: req.Raw().Header.Get("client-request-id"),
		Duration:        time.Since(start),
	}
	if call := callOf(req); call != nil {
		e.Attempt = call.attempts
	}
	if err != nil {
		e.Error = err.Error()
	} else {
		e.StatusCode = resp.StatusCode
		e.RequestID = resp.Header.Get("request-id")
	}
	c.emit(req.Raw().Context(), e)
	return resp, err
}
