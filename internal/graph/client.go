// Package graph is the Microsoft Graph client of the provider: an azcore pipeline with
// authentication, retries, per-job rate limiting and logging, and the provisionOnDemand call.
package graph

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/google/uuid"
)

// LogFunc receives one line per attempt and per retry decision. Fields never hold credentials
// or bodies.
type LogFunc func(ctx context.Context, msg string, fields map[string]any)

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
	MaxRetries        int                // retries of one call on 429/500/502/503/504 and connection errors; 0 = none
	TryTimeout        time.Duration      // per-attempt timeout, counted from the moment the attempt may send; 0 = 60s
	Log               LogFunc            // optional; one redacted line per attempt and per retry decision
	Transport         policy.Transporter // optional, for tests; nil = a client configured like azcore's default
}

const (
	defaultTryTimeout = 60 * time.Second
	maxRetryDelay     = 60 * time.Second
	maxResultBytes    = 16 << 20 // a group answer with 5 members is a few hundred KiB at most
	maxErrorBytes     = 64 << 10
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
	maxRetries int
	tryTimeout time.Duration
	log        LogFunc
	pipeline   runtime.Pipeline
}

// NewClient validates cfg and builds the pipeline.
func NewClient(cfg Config) (*Client, error) {
	endpoint := strings.TrimRight(cfg.Endpoint, "/")
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || (u.Scheme != "https" && !isLoopbackHTTP(u)) {
		return nil, fmt.Errorf("graph: Endpoint must be an https URL without query, such as https://graph.microsoft.com "+
			"(plain http only on a loopback host), got %q", cfg.Endpoint)
	}
	if cfg.APIVersion != "v1.0" && cfg.APIVersion != "beta" {
		return nil, fmt.Errorf("graph: APIVersion must be \"v1.0\" or \"beta\", got %q", cfg.APIVersion)
	}
	if cfg.Credential == nil {
		return nil, errors.New("graph: Credential is required")
	}
	if len(cfg.Scopes) == 0 || slices.ContainsFunc(cfg.Scopes, func(s string) bool { return strings.TrimSpace(s) == "" }) {
		return nil, errors.New("graph: Scopes must list one or more non-empty token scopes, such as https://graph.microsoft.com/.default")
	}
	if cfg.RateLimitRequests < 0 {
		return nil, fmt.Errorf("graph: RateLimitRequests must be 0 (off) or more, got %d", cfg.RateLimitRequests)
	}
	if cfg.RateLimitRequests > 0 && cfg.RateLimitInterval <= 0 {
		return nil, fmt.Errorf("graph: RateLimitInterval must be positive when RateLimitRequests is set, got %s", cfg.RateLimitInterval)
	}
	if cfg.MaxRetries < 0 || cfg.MaxRetries > 100 {
		return nil, fmt.Errorf("graph: MaxRetries must be between 0 and 100, got %d", cfg.MaxRetries)
	}
	if cfg.TryTimeout < 0 {
		return nil, fmt.Errorf("graph: TryTimeout must be 0 (default 60s) or positive, got %s", cfg.TryTimeout)
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
		maxRetries: cfg.MaxRetries,
		tryTimeout: cfg.TryTimeout,
		log:        cfg.Log,
	}
	if c.tryTimeout == 0 {
		c.tryTimeout = defaultTryTimeout
	}
	if c.log == nil {
		c.log = func(context.Context, string, map[string]any) {}
	}
	transport := cfg.Transport
	if transport == nil {
		transport = defaultHTTPClient()
	}
	retries := cfg.MaxRetries
	if retries == 0 {
		retries = -1 // azcore reads 0 as "default 3" and a negative value as none
	}
	c.pipeline = runtime.NewPipeline("entrasync", version, runtime.PipelineOptions{
		PerCall: []policy.Policy{policyFunc(c.identify)},
		PerRetry: []policy.Policy{
			runtime.NewBearerTokenPolicy(cfg.Credential, cfg.Scopes, &policy.BearerTokenOptions{
				// A token never leaves the machine in clear: plain http is allowed for loopback fakes and proxies only.
				InsecureAllowCredentialWithHTTP: isLoopbackHTTP(u),
				// Graph answers a rejected token (revoked, expired early) with 401 and a challenge. The policy has
				// dropped its copy by then; this asks the credential for another and the policy resends once.
				AuthorizationHandler: policy.AuthorizationHandler{
					OnChallenge: func(_ *policy.Request, _ *http.Response, authorize func(policy.TokenRequestOptions) error) error {
						return authorize(policy.TokenRequestOptions{Scopes: cfg.Scopes})
					},
				},
			}),
			policyFunc(c.attempt),
			policyFunc(c.logAttempt),
		},
	}, &policy.ClientOptions{
		Retry: policy.RetryOptions{
			MaxRetries:    int32(retries),
			MaxRetryDelay: maxRetryDelay,
			StatusCodes:   retryStatusCodes,
			// TryTimeout stays 0: azcore would start it before our limiter wait; c.attempt applies it.
		},
		Transport: bodyLimit{next: transport},
	})
	return c, nil
}

// ProvisionOnDemand provisions the subjects of req through the job now. A success, skip or
// failure of the provisioning itself is a result; an error is a Graph error (*Error), a
// throttle that outlasts ctx's deadline (*ThrottledError), or a transport failure.
func (c *Client) ProvisionOnDemand(ctx context.Context, servicePrincipalID, jobID string, req ProvisionRequest) (*ProvisionResult, error) {
	if servicePrincipalID == "" || jobID == "" {
		return nil, errors.New("graph: provisionOnDemand needs a service principal id and a job id")
	}
	job := &jobCall{
		servicePrincipalID: servicePrincipalID,
		jobID:              jobID,
		limiter:            limiterFor(jobKey(c.endpoint, servicePrincipalID, jobID), c.limit, c.interval),
	}
	path := "/servicePrincipals/" + url.PathEscape(servicePrincipalID) +
		"/synchronization/jobs/" + url.PathEscape(jobID) + "/provisionOnDemand"
	payload, requestID, err := c.do(ctx, http.MethodPost, path, req, job)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Key   jsonText `json:"key"`
		Value jsonText `json:"value"`
	}
	if err := json.Unmarshal(payload, &answer); err != nil {
		// Not the documented {key, value} object (a gateway's HTML page, an empty body): keep the
		// body as the value, from which no status can be read.
		c.log(ctx, "provisionOnDemand answer is not a key/value object", map[string]any{"request_id": requestID, "error": err.Error()})
		return &ProvisionResult{RequestID: requestID, Value: strings.ToValidUTF8(string(payload), "\uFFFD")}, nil
	}
	r := DecodeProvisionResult(string(answer.Key), string(answer.Value))
	r.RequestID = requestID
	return r, nil
}

// do sends one call (with its retries) and returns the body and request-id of its 2xx answer.
func (c *Client) do(ctx context.Context, method, path string, body any, job *jobCall) ([]byte, string, error) {
	call := &callState{job: job}
	call.deadline, _ = ctx.Deadline()
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
	waited   time.Duration // how long the current attempt waited for its slot
}

// jobCall marks a provisionOnDemand call: its attempts go through the job's limiter.
type jobCall struct {
	servicePrincipalID, jobID string
	limiter                   *limiter
}

type policyFunc func(*policy.Request) (*http.Response, error)

func (f policyFunc) Do(req *policy.Request) (*http.Response, error) { return f(req) }

// identify runs once per call after azcore's telemetry policy: it puts the provider first in the
// User-Agent and gives the call a client-request-id that support can trace.
func (c *Client) identify(req *policy.Request) (*http.Response, error) {
	h := req.Raw().Header
	h.Set("User-Agent", strings.TrimSpace(c.userAgent+" "+h.Get("User-Agent")))
	h.Set("client-request-id", uuid.NewString())
	return req.Next()
}

// attempt runs before every attempt (after the token is in hand, so the slot is used at once):
// it waits for the job's limiter, applies the per-attempt timeout and turns Retry-After into a
// job-wide pause that azcore's retry policy honours exactly.
func (c *Client) attempt(req *policy.Request) (*http.Response, error) {
	ctx := req.Raw().Context()
	call, _ := ctx.Value(callKey{}).(*callState)
	if call == nil {
		return req.Next()
	}
	call.waited = 0
	var trace *httptrace.ClientTrace
	if call.job != nil {
		start := time.Now()
		ticket, err := call.job.limiter.acquire(ctx, call.deadline)
		if err != nil {
			return nil, c.throttled(ctx, call, err)
		}
		call.waited = time.Since(start)
		limiter := call.job.limiter
		trace = &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { limiter.sent(ticket, time.Now()) }}
	}
	call.attempts++

	tryCtx, cancel := context.WithTimeout(ctx, c.tryTimeout)
	if trace != nil {
		tryCtx = httptrace.WithClientTrace(tryCtx, trace)
	}
	try := req.Clone(tryCtx)
	if call.body != nil {
		// net/http may still read an attempt's body after the attempt failed (a reset mid-answer),
		// while azcore rewinds the shared body for the next: each attempt reads its own.
		if err := try.SetBody(streaming.NopCloser(bytes.NewReader(call.body)), "application/json"); err != nil {
			cancel()
			return nil, err
		}
	}
	// The body download policy sits below this one, so the body is in memory when Next returns.
	resp, err := try.Next()
	cancel()
	if err != nil {
		err = retriableBrokenAnswer(err)
		c.logRetry(ctx, call, nil, err, "exponential backoff")
		return nil, err
	}

	retryAfter := "exponential backoff"
	if wait, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		retryAfter = wait.String()
		// azcore prefers Retry-After-Ms (whole ms) and gives up on a delay above its cap, so the
		// delay is capped there and the job's pause holds the next attempt for the rest.
		ms := max((min(wait, maxRetryDelay)+time.Millisecond-1)/time.Millisecond, 1)
		resp.Header.Set("Retry-After-Ms", strconv.FormatInt(int64(ms), 10))
		if call.job != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
			requestID := resp.Header.Get("request-id")
			until := call.job.limiter.pauseUntil(time.Now().Add(wait), resp.StatusCode, requestID)
			if !call.deadline.IsZero() && until.After(call.deadline) && call.attempts <= c.maxRetries {
				runtime.Drain(resp)
				return nil, c.throttled(ctx, call, &ThrottledError{
					RetryAfter: time.Until(until),
					StatusCode: resp.StatusCode,
					RequestID:  requestID,
				})
			}
		}
	}
	c.logRetry(ctx, call, resp, nil, retryAfter)
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

// throttled completes a limiter's or a Retry-After's *ThrottledError with the job and logs it;
// other errors (the caller's cancellation) pass unchanged.
func (c *Client) throttled(ctx context.Context, call *callState, err error) error {
	var te *ThrottledError
	if !errors.As(err, &te) {
		return err
	}
	te.ServicePrincipalID, te.JobID = call.job.servicePrincipalID, call.job.jobID
	c.log(ctx, "Graph call throttled beyond the caller's deadline", map[string]any{
		"service_principal_id": te.ServicePrincipalID,
		"job_id":               te.JobID,
		"retry_after":          te.RetryAfter.String(),
		"status":               te.StatusCode,
		"request_id":           te.RequestID,
	})
	return te
}

// logRetry logs the decision azcore's retry policy is about to take on the attempt that just
// ended (one answer or one transport error), when a retry is in question at all.
func (c *Client) logRetry(ctx context.Context, call *callState, resp *http.Response, err error, retryAfter string) {
	var nonRetriable interface{ NonRetriable() }
	if ctx.Err() != nil || errors.As(err, &nonRetriable) || (err == nil && !runtime.HasStatusCode(resp, retryStatusCodes...)) {
		return
	}
	fields := map[string]any{"attempt": call.attempts}
	if resp != nil {
		fields["status"] = resp.StatusCode
	}
	if call.attempts > c.maxRetries {
		c.log(ctx, "Graph call failed, no retries left", fields)
		return
	}
	fields["retry_after"] = retryAfter
	c.log(ctx, "Graph call will be retried", fields)
}

// logAttempt logs one line per attempt: what was sent where, the answer and its ids. Never
// headers beyond the ids, tokens or bodies; the URL loses its query, which may hold names.
func (c *Client) logAttempt(req *policy.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := req.Next()
	u := *req.Raw().URL
	u.RawQuery = ""
	fields := map[string]any{
		"method":            req.Raw().Method,
		"url":               u.String(),
		"client_request_id": req.Raw().Header.Get("client-request-id"),
		"duration_ms":       time.Since(start).Milliseconds(),
	}
	if call, _ := req.Raw().Context().Value(callKey{}).(*callState); call != nil {
		fields["attempt"] = call.attempts
		fields["waited_ms"] = call.waited.Milliseconds()
	}
	if err != nil {
		fields["error"] = err.Error()
	} else {
		fields["status"] = resp.StatusCode
		fields["request_id"] = resp.Header.Get("request-id")
	}
	c.log(req.Raw().Context(), "Graph request", fields)
	return resp, err
}

// ParseRetryAfter reads a Retry-After value: whole or fractional seconds ("2.128") or an HTTP
// date in any form net/http accepts. A date in the past means no wait; a negative or unreadable
// value reports false.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
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

// bodyLimit caps every response body before azcore reads it into memory, so a hostile or broken
// server cannot exhaust it: a success body past the cap fails, an error body is cut short.
type bodyLimit struct{ next policy.Transporter }

func (t bodyLimit) Do(req *http.Request) (*http.Response, error) {
	resp, err := t.next.Do(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxResultBytes}
	} else {
		resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxErrorBytes, truncate: true}
	}
	return resp, nil
}

type limitedBody struct {
	io.ReadCloser
	left     int64
	truncate bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	// read one byte past the cap to tell a body of exactly the cap from a longer one
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	if int64(n) > b.left {
		n, b.left = int(b.left), 0
		if b.truncate {
			return n, io.EOF
		}
		return n, fmt.Errorf("graph: response body larger than %d bytes", maxResultBytes)
	}
	b.left -= int64(n)
	return n, err
}

// defaultHTTPClient mirrors azcore's default transport, which is not exported and could not
// be wrapped by bodyLimit otherwise.
var defaultHTTPClient = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 10
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	t.HTTP2 = &http.HTTP2Config{SendPingTimeout: 10 * time.Second, PingTimeout: 5 * time.Second}
	return &http.Client{Transport: t}
})

// isLoopbackHTTP reports whether u is plain http to this machine (127.0.0.0/8, ::1, localhost).
func isLoopbackHTTP(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
