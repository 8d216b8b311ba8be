package fakegraph

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Job management as the v1.0 pages "Create synchronizationJob", "Delete synchronizationJob",
// "synchronizationJob: start", "synchronizationJob: pause" and "synchronizationJob: restart"
// describe it (learn.microsoft.com/graph/api/synchronization-synchronization-post-jobs and
// synchronization-synchronizationjob-*): create answers 201 with a disabled job; the others
// answer 204 No Content.
//
// Status moves with the server's clock (Options.Now). A started job runs a first cycle that
// ends SteadyStateDelay later: then lastExecution and lastSuccessfulExecution describe it and
// steadyStateLastAchievedTime is its end. A job whose credentials are missing or rejected goes
// into quarantine at the first read after its cycle starts, with reason
// EncounteredQuarantineException and the credential error ("synchronizationQuarantine
// resource type").

// DefaultSteadyStateDelay is how long a started job's first cycle takes.
const DefaultSteadyStateDelay = 2 * time.Second

// neverInterval is the schedule interval of a job that was never started, from the "Create
// synchronizationJob" example (TimeSpan.MaxValue).
const neverInterval = "P10675199DT2H48M5.4775807S"

// zeroTime is how Graph writes "never" in steadyState*AchievedTime.
const zeroTime = "0001-01-01T00:00:00Z"

// QuarantineReasons are the reasons of the "synchronizationQuarantine resource type" page.
var QuarantineReasons = []string{
	"EncounteredBaseEscrowThreshold", "EncounteredTotalEscrowThreshold", "EncounteredEscrowProportionThreshold",
	"EncounteredQuarantineException", "Unknown", "QuarantinedOnDemand", "TooManyDeletes", "IngestionInterrupted",
}

// RestartScopes are the flags of synchronizationJobRestartScope ("synchronizationJobRestartCriteria
// resource type"), written comma-separated in criteria.resetScope.
var RestartScopes = []string{"None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"}

// jobRun is the part of a job's status that changes over time.
type jobRun struct {
	interval       string    // schedule interval once started
	cycleBegan     time.Time // zero: no cycle running
	needsCycle     bool      // no cycle completed since create or the last full restart
	lastSuccessful map[string]any
	steadyFirst    time.Time
	steadyLast     time.Time
	failures       int
	quarantine     *quarantine
	schemaVersion  int
}

type quarantine struct {
	reason      string
	code        string // "" when the quarantine carries no error
	message     string
	began       time.Time
	seriesBegan time.Time
	seriesCount int
	retryAfter  time.Duration
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return zeroTime
	}
	return t.UTC().Format(time.RFC3339)
}

func (j *job) statusJSON() map[string]any {
	var lastExecution, lastSuccessful, q any
	if j.lastExecution != nil {
		lastExecution = j.lastExecution
	}
	if j.run.lastSuccessful != nil {
		lastSuccessful = j.run.lastSuccessful
	}
	if j.run.quarantine != nil {
		q = j.run.quarantine.json()
	}
	return map[string]any{
		"code":                               j.statusCode,
		"countSuccessiveCompleteFailures":    j.run.failures,
		"escrowsPruned":                      false,
		"lastExecution":                      lastExecution,
		"lastSuccessfulExecution":            lastSuccessful,
		"lastSuccessfulExecutionWithExports": nil,
		"progress":                           []any{},
		"quarantine":                         q,
		"steadyStateFirstAchievedTime":       timestamp(j.run.steadyFirst),
		"steadyStateLastAchievedTime":        timestamp(j.run.steadyLast),
		"synchronizedEntryCountByType":       []any{},
		"troubleshootingUrl":                 nil,
	}
}

func (q *quarantine) json() map[string]any {
	var e any
	if q.code != "" {
		e = synchronizationError(q.code, q.message)
	}
	return map[string]any{
		"currentBegan": timestamp(q.began),
		"nextAttempt":  timestamp(q.began.Add(q.retryAfter)),
		"reason":       q.reason,
		"seriesBegan":  timestamp(q.seriesBegan),
		"seriesCount":  q.seriesCount,
		"error":        e,
	}
}

// synchronizationError is the "synchronizationError resource type".
func synchronizationError(code, message string) map[string]any {
	return map[string]any{"code": code, "message": message, "tenantActionable": true}
}

// execution is a synchronizationTaskExecution ("synchronizationTaskExecution resource type").
func execution(began, ended time.Time, state string, err map[string]any) map[string]any {
	e := lastExecution(began)
	e["activityIdentifier"] = uuid.NewSHA1(uuid.NameSpaceOID, []byte(began.String())).String()
	e["timeEnded"] = timestamp(ended)
	e["state"] = state
	if err != nil {
		e["error"] = err
		e["countExported"], e["countImported"], e["countEntitled"] = 0, 0, 0
	}
	return e
}

// advance brings a job's status to the server's now: it ends a cycle that is due, or puts
// the job into quarantine when its credentials do not work. Callers hold s.mu.
func (s *Server) advance(j *job) {
	if j.scheduleState != "Active" || j.run.cycleBegan.IsZero() || j.run.quarantine != nil {
		return
	}
	now := s.now()
	if code, message := s.credentialProblem(j); code != "" {
		j.lastExecution = execution(j.run.cycleBegan, now, "Failed", synchronizationError(code, message))
		j.run.failures++
		j.quarantineFor("EncounteredQuarantineException", code, message, now)
		return
	}
	ended := j.run.cycleBegan.Add(s.steadyDelay)
	if now.Before(ended) {
		return
	}
	j.lastExecution = execution(j.run.cycleBegan, ended, "Succeeded", nil)
	j.run.lastSuccessful = j.lastExecution
	j.run.failures = 0
	if j.run.steadyFirst.IsZero() {
		j.run.steadyFirst = ended
	}
	j.run.steadyLast = ended
	j.run.cycleBegan = time.Time{}
	j.run.needsCycle = false
}

func (j *job) quarantineFor(reason, code, message string, now time.Time) {
	q := &quarantine{reason: reason, code: code, message: message, began: now, seriesBegan: now, seriesCount: 1, retryAfter: 24 * time.Hour}
	if j.run.quarantine != nil {
		q.seriesBegan, q.seriesCount = j.run.quarantine.seriesBegan, j.run.quarantine.seriesCount+1
	}
	j.run.quarantine = q
	j.run.cycleBegan = time.Time{}
	j.statusCode = "Quarantine"
}

// activate starts the schedule and, when the job owes a cycle, begins one now.
func (s *Server) activate(j *job) {
	j.scheduleState = "Active"
	j.scheduleInterval = j.run.interval
	if j.run.quarantine == nil {
		j.statusCode = "Active"
	}
	if j.run.needsCycle && j.run.quarantine == nil {
		j.run.cycleBegan = s.now()
	}
}

func (j *job) liftQuarantine() {
	j.run.quarantine = nil
	if j.statusCode == "Quarantine" {
		j.statusCode = "Active"
	}
	j.run.needsCycle = true
}

func (j *job) pause() {
	j.scheduleState = "Paused"
	j.statusCode = "Paused"
	j.run.cycleBegan = time.Time{}
}

func (s *Server) serveCreateJob(x *exchange, rt route, body []byte) {
	fields, apiErr := decodeObject(body, "synchronizationJob", "templateId", "id", "schedule", "status", "synchronizationJobSettings")
	var templateID string
	if apiErr == nil {
		templateID, apiErr = decodeString(fields, "templateId")
	}
	if apiErr != nil {
		s.writeError(x, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	s.mu.Lock()
	t := s.template(rt.servicePrincipalID, templateID)
	var j *job
	var answer map[string]any
	if t != nil {
		j = s.newJob(rt.servicePrincipalID, t)
		answer = j.jobJSON()
	}
	s.mu.Unlock()
	if t == nil {
		s.writeError(x, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("The template '%s' does not exist for service principal '%s'. List the service principal's synchronization templates for the ids it offers.", templateID, rt.servicePrincipalID))
		return
	}
	answer["@odata.context"] = odataBase(x.r, rt.version) + "#servicePrincipals('" + rt.servicePrincipalID + "')/synchronization/jobs/$entity"
	x.w.Header().Set("Location", "https://"+x.r.Host+x.r.URL.Path+"/"+j.id)
	s.writeJSON(x, http.StatusCreated, answer)
}

// newJob creates a disabled, never-run job from a template. Callers hold s.mu.
func (s *Server) newJob(servicePrincipalID string, t *template) *job {
	id := t.id + "." + strings.ReplaceAll(uuid.NewString(), "-", "")
	j := t.build(servicePrincipalID, id, s.now())
	j.schema = t.schema.clone()
	j.schema.ID = id
	j.rule = j.schema.rule()
	j.run = jobRun{interval: j.scheduleInterval, needsCycle: true}
	j.scheduleInterval, j.scheduleState, j.statusCode = neverInterval, "Disabled", "NotConfigured"
	j.lastExecution = nil
	j.credentialsMissing = len(s.secrets[strings.ToLower(servicePrincipalID)]) == 0
	s.addJob(j)
	return j
}

func (s *Server) addJob(j *job) {
	s.jobs[jobKey(j.servicePrincipalID, j.id)] = j
	sp := strings.ToLower(j.servicePrincipalID)
	s.byPrincipal[sp] = append(s.byPrincipal[sp], j)
}

func (s *Server) serveDeleteJob(x *exchange, j *job) {
	s.mu.Lock()
	key := jobKey(j.servicePrincipalID, j.id)
	delete(s.jobs, key)
	delete(s.provisioned, key)
	sp := strings.ToLower(j.servicePrincipalID)
	s.byPrincipal[sp] = slices.DeleteFunc(slices.Clone(s.byPrincipal[sp]), func(other *job) bool { return other == j })
	s.mu.Unlock()
	x.writeHeader(http.StatusNoContent)
}

// serveJobAction answers start, pause and restart. Start lifts a quarantine ("If the job is
// in quarantine, the quarantine status is cleared") and resumes a paused job.
func (s *Server) serveJobAction(x *exchange, rt route, j *job, body []byte) {
	var scope []string
	if rt.operation == OperationRestartJob {
		var apiErr *apiError
		if scope, apiErr = decodeRestart(body); apiErr != nil {
			s.writeError(x, apiErr.status, apiErr.code, apiErr.message)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(j)
	switch rt.operation {
	case OperationStartJob:
		if j.run.quarantine != nil {
			j.liftQuarantine()
		}
		s.activate(j)
	case OperationPauseJob:
		j.pause()
	case OperationRestartJob:
		s.restart(j, scope)
	}
	x.writeHeader(http.StatusNoContent)
}

// restart applies criteria.resetScope. An empty scope is the portal's "Restart provisioning":
// like QuarantineState, Watermark and Escrows together.
func (s *Server) restart(j *job, scope []string) {
	has := func(flag string) bool {
		return len(scope) == 0 || slices.Contains(scope, flag) || slices.Contains(scope, "Full")
	}
	if has("QuarantineState") && j.run.quarantine != nil {
		j.liftQuarantine()
	}
	if has("Watermark") {
		j.run.needsCycle = true
	}
	s.activate(j)
}

// decodeRestart reads {"criteria": {"resetScope": "Watermark, QuarantineState"}}; the body
// and criteria are optional.
func decodeRestart(body []byte) ([]string, *apiError) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, nil
	}
	top, err := decodeObject(body, "", "criteria")
	if err != nil {
		return nil, err
	}
	raw, ok := top["criteria"]
	if !ok || isNull(raw) {
		return nil, nil
	}
	criteria, err := decodeObject(raw, "synchronizationJobRestartCriteria", "resetScope")
	if err != nil {
		return nil, err
	}
	value, err := decodeString(criteria, "resetScope")
	if err != nil {
		return nil, err
	}
	var scope []string
	for _, flag := range strings.Split(value, ",") {
		flag = strings.TrimSpace(flag)
		if flag == "" {
			continue
		}
		if !slices.Contains(RestartScopes, flag) {
			return nil, badRequest("BadRequest", "The value '%s' is not valid for enum type 'microsoft.graph.synchronizationJobRestartScope'; allowed: %s.",
				flag, strings.Join(RestartScopes, ", "))
		}
		scope = append(scope, flag)
	}
	return scope, nil
}

// lookupJob finds a job for the Go-side controls.
func (s *Server) lookupJob(servicePrincipalID, jobID string) (*job, error) {
	j := s.jobs[jobKey(servicePrincipalID, jobID)]
	if j == nil {
		return nil, fmt.Errorf("fakegraph: no job %q on service principal %q", jobID, servicePrincipalID)
	}
	return j, nil
}

// PauseJob pauses a job as someone in the portal would (drift for tests).
func (s *Server) PauseJob(servicePrincipalID, jobID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := s.lookupJob(servicePrincipalID, jobID)
	if err == nil {
		s.advance(j)
		j.pause()
	}
	return err
}

// ForceQuarantine puts a job into quarantine now with one of QuarantineReasons, as the
// service does when a target keeps failing. Start, or a restart with QuarantineState, lifts it.
func (s *Server) ForceQuarantine(servicePrincipalID, jobID, reason string) error {
	if !slices.Contains(QuarantineReasons, reason) {
		return fmt.Errorf("fakegraph: quarantine reason %q is not one of %s", reason, strings.Join(QuarantineReasons, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := s.lookupJob(servicePrincipalID, jobID)
	if err == nil {
		s.advance(j)
		j.quarantineFor(reason, "", "", s.now())
		j.run.needsCycle = true
	}
	return err
}

// SetSteadyStateDelay sets how long a first cycle takes from now on.
func (s *Server) SetSteadyStateDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steadyDelay = d
}

// JobStatusCode is a job's status.code as a read would answer it now, or "" for no such job.
func (s *Server) JobStatusCode(servicePrincipalID, jobID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := s.lookupJob(servicePrincipalID, jobID)
	if err != nil {
		return ""
	}
	s.advance(j)
	return j.statusCode
}

// seedRun gives a seeded job that already ran a steady status.
func seedRun(j *job) {
	j.run = jobRun{interval: j.scheduleInterval}
	if j.lastExecution == nil {
		j.run.needsCycle = true
		return
	}
	j.run.lastSuccessful = j.lastExecution
	ended, _ := time.Parse(time.RFC3339, j.lastExecution["timeEnded"].(string))
	j.run.steadyFirst, j.run.steadyLast = ended, ended
}
