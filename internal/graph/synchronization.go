package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SynchronizationJob is a provisioning job of a service principal (Graph synchronizationJob).
type SynchronizationJob struct {
	ID         string
	TemplateID string
	Schedule   SynchronizationSchedule
	Status     SynchronizationStatus
	Settings   map[string]string // synchronizationJobSettings, name -> value; nil when there are none
}

// SynchronizationSchedule says when the job's regular cycle runs.
type SynchronizationSchedule struct {
	Interval   string // ISO 8601 duration, e.g. PT40M
	State      string // Active, Disabled, Paused
	Expiration string
}

// SynchronizationStatus is the job's state and its last cycle.
type SynchronizationStatus struct {
	Code          string                        // NotConfigured, NotRun, Active, Paused, Quarantine
	LastExecution *SynchronizationTaskExecution // nil when the job never ran
	Quarantine    *SynchronizationQuarantine    // nil unless the job is in quarantine
	// SteadyStateLastAchievedTime is when a cycle last ended in steady state; Graph writes
	// 0001-01-01T00:00:00Z for never.
	SteadyStateLastAchievedTime string
}

// SynchronizationTaskExecution is one run of the job's cycle.
type SynchronizationTaskExecution struct {
	State        string // Succeeded, Failed, EntryLevelErrors
	TimeBegan    string
	TimeEnded    string
	ErrorCode    string
	ErrorMessage string
}

// SynchronizationQuarantine is why and since when Entra stopped running the job's cycle.
type SynchronizationQuarantine struct {
	Reason       string
	CurrentBegan string
	NextAttempt  string
	ErrorCode    string // the synchronizationError that caused it, "" when Graph gives none
	ErrorMessage string
}

// SynchronizationSchema is a job's schema: its directories and rules (schema.go has the rest).
type SynchronizationSchema struct {
	ID          string
	Version     string
	Directories []DirectoryDefinition
	Rules       []SynchronizationRule
	raw         json.RawMessage // the document as Graph sent it, for WithObjectMapping
}

// SynchronizationRule is one rule of a job's schema; its ID is the ruleId of provisionOnDemand.
type SynchronizationRule struct {
	ID                  string
	Name                string
	Priority            *int64 // nil when Graph sent none
	Editable            bool
	SourceDirectoryName string
	TargetDirectoryName string
	Metadata            map[string]string // key -> value, e.g. supportsProvisionOnDemand -> true
	ObjectMappings      []ObjectMapping
}

// SupportsProvisionOnDemand reports the rule's supportsProvisionOnDemand metadata.
func (r SynchronizationRule) SupportsProvisionOnDemand() bool {
	for k, v := range r.Metadata {
		if strings.EqualFold(k, "supportsProvisionOnDemand") {
			return strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	return false
}

// ObjectMapping maps one source object type (User, Group, user, Worker...) to a target one.
type ObjectMapping struct {
	Name              string
	Enabled           bool
	SourceObjectName  string
	TargetObjectName  string
	FlowTypes         string // as Graph sends it, e.g. "Add, Update, Delete"
	AttributeMappings []AttributeMapping
	Scope             *Filter // nil: no scoping filter
	raw               json.RawMessage
}

// ListSynchronizationJobs returns the service principal's jobs. Reads are retried like every
// call but never wait for the provisionOnDemand rate limit.
func (c *Client) ListSynchronizationJobs(ctx context.Context, servicePrincipalID string) ([]SynchronizationJob, error) {
	if servicePrincipalID == "" {
		return nil, errors.New("graph: listing synchronization jobs needs a service principal id")
	}
	payload, requestID, err := c.do(ctx, http.MethodGet, jobsPath(servicePrincipalID), nil, nil)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Value lenient[[]lenient[wireJob]] `json:"value"`
	}
	if err := json.Unmarshal(payload, &answer); err != nil {
		return nil, fmt.Errorf("graph: reading the synchronization jobs of service principal %s (request-id: %s): %w", servicePrincipalID, requestID, err)
	}
	jobs := make([]SynchronizationJob, 0, len(answer.Value.v))
	for _, j := range answer.Value.v {
		if j.ok {
			jobs = append(jobs, j.v.job())
		}
	}
	return jobs, nil
}

// GetSynchronizationJob returns one job of the service principal.
func (c *Client) GetSynchronizationJob(ctx context.Context, servicePrincipalID, jobID string) (*SynchronizationJob, error) {
	if servicePrincipalID == "" || jobID == "" {
		return nil, errors.New("graph: reading a synchronization job needs a service principal id and a job id")
	}
	payload, requestID, err := c.do(ctx, http.MethodGet, jobsPath(servicePrincipalID)+"/"+url.PathEscape(jobID), nil, nil)
	if err != nil {
		return nil, err
	}
	var w wireJob
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, fmt.Errorf("graph: reading synchronization job %s of service principal %s (request-id: %s): %w", jobID, servicePrincipalID, requestID, err)
	}
	job := w.job()
	return &job, nil
}

// GetSynchronizationSchema returns the schema of one job of the service principal.
func (c *Client) GetSynchronizationSchema(ctx context.Context, servicePrincipalID, jobID string) (*SynchronizationSchema, error) {
	if servicePrincipalID == "" || jobID == "" {
		return nil, errors.New("graph: reading a synchronization schema needs a service principal id and a job id")
	}
	payload, requestID, err := c.do(ctx, http.MethodGet, jobsPath(servicePrincipalID)+"/"+url.PathEscape(jobID)+"/schema", nil, nil)
	if err != nil {
		return nil, err
	}
	s, err := decodeSchema(payload)
	if err != nil {
		return nil, fmt.Errorf("graph: reading the schema of synchronization job %s of service principal %s (request-id: %s): %w", jobID, servicePrincipalID, requestID, err)
	}
	return s, nil
}

func jobsPath(servicePrincipalID string) string {
	return "/servicePrincipals/" + url.PathEscape(servicePrincipalID) + "/synchronization/jobs"
}

// The wire types read Graph's JSON leniently: a missing, null or mistyped field stays empty
// instead of failing the read.
type wireJob struct {
	ID         jsonText `json:"id"`
	TemplateID jsonText `json:"templateId"`
	Schedule   lenient[struct {
		Expiration jsonText `json:"expiration"`
		Interval   jsonText `json:"interval"`
		State      jsonText `json:"state"`
	}] `json:"schedule"`
	Status lenient[struct {
		Code          jsonText `json:"code"`
		LastExecution lenient[struct {
			State     jsonText `json:"state"`
			TimeBegan jsonText `json:"timeBegan"`
			TimeEnded jsonText `json:"timeEnded"`
			Error     lenient[struct {
				Code    jsonText `json:"code"`
				Message jsonText `json:"message"`
			}] `json:"error"`
		}] `json:"lastExecution"`
		Quarantine lenient[struct {
			Reason       jsonText `json:"reason"`
			CurrentBegan jsonText `json:"currentBegan"`
			NextAttempt  jsonText `json:"nextAttempt"`
			Error        lenient[struct {
				Code    jsonText `json:"code"`
				Message jsonText `json:"message"`
			}] `json:"error"`
		}] `json:"quarantine"`
		SteadyStateLastAchievedTime jsonText `json:"steadyStateLastAchievedTime"`
	}] `json:"status"`
	Settings lenient[[]lenient[wireKeyValue]] `json:"synchronizationJobSettings"`
}

type wireKeyValue struct {
	Name  jsonText `json:"name"`
	Key   jsonText `json:"key"`
	Value jsonText `json:"value"`
}

func (w wireJob) job() SynchronizationJob {
	s := w.Status.v
	j := SynchronizationJob{
		ID:         string(w.ID),
		TemplateID: string(w.TemplateID),
		Schedule: SynchronizationSchedule{
			Interval:   string(w.Schedule.v.Interval),
			State:      string(w.Schedule.v.State),
			Expiration: graphTime(string(w.Schedule.v.Expiration)),
		},
		Status:   SynchronizationStatus{Code: string(s.Code), SteadyStateLastAchievedTime: string(s.SteadyStateLastAchievedTime)},
		Settings: keyValues(w.Settings.v),
	}
	if e := s.LastExecution; e.ok && !NeverRan(string(e.v.TimeBegan)) {
		j.Status.LastExecution = &SynchronizationTaskExecution{
			State:        string(e.v.State),
			TimeBegan:    string(e.v.TimeBegan),
			TimeEnded:    graphTime(string(e.v.TimeEnded)),
			ErrorCode:    string(e.v.Error.v.Code),
			ErrorMessage: string(e.v.Error.v.Message),
		}
	}
	if q := s.Quarantine; q.ok {
		j.Status.Quarantine = &SynchronizationQuarantine{
			Reason:       string(q.v.Reason),
			CurrentBegan: graphTime(string(q.v.CurrentBegan)),
			NextAttempt:  graphTime(string(q.v.NextAttempt)),
			ErrorCode:    string(q.v.Error.v.Code),
			ErrorMessage: string(q.v.Error.v.Message),
		}
	}
	return j
}

// NeverRan tells a lastExecution.timeBegan (or any time of the job's status) that says "never".
// Graph documents two forms for a job that never ran: lastExecution null (the "Create
// synchronizationJob" example) and a lastExecution whose timeBegan is 0001-01-01T00:00:00Z,
// with a state such as Failed and error code None ("Configure cross-tenant synchronization
// using PowerShell or Microsoft Graph API"); steadyStateFirstAchievedTime says "never" the same
// way. Both forms are "never ran", whatever the state and error say.
func NeverRan(timeBegan string) bool {
	return graphTime(timeBegan) == ""
}

// graphTime is a time of Graph's status as sent, or "" for a missing or zero time (.NET's
// DateTime.MinValue, 0001-01-01T00:00:00Z, with or without fraction or zone).
func graphTime(s string) string {
	if t := strings.TrimSpace(s); t == "" || strings.HasPrefix(t, "0001-01-01") {
		return ""
	}
	return s
}

// keyValues turns Graph's [{name, value}] (settings) and [{key, value}] (metadata) lists into a
// map; entries without a name are dropped.
func keyValues(list []lenient[wireKeyValue]) map[string]string {
	var m map[string]string
	for _, kv := range list {
		n := string(kv.v.Name)
		if n == "" {
			n = string(kv.v.Key)
		}
		if kv.ok && n != "" {
			if m == nil {
				m = map[string]string{}
			}
			m[n] = string(kv.v.Value)
		}
	}
	return m
}

type wireSchema struct {
	ID          jsonText                          `json:"id"`
	Version     jsonText                          `json:"version"`
	Directories lenient[[]lenient[wireDirectory]] `json:"directories"`
	Rules       lenient[[]lenient[wireRule]]      `json:"synchronizationRules"`
}

type wireRule struct {
	ID                  jsonText                              `json:"id"`
	Name                jsonText                              `json:"name"`
	Priority            lenient[int64]                        `json:"priority"`
	Editable            lenient[bool]                         `json:"editable"`
	SourceDirectoryName jsonText                              `json:"sourceDirectoryName"`
	TargetDirectoryName jsonText                              `json:"targetDirectoryName"`
	Metadata            lenient[[]lenient[wireKeyValue]]      `json:"metadata"`
	ObjectMappings      lenient[[]lenient[wireObjectMapping]] `json:"objectMappings"`
}

type wireObjectMapping struct {
	Name              jsonText                   `json:"name"`
	Enabled           lenient[bool]              `json:"enabled"`
	SourceObjectName  jsonText                   `json:"sourceObjectName"`
	TargetObjectName  jsonText                   `json:"targetObjectName"`
	FlowTypes         jsonText                   `json:"flowTypes"`
	AttributeMappings lenient[[]json.RawMessage] `json:"attributeMappings"`
	Scope             json.RawMessage            `json:"scope"`
	raw               json.RawMessage
}

func (w *wireObjectMapping) UnmarshalJSON(b []byte) error {
	type plain wireObjectMapping
	if err := json.Unmarshal(b, (*plain)(w)); err != nil {
		return err
	}
	w.raw = bytes.Clone(b)
	return nil
}

func (w wireSchema) schema() *SynchronizationSchema {
	s := &SynchronizationSchema{ID: string(w.ID), Version: string(w.Version)}
	for _, r := range w.Rules.v {
		if !r.ok {
			continue
		}
		rule := SynchronizationRule{
			ID:                  string(r.v.ID),
			Name:                string(r.v.Name),
			Editable:            r.v.Editable.v,
			SourceDirectoryName: string(r.v.SourceDirectoryName),
			TargetDirectoryName: string(r.v.TargetDirectoryName),
			Metadata:            keyValues(r.v.Metadata.v),
		}
		if r.v.Priority.ok {
			p := r.v.Priority.v
			rule.Priority = &p
		}
		for _, m := range r.v.ObjectMappings.v {
			if !m.ok {
				continue
			}
			om := ObjectMapping{
				Name:             string(m.v.Name),
				Enabled:          m.v.Enabled.v,
				SourceObjectName: string(m.v.SourceObjectName),
				TargetObjectName: string(m.v.TargetObjectName),
				FlowTypes:        string(m.v.FlowTypes),
				Scope:            decodeFilter(m.v.Scope),
				raw:              m.v.raw,
			}
			for _, a := range m.v.AttributeMappings.v {
				om.AttributeMappings = append(om.AttributeMappings, decodeAttributeMapping(a))
			}
			rule.ObjectMappings = append(rule.ObjectMappings, om)
		}
		s.Rules = append(s.Rules, rule)
	}
	return s
}
