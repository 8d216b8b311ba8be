package fakegraph

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// LoggedRequest is one API request the server received (control endpoints are not logged).
// The bearer token itself is never stored.
type LoggedRequest struct {
	Time               time.Time `json:"time"` // when it was received, on the server's clock
	Method             string    `json:"method"`
	Path               string    `json:"path"`
	APIVersion         string    `json:"apiVersion,omitempty"` // v1.0 or beta
	Operation          string    `json:"operation,omitempty"`  // one of the Operation constants; "" for unknown routes
	ServicePrincipalID string    `json:"servicePrincipalId,omitempty"`
	JobID              string    `json:"jobId,omitempty"`
	// Status is the HTTP status answered; 0 while it is being answered or when no answer was
	// sent (client gone, connection reset or dropped).
	Status           int       `json:"status"`
	RateLimited      bool      `json:"rateLimited"`
	Fault            FaultKind `json:"fault,omitempty"`
	RequestID        string    `json:"requestId"`
	ClientRequestID  string    `json:"clientRequestId"`
	HasAuthorization bool      `json:"hasAuthorization"`
	Body             string    `json:"body,omitempty"` // provisionOnDemand request body
	// Subjects are the provisionOnDemand call's subjects with their members, when the body
	// could be read (also for calls Graph refused, such as 6 members).
	Subjects []LoggedSubject `json:"subjects,omitempty"`
}

// LoggedSubject is one subject of a provisionOnDemand call.
type LoggedSubject struct {
	ObjectID       string   `json:"objectId"`
	ObjectTypeName string   `json:"objectTypeName"`
	Members        []string `json:"members,omitempty"` // links.members' object ids, in order
}

// ProvisionCallMembers lists, for each provisionOnDemand call to jobID ("" = any job) in
// arrival order, the member ids sent with its subjects (empty for a call without members).
func (s *Server) ProvisionCallMembers(jobID string) [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var calls [][]string
	for _, r := range s.log {
		if r.Operation != OperationProvisionOnDemand || (jobID != "" && r.JobID != jobID) {
			continue
		}
		members := []string{}
		for _, subject := range r.Subjects {
			members = append(members, subject.Members...)
		}
		calls = append(calls, members)
	}
	return calls
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []LoggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]LoggedRequest, len(s.log))
	for i, r := range s.log {
		out[i] = *r
	}
	return out
}

// CountStatus is the number of logged requests answered with the HTTP status code.
func (s *Server) CountStatus(code int) int {
	return s.count(func(r *LoggedRequest) bool { return r.Status == code })
}

// CountRateLimited is the number of requests rejected by the rate limit (injected 429 faults
// are not counted).
func (s *Server) CountRateLimited() int {
	return s.count(func(r *LoggedRequest) bool { return r.RateLimited })
}

// ProvisionCalls is the number of provisionOnDemand requests to jobID ("" = any job), whatever
// their answer.
func (s *Server) ProvisionCalls(jobID string) int {
	return s.count(func(r *LoggedRequest) bool {
		return r.Operation == OperationProvisionOnDemand && (jobID == "" || r.JobID == jobID)
	})
}

func (s *Server) count(match func(*LoggedRequest) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.log {
		if match(r) {
			n++
		}
	}
	return n
}

// WriteSummary writes a short human-readable digest of the request log.
func (s *Server) WriteSummary(w io.Writer) error {
	log := s.Requests()
	byStatus := map[int]int{}
	byJob := map[string]int{}
	limited := 0
	for _, r := range log {
		byStatus[r.Status]++
		if r.Operation == OperationProvisionOnDemand {
			byJob[r.JobID]++
		}
		if r.RateLimited {
			limited++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "fakegraph: %d requests, %d rate-limited\n", len(log), limited)
	statuses := make([]int, 0, len(byStatus))
	for status := range byStatus {
		statuses = append(statuses, status)
	}
	slices.Sort(statuses)
	for _, status := range statuses {
		label := fmt.Sprint(status)
		if status == 0 {
			label = "no answer"
		}
		fmt.Fprintf(&b, "  status %s: %d\n", label, byStatus[status])
	}
	jobs := make([]string, 0, len(byJob))
	for job := range byJob {
		jobs = append(jobs, job)
	}
	slices.Sort(jobs)
	for _, job := range jobs {
		fmt.Fprintf(&b, "  provisionOnDemand %s: %d\n", job, byJob[job])
	}
	_, err := io.WriteString(w, b.String())
	return err
}
