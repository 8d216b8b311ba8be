package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// maxOIDCAnswer caps what is read of the GitHub OIDC endpoint's answer (a JWT is a few KiB).
const maxOIDCAnswer = 64 << 10

// gitHubAssertion fetches a GitHub Actions ID token for Entra ID's federated audience, once per
// token request: the job's tokens are short-lived, so none is kept.
func gitHubAssertion(requestURL *url.URL, requestToken string) func(context.Context) (string, error) {
	u := *requestURL
	q := u.Query()
	q.Set("audience", federatedAudience)
	u.RawQuery = q.Encode()
	pipeline := runtime.NewPipeline("entrasync-auth", "", runtime.PipelineOptions{}, &policy.ClientOptions{})
	endpoint := u.Scheme + "://" + u.Host + u.Path // for errors: the query may carry job details
	return func(ctx context.Context) (string, error) {
		req, err := runtime.NewRequest(ctx, http.MethodGet, u.String())
		if err != nil {
			return "", fmt.Errorf("GitHub Actions OIDC request URL: %w", err)
		}
		req.Raw().Header.Set("Authorization", "Bearer "+requestToken)
		req.Raw().Header.Set("Accept", "application/json")
		resp, err := pipeline.Do(req)
		if err != nil {
			return "", fmt.Errorf("requesting an ID token from %s: %w", endpoint, err)
		}
		body, err := runtime.Payload(resp)
		if err != nil {
			return "", fmt.Errorf("reading the ID token from %s: %w", endpoint, err)
		}
		if len(body) > maxOIDCAnswer {
			body = body[:maxOIDCAnswer]
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%s answered %s: %s. Check that the job has `permissions: id-token: write` and that "+
				"oidc_request_token belongs to this job", endpoint, resp.Status, strings.TrimSpace(string(body)))
		}
		var answer struct {
			Value string `json:"value"`
		}
		if err := json.Unmarshal(body, &answer); err != nil || answer.Value == "" {
			return "", fmt.Errorf("%s answered without an ID token in \"value\"", endpoint)
		}
		return answer.Value, nil
	}
}
