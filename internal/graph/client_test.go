package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"
)

const testToken = "eyJ0eXAi.test-token-4c1e9b"

type staticCredential struct{}

func (staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: testToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// checkGoroutines fails the test when goroutines started during it outlive it (polling for a
// bounded time, as connections and timers wind down asynchronously).
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if runtime.NumGoroutine() <= before {
				return
			}
		}
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before the test, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
	})
}

type request struct {
	at     time.Time
	path   string
	header http.Header
	body   string
}

// fakeGraph is an inline Graph stand-in that records every request it receives.
type fakeGraph struct {
	*httptest.Server
	mu       sync.Mutex
	requests []request
}

// newFakeGraph serves handle(n, w, r) for the n-th request (1-based).
func newFakeGraph(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *fakeGraph {
	checkGoroutines(t)
	g := &fakeGraph{}
	g.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		g.requests = append(g.requests, request{at: time.Now(), path: r.URL.EscapedPath(), header: r.Header.Clone(), body: string(body)})
		n := len(g.requests)
		g.mu.Unlock()
		w.Header().Set("request-id", fmt.Sprintf("req-%d", n))
		w.Header().Set("client-request-id", r.Header.Get("client-request-id"))
		handle(n, w, r)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGraph) seen() []request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]request(nil), g.requests...)
}

type logLine struct {
	msg    string
	fields map[string]any
}

type logRecorder struct {
	mu    sync.Mutex
	lines []logLine
	hook  func(msg string)
}

func (r *logRecorder) log(_ context.Context, msg string, fields map[string]any) {
	r.mu.Lock()
	r.lines = append(r.lines, logLine{msg, fields})
	hook := r.hook
	r.mu.Unlock()
	if hook != nil {
		hook(msg)
	}
}

func (r *logRecorder) all() []logLine {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]logLine(nil), r.lines...)
}

func newTestClient(t *testing.T, g *fakeGraph, edit func(*Config)) (*Client, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	cfg := Config{
		Endpoint:   g.URL + "/",
		APIVersion: "v1.0",
		Credential: staticCredential{},
		Scopes:     []string{"https://graph.microsoft.com/.default"},
		Version:    "1.2.3",
		MaxRetries: 3,
		Log:        rec.log,
		Transport:  g.Client(),
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// testJob is a job id of the test's own, so limiters and pauses never leak between tests.
func testJob(t *testing.T) string {
	return "scim." + strings.NewReplacer("/", ".", "#", ".").Replace(t.Name())
}

const testSP = "7d3a2b9e-2f41-4c3e-9a55-0b8e1c6f4d21"

var groupRequest = ProvisionRequest{Parameters: []ProvisionParameter{{
	RuleID: "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2",
	Subjects: []Subject{{
		ObjectID:       "9c1b6a4e-8d2f-4b7a-a1c3-5e6f7a8b9c0d",
		ObjectTypeName: "Group",
		Links: &SubjectLinks{Members: []SubjectLink{
			{ObjectID: "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", ObjectTypeName: "User"},
			{ObjectID: "2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809", ObjectTypeName: "User"},
		}},
	}},
}}}

const groupRequestJSON = `{"parameters":[{"ruleId":"03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2","subjects":[` +
	`{"objectId":"9c1b6a4e-8d2f-4b7a-a1c3-5e6f7a8b9c0d","objectTypeName":"Group","links":{"members":[` +
	`{"objectId":"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b","objectTypeName":"User"},` +
	`{"objectId":"2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809","objectTypeName":"User"}]}}]}]}`

// writeSuccess answers like Graph does for a user provisioned on demand (shape A).
func writeSuccess(w http.ResponseWriter) {
	value, _ := json.Marshal(map[string]any{
		"action":               "Create",
		"reportableIdentifier": "ada.park@example.com",
		"statusInfo":           map[string]any{"status": "success"},
	})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair",
		"key":            `{"result":"Success","details":{}}`,
		"value":          string(value),
	})
}

func writeGraphError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"innerError": map[string]string{"date": "2026-03-02T09:14:07", "request-id": "inner-req", "client-request-id": "inner-client"},
	}})
}

func TestProvisionOnDemandSendsTheDocumentedRequest(t *testing.T) {
	for _, version := range []string{"v1.0", "beta"} {
		t.Run(version, func(t *testing.T) {
			g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
			c, _ := newTestClient(t, g, func(cfg *Config) { cfg.APIVersion = version })
			job := "AD2AADProvisioning.6f1c0a7b2d3e4f5a/" + version

			res, err := c.ProvisionOnDemand(context.Background(), testSP, job, groupRequest)
			if err != nil {
				t.Fatal(err)
			}
			seen := g.seen()
			if len(seen) != 1 {
				t.Fatalf("got %d requests, want 1", len(seen))
			}
			r := seen[0]
			wantPath := "/" + version + "/servicePrincipals/" + testSP + "/synchronization/jobs/AD2AADProvisioning.6f1c0a7b2d3e4f5a%2F" + version + "/provisionOnDemand"
			if r.path != wantPath {
				t.Errorf("path %s, want %s", r.path, wantPath)
			}
			if r.body != groupRequestJSON {
				t.Errorf("body\n%s\nwant\n%s", r.body, groupRequestJSON)
			}
			if got := r.header.Get("Authorization"); got != "Bearer "+testToken {
				t.Errorf("Authorization %q", got)
			}
			if got := r.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
			if got := r.header.Get("User-Agent"); !strings.HasPrefix(got, "terraform-provider-entrasync/1.2.3 azsdk-go-") {
				t.Errorf("User-Agent %q", got)
			}
			if _, err := uuid.Parse(r.header.Get("client-request-id")); err != nil {
				t.Errorf("client-request-id %q: %v", r.header.Get("client-request-id"), err)
			}
			if res.Status != StatusSuccess || res.KeyResult != StatusSuccess || res.RequestID != "req-1" ||
				len(res.Entries) != 1 || res.Entries[0].ReportableIdentifier != "ada.park@example.com" {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestProvisionOnDemandRetries503ThenSucceeds(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 3 {
			w.Header().Set("Retry-After", "0.01")
			writeGraphError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "busy")
			return
		}
		writeSuccess(w)
	})
	c, rec := newTestClient(t, g, nil)
	for call := range 2 {
		res, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
		if err != nil {
			t.Fatal(err)
		}
		if call == 0 && res.RequestID != "req-4" {
			t.Errorf("request-id %q, want the successful answer's req-4", res.RequestID)
		}
	}
	seen := g.seen()
	if len(seen) != 5 {
		t.Fatalf("got %d requests, want 4 for the first call and 1 for the second", len(seen))
	}
	id := seen[0].header.Get("client-request-id")
	for _, r := range seen[1:4] {
		if r.header.Get("client-request-id") != id {
			t.Errorf("retries of one call carry different client-request-ids")
		}
	}
	if seen[4].header.Get("client-request-id") == id {
		t.Errorf("two calls share a client-request-id")
	}
	var attempts, retries int
	for _, l := range rec.all() {
		switch l.msg {
		case "Graph request":
			attempts++
		case "Graph call will be retried":
			retries++
			if l.fields["retry_after"] != "10ms" {
				t.Errorf("retry decision %v, want retry_after 10ms", l.fields)
			}
		}
	}
	if attempts != 5 || retries != 3 {
		t.Errorf("logged %d attempts and %d retry decisions, want 5 and 3", attempts, retries)
	}
}

func TestProvisionOnDemandRetriesAConnectionError(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		writeSuccess(w)
	})
	c, rec := newTestClient(t, g, nil)
	if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err != nil {
		t.Fatal(err)
	}
	if n := len(g.seen()); n != 2 {
		t.Fatalf("got %d requests, want 2", n)
	}
	var retries int
	for _, l := range rec.all() {
		if l.msg == "Graph call will be retried" {
			retries++
			if l.fields["retry_after"] != "exponential backoff" || l.fields["status"] != nil {
				t.Errorf("retry decision %v", l.fields)
			}
		}
	}
	if retries != 1 {
		t.Errorf("logged %d retry decisions, want 1", retries)
	}
}

func TestRetryAfterPausesEveryCallerOfTheJob(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0.2")
			writeGraphError(w, http.StatusTooManyRequests, "TooManyRequests", "slow down")
			return
		}
		writeSuccess(w)
	})
	c, rec := newTestClient(t, g, nil)
	paused := make(chan struct{})
	var once sync.Once
	rec.hook = func(msg string) {
		if msg == "Graph call will be retried" {
			once.Do(func() { close(paused) })
		}
	}

	errs := make(chan error, 2)
	go func() {
		_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
		errs <- err
	}()
	<-paused // the job is paused now: the second caller must wait too
	go func() {
		_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
		errs <- err
	}()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}

	seen := g.seen()
	if len(seen) != 3 {
		t.Fatalf("got %d requests, want 3", len(seen))
	}
	// the 429 arrived before the client read it, so the pause ends no earlier than this
	pauseEnd := seen[0].at.Add(200 * time.Millisecond)
	for i, r := range seen[1:] {
		if r.at.Before(pauseEnd) {
			t.Errorf("request %d arrived %v before the pause ended", i+2, pauseEnd.Sub(r.at))
		}
	}
}

func TestRetryAfterBeyondTheDeadlineIsThrottledError(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeGraphError(w, http.StatusTooManyRequests, "TooManyRequests", "slow down")
	})
	c, _ := newTestClient(t, g, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	for call := range 2 { // the second call finds the job paused and sends nothing
		_, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest)
		var te *ThrottledError
		if !errors.As(err, &te) {
			t.Fatalf("call %d: got %v, want *ThrottledError", call, err)
		}
		if ctx.Err() != nil {
			t.Fatalf("call %d returned only at the deadline", call)
		}
		if te.StatusCode != 429 || te.RequestID != "req-1" || te.JobID != testJob(t) || te.ServicePrincipalID != testSP ||
			te.RetryAfter <= 25*time.Second || te.RetryAfter > 30*time.Second {
			t.Errorf("call %d: %+v", call, te)
		}
		if !strings.Contains(err.Error(), "throttled, retry after ") {
			t.Errorf("call %d: message %q", call, err)
		}
	}
	if n := len(g.seen()); n != 1 {
		t.Fatalf("got %d requests, want 1", n)
	}
}

func TestMaxRetriesExhaustedIsError(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0.01")
		writeGraphError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "busy")
	})
	c, rec := newTestClient(t, g, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("got %v, want *Error", err)
	}
	if ge.StatusCode != 503 || ge.Code != "ServiceUnavailable" || ge.Attempts != 3 || ge.RequestID != "req-3" {
		t.Errorf("%+v", ge)
	}
	if want := "Graph returned 503 ServiceUnavailable: busy (request-id: req-3, after 3 attempts)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if n := len(g.seen()); n != 3 {
		t.Errorf("got %d requests, want 3", n)
	}
	if l := rec.all(); l[len(l)-1].msg != "Graph call failed, no retries left" {
		t.Errorf("last log line %q", l[len(l)-1].msg)
	}
}

func TestGraphErrorAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		write  func(http.ResponseWriter)
		want   Error
		wantIn string
	}{
		{
			name: "400 bad rule",
			write: func(w http.ResponseWriter) {
				writeGraphError(w, 400, "RequestParameterInvalid", "the job does not include the rule")
			},
			want: Error{StatusCode: 400, Code: "RequestParameterInvalid", Message: "the job does not include the rule", RequestID: "req-1"},
		},
		{
			name: "403 missing permission",
			write: func(w http.ResponseWriter) {
				writeGraphError(w, 403, "Authorization_RequestDenied", "Insufficient privileges")
			},
			want: Error{StatusCode: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges", RequestID: "req-1"},
		},
		{
			name: "404 without request-id header",
			write: func(w http.ResponseWriter) {
				w.Header().Del("request-id")
				writeGraphError(w, 404, "Request_ResourceNotFound", "Resource 'x' does not exist")
			},
			want:   Error{StatusCode: 404, Code: "Request_ResourceNotFound", Message: "Resource 'x' does not exist", RequestID: "inner-req"},
			wantIn: "Graph returned 404 Request_ResourceNotFound: Resource 'x' does not exist (request-id: inner-req, after 1 attempt)",
		},
		{
			name: "400 from a proxy, not JSON",
			write: func(w http.ResponseWriter) {
				w.WriteHeader(400)
				_, _ = io.WriteString(w, "<html>\n<body>Bad   Request</body></html>")
			},
			want: Error{StatusCode: 400, Message: "<html> <body>Bad Request</body></html>", RequestID: "req-1"},
		},
		{
			name:  "404 empty",
			write: func(w http.ResponseWriter) { w.WriteHeader(404) },
			want:  Error{StatusCode: 404, Message: "Not Found", RequestID: "req-1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { tc.write(w) })
			c, _ := newTestClient(t, g, nil)
			_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
			var ge *Error
			if !errors.As(err, &ge) {
				t.Fatalf("got %v, want *Error", err)
			}
			want := tc.want
			want.Attempts = 1
			want.ClientRequestID = g.seen()[0].header.Get("client-request-id")
			if *ge != want {
				t.Errorf("got  %+v\nwant %+v", *ge, want)
			}
			if tc.wantIn != "" && err.Error() != tc.wantIn {
				t.Errorf("message %q, want %q", err, tc.wantIn)
			}
		})
	}
}

func TestBodiesAreCapped(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			_, _ = w.Write([]byte(`{"key":"` + strings.Repeat("x", maxResultBytes) + `"}`))
			return
		}
		w.WriteHeader(400)
		_, _ = w.Write([]byte(strings.Repeat("é", maxErrorBytes)))
	})
	c, _ := newTestClient(t, g, nil)
	_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	if err == nil || !strings.Contains(err.Error(), "larger than 16777216 bytes") {
		t.Errorf("oversized answer: got %v", err)
	}
	_, err = c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	var ge *Error
	if !errors.As(err, &ge) || len(ge.Message) > maxSnippet+len("…") || !strings.HasPrefix(ge.Message, "éé") {
		t.Errorf("oversized error: got %v", err)
	}
}

func TestSlidingWindowServerSeesNo429(t *testing.T) {
	const limit, interval, callers = 5, time.Second, 12
	var mu sync.Mutex
	var arrivals []time.Time
	warm := make(chan struct{})
	var warming sync.WaitGroup
	warming.Add(callers)
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/warm" {
			warming.Done()
			<-warm
			return
		}
		now := time.Now()
		mu.Lock()
		arrivals = append(arrivals, now) // rejected requests count too, as Graph's do
		inWindow := 0
		for _, a := range arrivals {
			if now.Sub(a) < interval {
				inWindow++
			}
		}
		mu.Unlock()
		if inWindow > limit {
			w.Header().Set("Retry-After", "1")
			writeGraphError(w, http.StatusTooManyRequests, "TooManyRequests", "window exceeded")
			return
		}
		writeSuccess(w)
	})
	// one warm connection per caller, so TLS handshakes do not skew arrival times
	g.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = callers
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			if resp, err := g.Client().Get(g.URL + "/warm"); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	warming.Wait()
	close(warm)
	wg.Wait()

	c, _ := newTestClient(t, g, func(cfg *Config) {
		cfg.RateLimitRequests, cfg.RateLimitInterval, cfg.MaxRetries = limit, interval, 0
	})
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != callers {
		t.Errorf("server saw %d provision requests, want %d", len(arrivals), callers)
	}
}

func TestSlotWaitDoesNotCountAgainstTryTimeout(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	c, _ := newTestClient(t, g, func(cfg *Config) {
		cfg.RateLimitRequests, cfg.RateLimitInterval = 1, time.Second
		cfg.TryTimeout, cfg.MaxRetries = 300*time.Millisecond, 0
	})
	for range 2 { // the second waits about a second for its slot, longer than TryTimeout
		if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTryTimeoutEndsAHungAttempt(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			<-r.Context().Done() // hang until the client gives up on the attempt
			return
		}
		writeSuccess(w)
	})
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.TryTimeout = 100 * time.Millisecond })
	if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err != nil {
		t.Fatal(err)
	}
	if n := len(g.seen()); n != 2 {
		t.Fatalf("got %d requests, want 2", n)
	}
}

func TestOnlyProvisionCallsAreRateLimited(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeSuccess(w) })
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.RateLimitRequests, cfg.RateLimitInterval = 1, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, err := c.do(ctx, http.MethodGet, "/servicePrincipals/"+testSP+"/synchronization/jobs", nil, nil); err != nil {
			t.Fatalf("read: %v", err)
		}
	}
	var te *ThrottledError
	if _, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest); !errors.As(err, &te) || te.StatusCode != 0 {
		t.Fatalf("second provision call within the hour: got %v, want client-side *ThrottledError", err)
	}
	if n := len(g.seen()); n != 4 {
		t.Fatalf("got %d requests, want 4", n)
	}
}

func TestLogNeverSeesTheToken(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			writeGraphError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "busy")
			return
		}
		writeGraphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges")
	})
	c, rec := newTestClient(t, g, nil)
	if _, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest); err == nil {
		t.Fatal("want an error")
	}
	lines := rec.all()
	if len(lines) != 3 {
		t.Fatalf("got %d log lines, want 2 attempts and 1 retry decision", len(lines))
	}
	for _, l := range lines {
		text := fmt.Sprint(l.msg, l.fields)
		for _, secret := range []string{testToken, "Bearer", "Insufficient privileges", groupRequest.Parameters[0].RuleID} {
			if strings.Contains(text, secret) {
				t.Errorf("log line carries %q: %s", secret, text)
			}
		}
	}
	attempt := lines[2].fields
	for _, key := range []string{"method", "url", "status", "request_id", "client_request_id", "attempt", "duration_ms"} {
		if _, ok := attempt[key]; !ok {
			t.Errorf("attempt line lacks %s: %v", key, attempt)
		}
	}
	if attempt["attempt"] != 2 || attempt["status"] != 403 || attempt["request_id"] != "req-2" {
		t.Errorf("attempt line %v", attempt)
	}
}

func TestNewClientValidates(t *testing.T) {
	valid := Config{
		Endpoint: "https://graph.microsoft.com", APIVersion: "v1.0", Credential: staticCredential{},
		Scopes: []string{"https://graph.microsoft.com/.default"},
	}
	if _, err := NewClient(valid); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, loopback := range []string{"http://127.0.0.1:8080", "http://127.3.2.1", "http://[::1]:9", "http://localhost:1"} {
		cfg := valid
		cfg.Endpoint = loopback
		if _, err := NewClient(cfg); err != nil {
			t.Errorf("loopback endpoint %s: %v", loopback, err)
		}
	}
	for field, edit := range map[string]func(*Config){
		"Endpoint":          func(c *Config) { c.Endpoint = "http://graph.microsoft.com" },
		"Endpoint ":         func(c *Config) { c.Endpoint = "http://10.1.2.3" },
		"APIVersion":        func(c *Config) { c.APIVersion = "v2" },
		"Credential":        func(c *Config) { c.Credential = nil },
		"Scopes":            func(c *Config) { c.Scopes = []string{""} },
		"RateLimitRequests": func(c *Config) { c.RateLimitRequests = -1 },
		"RateLimitInterval": func(c *Config) { c.RateLimitRequests = 5 },
		"MaxRetries":        func(c *Config) { c.MaxRetries = -1 },
		"TryTimeout":        func(c *Config) { c.TryTimeout = -time.Second },
	} {
		cfg := valid
		edit(&cfg)
		if _, err := NewClient(cfg); err == nil || !strings.Contains(err.Error(), strings.TrimSpace(field)) {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 14, 7, 0, time.UTC)
	for value, want := range map[string]time.Duration{
		"120":                            120 * time.Second,
		"2.128":                          2128 * time.Millisecond,
		" 0.2 ":                          200 * time.Millisecond,
		"0":                              0,
		".5":                             500 * time.Millisecond,
		"1.0000000019":                   time.Second + time.Nanosecond,
		"Mon, 02 Mar 2026 09:14:37 GMT":  30 * time.Second, // RFC 1123
		"Monday, 02-Mar-26 09:14:17 GMT": 10 * time.Second, // RFC 850
		"Mon Mar  2 09:14:12 2026":       5 * time.Second,  // ANSI C
		"Mon, 02 Mar 2026 09:00:00 GMT":  0,                // in the past: no wait
	} {
		if got, ok := ParseRetryAfter(value, now); !ok || got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v", value, got, ok, want)
		}
	}
	for _, value := range []string{"", " ", "-1", "-0.5", "1e3", "+5", "5s", ".", "1.2.3", "0x10", "NaN", "99999999999999999999", "tomorrow"} {
		if got, ok := ParseRetryAfter(value, now); ok {
			t.Errorf("ParseRetryAfter(%q) = %v, want absent", value, got)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{"2.128", "120", "-1", "Mon, 02 Mar 2026 09:14:37 GMT", "9223372036.854775807"} {
		f.Add(seed)
	}
	now := time.Date(2026, 3, 2, 9, 14, 7, 0, time.UTC)
	f.Fuzz(func(t *testing.T, value string) {
		d, ok := ParseRetryAfter(value, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v", value, d, ok)
		}
	})
}
