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

func newTestClient(t *testing.T, g *fakeGraph, edit func(*Config)) (*Client, *eventRecorder) {
	t.Helper()
	rec := &eventRecorder{}
	cfg := Config{
		Endpoint:   g.URL + "/",
		APIVersion: "v1.0",
		Credential: staticCredential{},
		Scopes:     []string{"https://graph.microsoft.com/.default"},
		Version:    "1.2.3",
		MaxRetries: 3,
		OnEvent:    rec.record,
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

// successBody is Graph's answer for a user provisioned on demand (shape A).
func successBody() string {
	value, _ := json.Marshal(map[string]any{
		"action":               "Create",
		"reportableIdentifier": "ada.park@example.com",
		"statusInfo":           map[string]any{"status": "success"},
	})
	body, _ := json.Marshal(map[string]string{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair",
		"key":            `{"result":"Success","details":{}}`,
		"value":          string(value),
	})
	return string(body)
}

// writeSuccess answers like Graph does for a user provisioned on demand (shape A).
func writeSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, successBody())
}

// memoryTransport answers in memory: tests of timeouts and windows must not depend on how fast a
// busy machine sets up TLS connections and schedules a server. handle answers the n-th request
// (1-based), whose context carries the attempt's timeout and trace.
type memoryTransport struct {
	mu     sync.Mutex
	n      int
	handle func(n int, req *http.Request) (*http.Response, error)
}

func (m *memoryTransport) Do(req *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.n++
	n := m.n
	m.mu.Unlock()
	return m.handle(n, req)
}

func (m *memoryTransport) requests() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n
}

// memoryAnswer is an answer of memoryTransport with request-id req-n.
func memoryAnswer(req *http.Request, n, status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status,
		Header:     http.Header{"Content-Type": {"application/json"}, "Request-Id": {fmt.Sprintf("req-%d", n)}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    req,
	}
}

// newMemoryClient is a client whose requests m answers.
func newMemoryClient(t *testing.T, m *memoryTransport, edit func(*Config)) (*Client, *eventRecorder) {
	t.Helper()
	rec := &eventRecorder{}
	cfg := Config{
		Endpoint:   "https://graph.test",
		APIVersion: "v1.0",
		Credential: staticCredential{},
		Scopes:     []string{"https://graph.microsoft.com/.default"},
		MaxRetries: 3,
		OnEvent:    rec.record,
		Transport:  m,
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
