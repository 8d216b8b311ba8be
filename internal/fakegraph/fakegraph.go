// Package fakegraph is a fake Microsoft Graph service for provisionOnDemand and the synchronization
// API around it (templates, jobs, secrets, schema, group members), answering in the shapes of the
// Microsoft Graph reference pages cited beside each answer. It serves real HTTP, keeps state per job
// that changes over time, enforces a sliding-window rate limit, injects faults and records every
// request.
//
// It deliberately shares no types with the provider's Graph client: it speaks JSON on its own, so
// a serialisation bug in the client cannot hide behind a shared struct.
package fakegraph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// NoRateLimit as Options.RateLimitRequests disables the server's rate limit.
const NoRateLimit = -1

// Documented Graph limit for provisionOnDemand: 5 requests per 10 seconds.
const (
	DefaultRateLimitRequests = 5
	DefaultRateLimitInterval = 10 * time.Second
)

// Options configures a Server. The zero value behaves like Graph's documented limits.
type Options struct {
	// RateLimitRequests is the number of provisionOnDemand requests per job admitted in any
	// window of RateLimitInterval. 0 means DefaultRateLimitRequests; NoRateLimit disables it.
	RateLimitRequests int
	// RateLimitInterval is the sliding window length; 0 means DefaultRateLimitInterval.
	RateLimitInterval time.Duration
	// OmitRetryAfter sends 429 answers without a Retry-After header.
	OmitRetryAfter bool
	// Latency delays every API answer (not the control endpoints); the wait ends early when
	// the client goes away or the server closes.
	Latency time.Duration
	// AcceptToken decides whether a bearer token is valid; nil accepts any non-empty token.
	AcceptToken func(token string) bool
	// ForbiddenToken, when set, is a valid token that lacks the permission to provision:
	// provisionOnDemand answers it 403 Authorization_RequestDenied (reads still succeed).
	ForbiddenToken string
	// GroupMemberForbiddenToken, when set, is a valid token that lacks GroupMember.Read.All:
	// the group member reads answer it 403 Authorization_RequestDenied.
	GroupMemberForbiddenToken string
	// MembersPageSize is how many group members a page holds when the request has no $top;
	// 0 means DefaultMembersPageSize.
	MembersPageSize int
	// Now is the server's clock (rate limit, timestamps); nil means time.Now.
	Now func() time.Time
	// OnRequest, if set, is called for every API request once it is logged and before it is
	// answered, so tests can synchronise with requests that hang or are slow.
	OnRequest func(LoggedRequest)
	// SteadyStateDelay is how long a started job's first cycle takes on the Now clock;
	// 0 means DefaultSteadyStateDelay.
	SteadyStateDelay time.Duration
}

// Server is the fake Graph service. It is an http.Handler; Start serves it on 127.0.0.1.
type Server struct {
	opts     Options
	limit    int
	interval time.Duration

	closing   chan struct{}
	closeOnce sync.Once

	mu          sync.Mutex
	jobs        map[string]*job                 // jobKey -> job
	byPrincipal map[string][]*job               // lower-case service principal id -> its jobs
	provisioned map[string]map[string]*synced   // jobKey -> object lookup key -> state in the target
	windows     map[string][]time.Time          // jobKey -> start times inside the rate window
	assignments map[string]map[string]time.Time // jobKey -> object lookup key -> when its assignment takes effect
	answers     map[string]GroupAnswer          // lower-case group id -> how a call with members is answered
	faults      []*pendingFault
	log         []*LoggedRequest
	ts          *httptest.Server
	templates   map[string][]*template       // lower-case service principal id -> its templates
	secrets     map[string]map[string]string // lower-case service principal id -> saved secrets
	steadyDelay time.Duration
}

// New returns a Server seeded with the jobs, users and groups described by the exported ids.
func New(opts Options) *Server {
	s := &Server{
		opts:     opts,
		limit:    opts.RateLimitRequests,
		interval: opts.RateLimitInterval,
		closing:  make(chan struct{}),
	}
	if s.limit == 0 {
		s.limit = DefaultRateLimitRequests
	}
	if s.interval <= 0 {
		s.interval = DefaultRateLimitInterval
	}
	s.jobs = map[string]*job{}
	s.byPrincipal = map[string][]*job{}
	for _, j := range seedJobs(s.now()) {
		j.schema = schemaOf(j)
		seedRun(j)
		s.addJob(j)
	}
	s.seedTemplates(s.now())
	s.seedSecrets()
	s.steadyDelay = opts.SteadyStateDelay
	if s.steadyDelay <= 0 {
		s.steadyDelay = DefaultSteadyStateDelay
	}
	s.provisioned = map[string]map[string]*synced{}
	s.windows = map[string][]time.Time{}
	s.assignments = map[string]map[string]time.Time{}
	s.answers = defaultGroupAnswers()
	return s
}

// Start serves the fake on an httptest server bound to 127.0.0.1 and returns its base URL
// (append /v1.0 or /beta). Calling it again returns the same URL.
func (s *Server) Start() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ts == nil {
		s.ts = httptest.NewServer(s)
	}
	return s.ts.URL
}

// URL is the base URL returned by Start, or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// Close releases hanging and slow requests (their connections are dropped) and, if Start was
// called, shuts the httptest server down. A command serving the Server itself calls Close
// before shutting its http.Server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Lock()
	ts := s.ts
	s.mu.Unlock()
	if ts != nil {
		ts.Close()
	}
}

// Reset forgets what was provisioned, the rate-limit windows, pending faults and the request
// log. Users and groups added with AddUser and AddGroup, assignments made with AssignAt and group
// answers chosen with SetGroupAnswer stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.provisioned = map[string]map[string]*synced{}
	s.windows = map[string][]time.Time{}
	s.faults = nil
	s.log = nil
}

func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

func jobKey(servicePrincipalID, jobID string) string {
	return strings.ToLower(servicePrincipalID) + "/" + jobID
}

// exchange is one request being answered.
type exchange struct {
	w               http.ResponseWriter
	r               *http.Request
	requestID       string
	clientRequestID string
	entry           *LoggedRequest
	status          int
	windowKey       string // the job window this provisionOnDemand call was counted in
	judged          bool   // the call reached the rate check
}

func (x *exchange) writeHeader(status int) {
	x.status = status
	x.w.WriteHeader(status)
}

// ServeHTTP answers like Graph: every response has request-id, client-request-id and
// Content-Type: application/json, every error the Graph envelope.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := newExchange(w, r)
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.serveControl(x)
		return
	}

	rt := parseRoute(r.URL.Path).forMethod(r.Method)
	x.entry = &LoggedRequest{
		Method:             r.Method,
		Path:               r.URL.Path,
		APIVersion:         rt.version,
		Operation:          rt.operation,
		ServicePrincipalID: rt.servicePrincipalID,
		JobID:              rt.jobID,
		RequestID:          x.requestID,
		ClientRequestID:    x.clientRequestID,
		HasAuthorization:   r.Header.Get("Authorization") != "",
	}
	x.entry.Time = s.arrive(x, rt)
	defer s.forget(x)
	body := readBody(x, rt)
	s.mu.Lock()
	s.log = append(s.log, x.entry)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		x.entry.Status = x.status
		s.mu.Unlock()
	}()
	if s.opts.OnRequest != nil {
		s.opts.OnRequest(*x.entry)
	}

	if !s.wait(r.Context(), s.opts.Latency) {
		return
	}
	if !s.authenticate(x) {
		return
	}
	if rt.groupID != "" {
		s.serveGroupMembers(x, rt)
		return
	}
	j, ok := s.resolve(x, rt)
	if !ok {
		return
	}
	if rt.operation == OperationProvisionOnDemand && !s.admit(x) {
		return
	}
	if f, ok := s.takeFault(j, rt.operation); ok {
		s.mu.Lock()
		x.entry.Fault = f.Kind
		s.mu.Unlock()
		if s.serveFault(x, f) {
			return
		}
	}
	switch rt.operation {
	case OperationListJobs:
		s.serveListJobs(x, rt)
	case OperationGetJob:
		s.serveJob(x, rt, j)
	case OperationGetSchema:
		s.serveSchema(x, rt, j)
	case OperationProvisionOnDemand:
		s.serveProvision(x, rt, j, body)
	default:
		s.serveManagement(x, rt, j, body)
	}
}

// readBody reads a POST or PUT body; the log keeps only provisioning bodies, since others
// may carry secrets.
func readBody(x *exchange, rt route) []byte {
	if x.r.Method != http.MethodPost && x.r.Method != http.MethodPut {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(x.r.Body, maxBodyBytes+1))
	if rt.operation == OperationProvisionOnDemand {
		x.entry.Body = string(body)
	}
	return body
}

// newExchange starts an answer with the headers every Graph answer has.
func newExchange(w http.ResponseWriter, r *http.Request) *exchange {
	x := &exchange{w: w, r: r, requestID: uuid.NewString(), clientRequestID: r.Header.Get("client-request-id")}
	if x.clientRequestID == "" {
		x.clientRequestID = uuid.NewString()
	}
	h := w.Header()
	// Graph spells these headers in lower case on the wire.
	h["request-id"] = []string{x.requestID}
	h["client-request-id"] = []string{x.clientRequestID}
	h.Set("Content-Type", "application/json")
	return x
}

// wait pauses for d. It reports false when the client went away first; when the server closes
// first it aborts the connection without an answer.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		panic(http.ErrAbortHandler)
	}
}

const wwwAuthenticate = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`

func (s *Server) authenticate(x *exchange) bool {
	scheme, _, _ := strings.Cut(x.r.Header.Get("Authorization"), " ")
	token := bearerToken(x.r)
	message := ""
	switch {
	case !strings.EqualFold(scheme, "Bearer") || token == "":
		message = "Access token is empty."
	case s.opts.AcceptToken != nil && !s.opts.AcceptToken(token):
		message = "Access token validation failure. Invalid audience."
	default:
		return true
	}
	x.w.Header().Set("WWW-Authenticate", wwwAuthenticate)
	s.writeError(x, http.StatusUnauthorized, "InvalidAuthenticationToken", message)
	return false
}

func bearerToken(r *http.Request) string {
	_, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.TrimSpace(token)
}

// resolve answers 404/405 for unknown routes, service principals and jobs. For a route that
// names a job it returns that job.
func (s *Server) resolve(x *exchange, rt route) (*job, bool) {
	if rt.operation == "" {
		s.writeError(x, http.StatusNotFound, "BadRequest", "Resource not found for the segment '"+rt.badSegment+"'.")
		return nil, false
	}
	if x.r.Method != rt.method {
		x.w.Header().Set("Allow", rt.method)
		s.writeError(x, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
		return nil, false
	}
	s.mu.Lock()
	_, spKnown := s.byPrincipal[strings.ToLower(rt.servicePrincipalID)]
	j := s.jobs[jobKey(rt.servicePrincipalID, rt.jobID)]
	s.mu.Unlock()
	if !spKnown {
		s.writeError(x, http.StatusNotFound, "Request_ResourceNotFound",
			"Resource '"+rt.servicePrincipalID+"' does not exist or one of its queried reference-property objects are not present.")
		return nil, false
	}
	if !rt.namesJob() {
		return nil, true
	}
	if j == nil {
		s.writeError(x, http.StatusNotFound, "Request_ResourceNotFound",
			"The synchronization job '"+rt.jobID+"' does not exist for service principal '"+rt.servicePrincipalID+"'.")
		return nil, false
	}
	return j, true
}

// Operations recorded in LoggedRequest.Operation.
const (
	OperationListJobs          = "listJobs"
	OperationGetJob            = "getJob"
	OperationGetSchema         = "getSchema"
	OperationProvisionOnDemand = "provisionOnDemand"
)

type route struct {
	version            string
	operation          string // "" when the path matches no route
	method             string
	servicePrincipalID string
	jobID              string
	groupID            string // group member reads
	memberCast         string // "user" or "group" for /members/microsoft.graph.{type}
	badSegment         string
}

// parseRoute matches /{v1.0|beta}/servicePrincipals/{sp}/synchronization/jobs[/{job}[/schema|/provisionOnDemand]].
// Segment names are case-insensitive, as in Graph; ids are kept as sent.
func parseRoute(path string) route {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var rt route
	if segs[0] != "v1.0" && segs[0] != "beta" {
		rt.badSegment = segs[0]
		return rt
	}
	rt.version = segs[0]
	if len(segs) > 1 && strings.EqualFold(segs[1], "groups") {
		parseGroupRoute(segs, &rt)
		return rt
	}
	fixed := map[int]string{1: "servicePrincipals", 3: "synchronization"}
	for i := 1; i < len(segs) && i <= 3; i++ {
		if name, ok := fixed[i]; ok && !strings.EqualFold(segs[i], name) {
			rt.badSegment = segs[i]
			return rt
		}
	}
	if len(segs) >= 3 {
		rt.servicePrincipalID = segs[2]
	}
	if len(segs) < 5 {
		rt.badSegment = segs[len(segs)-1]
		return rt
	}
	parseSynchronizationRoute(&rt, segs)
	return rt
}

type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	InnerError innerError `json:"innerError"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

func (s *Server) writeError(x *exchange, status int, code, message string) {
	s.writeJSON(x, status, errorEnvelope{Error: errorBody{
		Code:    code,
		Message: message,
		InnerError: innerError{
			Date:            s.now().UTC().Format("2006-01-02T15:04:05"),
			RequestID:       x.requestID,
			ClientRequestID: x.clientRequestID,
		},
	}})
}

func (s *Server) writeJSON(x *exchange, status int, v any) {
	body := marshal(v)
	x.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	x.writeHeader(status)
	_, _ = x.w.Write(body)
}

// marshal encodes without HTML escaping, as Graph does.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(errors.Join(errors.New("fakegraph: encoding a response"), err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// odataBase is the service root the answers' @odata.context links point at.
func odataBase(r *http.Request, version string) string {
	return "http://" + r.Host + "/" + version + "/$metadata"
}
