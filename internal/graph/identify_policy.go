package graph

import (
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"
)

// identify runs once per call after azcore's telemetry policy: it puts the provider first in the
// User-Agent and gives the call a client-request-id that support can trace.
func (c *Client) identify(req *policy.Request) (*http.Response, error) {
	h := req.Raw().Header
	h.Set("User-Agent", strings.TrimSpace(c.userAgent+" "+h.Get("User-Agent")))
	h.Set("client-request-id", uuid.NewString())
	return req.Next()
}
