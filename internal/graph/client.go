// Package graph is the Microsoft Graph client of the provider: an azcore pipeline with
// authentication, retries, per-job rate limiting and events, and the provisionOnDemand call.
package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
)

// Config configures a Client. The rate limit is shared by every Client of the process that
// calls the same job; when their settings differ, the smallest limit and the longest interval apply.
type Config struct {
	Endpoint          string                 // Graph base URL without version, e.g. "https://graph.microsoft.com"
	APIVersion        string                 // "v1.0" or "beta"
	Credential        azcore.TokenCredential // required
	Scopes            []string               // token scopes, e.g. {"https://graph.microsoft.com/.default"}
	Version           string                 // provider version for the User-Agent; "" reads as "dev"
	RateLimitRequests int                    // provision calls per interval per job; 0 = client-side limiting off
	RateLimitInterval time.Duration
	// RateLimitSharedDir, optional, keeps each job's window in a file of this directory under an
	// exclusive lock, so every process of the machine that names it counts against one window.
	RateLimitSharedDir string
	MaxRetries         int // retries of one call on 429/500/502/503/504 and connection errors; 0 = none
	// StaticToken says the credential hands out a token supplied as it is (access_token): asking it
	// again after a 401 would return the same token, so a 401 is final instead of resent once.
	StaticToken bool
	TryTimeout  time.Duration // per-attempt timeout, counted from the moment the attempt may send; 0 = 60s
	// OnEvent, optional, receives the call's context and each Event (waits, retries, answers) as it happens,
	// on the calling goroutine.
	OnEvent   func(context.Context, Event)
	Transport policy.Transporter // optional, for tests; nil = a client configured like azcore's default
}

const (
	defaultTryTimeout = 60 * time.Second
	maxRetryDelay     = 60 * time.Second
)

// retryStatusCodes are the answers azcore retries; 429 and 503 with Retry-After also pause the job.
var retryStatusCodes = []int{
	http.StatusTooManyRequests,
	http.StatusInternalServerError,
	http.StatusBadGateway,
	http.StatusServiceUnavailable,
	http.StatusGatewayTimeout,
}

// Client calls Microsoft Graph. It is safe for concurrent use.
type Client struct {
	endpoint   string // without trailing slash, part of the job key
	baseURL    string // endpoint + "/" + API version
	userAgent  string
	limit      int
	interval   time.Duration
	sharedDir  string
	maxRetries int
	tryTimeout time.Duration
	onEvent    func(context.Context, Event)
	retry      policy.RetryOptions // the pipeline's, the base of a call's own retry budget
	pipeline   runtime.Pipeline
}

// MaxRetriesLimit bounds Config.MaxRetries: with Retry-After pauses, more would hold a run for hours.
const MaxRetriesLimit = 100

// NewClient validates cfg and builds the pipeline.
func NewClient(cfg Config) (*Client, error) {
	endpoint, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	version := cfg.Version
	if version == "" {
		version = "dev"
	}
	c := &Client{
		endpoint:   endpoint,
		baseURL:    endpoint + "/" + cfg.APIVersion,
		userAgent:  "terraform-provider-entrasync/" + version,
		limit:      cfg.RateLimitRequests,
		interval:   cfg.RateLimitInterval,
		sharedDir:  cfg.RateLimitSharedDir,
		maxRetries: cfg.MaxRetries,
		tryTimeout: cfg.TryTimeout,
		onEvent:    cfg.OnEvent,
	}
	if c.tryTimeout == 0 {
		c.tryTimeout = defaultTryTimeout
	}
	c.pipeline = c.newPipeline(cfg, version, strings.HasPrefix(endpoint, "http:"))
	return c, nil
}

// validate checks cfg and returns its endpoint as ParseEndpoint normalises it.
func (cfg Config) validate() (string, error) {
	endpoint, err := ParseEndpoint(cfg.Endpoint)
	if err != nil {
		return "", fmt.Errorf("graph: Endpoint: %w", err)
	}
	if err := CheckAPIVersion(cfg.APIVersion); err != nil {
		return "", fmt.Errorf("graph: APIVersion: %w", err)
	}
	switch {
	case cfg.Credential == nil:
		return "", errors.New("graph: Credential is required")
	case len(cfg.Scopes) == 0 || slices.ContainsFunc(cfg.Scopes, func(s string) bool { return strings.TrimSpace(s) == "" }):
		return "", errors.New("graph: Scopes must list one or more non-empty token scopes, such as https://graph.microsoft.com/.default")
	case cfg.RateLimitRequests < 0:
		return "", fmt.Errorf("graph: RateLimitRequests must be 0 (off) or more, got %d", cfg.RateLimitRequests)
	case cfg.RateLimitRequests > 0 && cfg.RateLimitInterval <= 0:
		return "", fmt.Errorf("graph: RateLimitInterval must be positive when RateLimitRequests is set, got %s", cfg.RateLimitInterval)
	case cfg.MaxRetries < 0 || cfg.MaxRetries > MaxRetriesLimit:
		return "", fmt.Errorf("graph: MaxRetries must be between 0 and %d, got %d", MaxRetriesLimit, cfg.MaxRetries)
	case cfg.TryTimeout < 0:
		return "", fmt.Errorf("graph: TryTimeout must be 0 (default 60s) or positive, got %s", cfg.TryTimeout)
	}
	if cfg.RateLimitSharedDir != "" {
		if err := CheckSharedDir(cfg.RateLimitSharedDir); err != nil {
			return "", fmt.Errorf("graph: RateLimitSharedDir: %w", err)
		}
	}
	return endpoint, nil
}

// newPipeline builds the pipeline: per call the ids, per attempt the token, the job's rate
// limit, Retry-After, the attempt itself and its answer event, in that order.
func (c *Client) newPipeline(cfg Config, version string, loopbackHTTP bool) runtime.Pipeline {
	transport := cfg.Transport
	if transport == nil {
		transport = defaultHTTPClient()
	}
	c.retry = policy.RetryOptions{
		MaxRetries:    azcoreRetries(cfg.MaxRetries),
		MaxRetryDelay: maxRetryDelay,
		StatusCodes:   retryStatusCodes,
		// TryTimeout stays 0: azcore would start it before our limiter wait; c.try applies it.
	}
	var onChallenge func(*policy.Request, *http.Response, func(policy.TokenRequestOptions) error) error
	if !cfg.StaticToken {
		// Graph answers a rejected token (revoked, expired early) with 401 and a challenge. The policy has
		// dropped its copy by then; this asks the credential for another and the policy resends once.
		onChallenge = func(_ *policy.Request, _ *http.Response, authorize func(policy.TokenRequestOptions) error) error {
			return authorize(policy.TokenRequestOptions{Scopes: cfg.Scopes})
		}
	}
	return runtime.NewPipeline("entrasync", version, runtime.PipelineOptions{
		PerCall: []policy.Policy{policyFunc(c.identify)},
		PerRetry: []policy.Policy{
			runtime.NewBearerTokenPolicy(cfg.Credential, cfg.Scopes, &policy.BearerTokenOptions{
				// A token never leaves the machine in clear: plain http is allowed for loopback fakes and proxies only.
				InsecureAllowCredentialWithHTTP: loopbackHTTP,
				AuthorizationHandler:            policy.AuthorizationHandler{OnChallenge: onChallenge},
			}),
			policyFunc(c.waitForSlot),
			policyFunc(c.honourRetryAfter),
			policyFunc(c.try),
			policyFunc(c.reportAnswer),
		},
	}, &policy.ClientOptions{
		Retry:     c.retry,
		Transport: bodyLimit{next: transport},
	})
}

// azcoreRetries is a retry count as azcore reads it: 0 means its default of 3, a negative value none.
func azcoreRetries(n int) int32 {
	if n == 0 {
		return -1
	}
	return int32(n)
}

// maxRetriesKey is the context key of a call's own retry budget.
type maxRetriesKey struct{}

// WithMaxRetries gives the calls made with ctx their own retry budget instead of Config.MaxRetries,
// for example a small one for the reads of a plan, which must not hold it for minutes.
func WithMaxRetries(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, maxRetriesKey{}, min(max(n, 0), MaxRetriesLimit))
}

// do sends one call (with its retries) and returns the body and request-id of its 2xx answer.
func (c *Client) do(ctx context.Context, method, path string, body any, job *jobCall) ([]byte, string, error) {
	call := &callState{job: job}
	call.deadline, _ = ctx.Deadline()
	if n, ok := ctx.Value(maxRetriesKey{}).(int); ok {
		retry := c.retry
		retry.MaxRetries = azcoreRetries(n)
		ctx = policy.WithRetryOptions(ctx, retry)
	}
	req, err := runtime.NewRequest(context.WithValue(ctx, callKey{}, call), method, c.baseURL+path)
	if err != nil {
		return nil, "", fmt.Errorf("graph: building %s %s: %w", method, path, err)
	}
	req.Raw().Header.Set("Accept", "application/json")
	if body != nil {
		if call.body, err = json.Marshal(body); err != nil {
			return nil, "", fmt.Errorf("graph: encoding the body of %s %s: %w", method, path, err)
		}
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(call.body)), "application/json"); err != nil {
			return nil, "", err
		}
	}
	resp, err := c.pipeline.Do(req)
	var throttled *ThrottledError
	switch {
	case errors.As(err, &throttled):
		return nil, "", throttled
	case err != nil && call.attempts == 0: // e.g. no token
		return nil, "", fmt.Errorf("graph: %s %s: %w", method, path, err)
	case err != nil:
		return nil, "", fmt.Errorf("graph: %s %s failed after %d attempt(s): %w", method, path, call.attempts, err)
	}
	payload, err := runtime.Payload(resp)
	if err != nil {
		return nil, "", fmt.Errorf("graph: reading the answer of %s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", newError(resp, payload, call.attempts)
	}
	return payload, resp.Header.Get("request-id"), nil
}

// callKey is the context key of the *callState of one call, read by the per-attempt policies.
type callKey struct{}

// callState is shared by the attempts of one call; azcore runs them one after another.
type callState struct {
	job      *jobCall  // nil for calls that are not rate limited
	deadline time.Time // the caller's, zero when none
	body     []byte    // the request body, given to each attempt as a reader of its own
	attempts int
}

// callOf returns the state of the call req belongs to, nil for a request sent outside c.do.
func callOf(req *policy.Request) *callState {
	call, _ := req.Raw().Context().Value(callKey{}).(*callState)
	return call
}

// jobCall marks a provisionOnDemand call: its attempts go through the job's limiter.
type jobCall struct {
	servicePrincipalID, jobID string
	limiter                   *limiter
}

type policyFunc func(*policy.Request) (*http.Response, error)

func (f policyFunc) Do(req *policy.Request) (*http.Response, error) { return f(req) }
