package fakegraph

import (
	"net/http"
	"slices"
	"time"
)

// controlPrefix is where the control endpoints live, for when the fake runs as a command:
//
//	POST /_fake/faults    inject a fault (faultRequest JSON)
//	GET  /_fake/requests  the request log as a JSON array of LoggedRequest
//	POST /_fake/reset     Reset
//	POST /_fake/assignments   AssignAt (assignmentRequest JSON)
//	POST /_fake/group-answers SetGroupAnswer (groupAnswerRequest JSON)
//
// and the job controls of controljobs.go. They need no token and are not logged.
const controlPrefix = "/_fake/"

const maxBodyBytes = 1 << 20

// faultRequest is the JSON form of Fault; delay is a Go duration string such as "1.5s".
type faultRequest struct {
	JobID        string    `json:"jobId"`
	Count        int       `json:"count"`
	Kind         FaultKind `json:"kind"`
	IncludeReads bool      `json:"includeReads"`
	StatusCode   int       `json:"statusCode"`
	Code         string    `json:"code"`
	Message      string    `json:"message"`
	RetryAfter   string    `json:"retryAfter"`
	Delay        string    `json:"delay"`
	Size         int64     `json:"size"`
	Depth        int       `json:"depth"`
	Body         string    `json:"body"`
}

func (s *Server) serveControl(x *exchange) {
	switch x.r.URL.Path {
	case controlPrefix + "faults":
		if x.r.Method != http.MethodPost {
			s.controlMethodNotAllowed(x, http.MethodPost)
			return
		}
		s.serveInjectFault(x)
	case controlPrefix + "requests":
		if x.r.Method != http.MethodGet {
			s.controlMethodNotAllowed(x, http.MethodGet)
			return
		}
		s.writeJSON(x, http.StatusOK, s.Requests())
	case controlPrefix + "reset":
		if x.r.Method != http.MethodPost {
			s.controlMethodNotAllowed(x, http.MethodPost)
			return
		}
		s.Reset()
		x.writeHeader(http.StatusNoContent)
	case controlPrefix + "assignments":
		s.serveAssign(x)
	case controlPrefix + "group-answers":
		s.serveGroupAnswer(x)
	default:
		if !s.serveJobControl(x) {
			s.writeError(x, http.StatusNotFound, "BadRequest", "Unknown control endpoint '"+x.r.URL.Path+"'.")
		}
	}
}

func (s *Server) controlMethodNotAllowed(x *exchange, allowed string) {
	x.w.Header().Set("Allow", allowed)
	s.writeError(x, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
}

func (s *Server) serveInjectFault(x *exchange) {
	var req faultRequest
	if !s.readControl(x, &req, "fault") {
		return
	}
	if !slices.Contains(faultKinds, req.Kind) {
		s.writeError(x, http.StatusBadRequest, "BadRequest", "Unknown fault kind '"+string(req.Kind)+"'.")
		return
	}
	var delay time.Duration
	var err error
	if req.Delay != "" {
		if delay, err = time.ParseDuration(req.Delay); err != nil {
			s.writeError(x, http.StatusBadRequest, "BadRequest", "Invalid fault delay: "+err.Error())
			return
		}
	}
	s.InjectFault(Fault{
		JobID: req.JobID, Count: req.Count, Kind: req.Kind, IncludeReads: req.IncludeReads,
		StatusCode: req.StatusCode, Code: req.Code, Message: req.Message, RetryAfter: req.RetryAfter,
		Delay: delay, Size: req.Size, Depth: req.Depth, Body: req.Body,
	})
	s.writeJSON(x, http.StatusCreated, req)
}
