package fakegraph

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// Control endpoints for the job, credential and schema drift of tests and the demo, each the
// JSON form of an exported method (POST, 204 No Content):
//
//	POST /_fake/credentials        {"servicePrincipalId", "state": "valid|invalid|missing"}  SetCredentials
//	POST /_fake/quarantine         {"servicePrincipalId", "jobId", "reason"}                  ForceQuarantine
//	POST /_fake/pause              {"servicePrincipalId", "jobId"}                            PauseJob
//	POST /_fake/mapping            {"servicePrincipalId", "jobId", "sourceObjectName",
//	                                "targetObjectName", "targetAttributeName", "expression"}  SetAttributeMapping
//	POST /_fake/steady-state-delay {"delay": "1.5s"}                                          SetSteadyStateDelay
type jobControl struct {
	ServicePrincipalID  string `json:"servicePrincipalId"`
	JobID               string `json:"jobId"`
	State               string `json:"state"`
	Reason              string `json:"reason"`
	SourceObjectName    string `json:"sourceObjectName"`
	TargetObjectName    string `json:"targetObjectName"`
	TargetAttributeName string `json:"targetAttributeName"`
	Expression          string `json:"expression"`
	Delay               string `json:"delay"`
}

var jobControls = map[string]func(*Server, jobControl) error{
	"credentials": func(s *Server, c jobControl) error { return s.SetCredentials(c.ServicePrincipalID, c.State) },
	"quarantine":  func(s *Server, c jobControl) error { return s.ForceQuarantine(c.ServicePrincipalID, c.JobID, c.Reason) },
	"pause":       func(s *Server, c jobControl) error { return s.PauseJob(c.ServicePrincipalID, c.JobID) },
	"mapping": func(s *Server, c jobControl) error {
		return s.SetAttributeMapping(c.ServicePrincipalID, c.JobID, c.SourceObjectName, c.TargetObjectName, c.TargetAttributeName, c.Expression)
	},
	"steady-state-delay": func(s *Server, c jobControl) error {
		d, err := time.ParseDuration(c.Delay)
		if err == nil {
			s.SetSteadyStateDelay(d)
		}
		return err
	},
}

// serveJobControl answers the endpoints above; it reports false for other paths.
func (s *Server) serveJobControl(x *exchange) bool {
	control, ok := jobControls[x.r.URL.Path[len(controlPrefix):]]
	if !ok {
		return false
	}
	if x.r.Method != http.MethodPost {
		s.controlMethodNotAllowed(x, http.MethodPost)
		return true
	}
	body, err := io.ReadAll(io.LimitReader(x.r.Body, maxBodyBytes))
	var c jobControl
	if err == nil {
		err = json.Unmarshal(body, &c)
	}
	if err == nil {
		err = control(s, c)
	}
	if err != nil {
		s.writeError(x, http.StatusBadRequest, "BadRequest", err.Error())
		return true
	}
	x.writeHeader(http.StatusNoContent)
	return true
}
