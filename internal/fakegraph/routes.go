package fakegraph

import (
	"net/http"
	"strings"
)

// Operations of the job management, credentials, template and schema routes.
const (
	OperationCreateJob           = "createJob"
	OperationDeleteJob           = "deleteJob"
	OperationStartJob            = "startJob"
	OperationPauseJob            = "pauseJob"
	OperationRestartJob          = "restartJob"
	OperationValidateCredentials = "validateCredentials"
	OperationPutSchema           = "putSchema"
	OperationResetSchema         = "resetSchema"
	OperationParseExpression     = "parseExpression"
	OperationListTemplates       = "listTemplates"
	OperationGetTemplateSchema   = "getTemplateSchema"
	OperationPutSecrets          = "putSecrets"
)

// jobActions are the POST actions on /jobs/{jobId}/{action}, by lower-case segment.
var jobActions = map[string]string{
	"provisionondemand":   OperationProvisionOnDemand,
	"start":               OperationStartJob,
	"pause":               OperationPauseJob,
	"restart":             OperationRestartJob,
	"validatecredentials": OperationValidateCredentials,
}

// alternateMethods maps a GET route to the operation another method has on the same path.
var alternateMethods = map[string]map[string]string{
	OperationListJobs:  {http.MethodPost: OperationCreateJob},
	OperationGetJob:    {http.MethodDelete: OperationDeleteJob},
	OperationGetSchema: {http.MethodPut: OperationPutSchema, http.MethodDelete: OperationResetSchema},
}

// parseSynchronizationRoute matches what follows /servicePrincipals/{sp}/synchronization/:
// jobs[/{job}[/schema[/parseExpression]|/{action}]], templates[/{template}/schema], secrets.
func parseSynchronizationRoute(rt *route, segs []string) {
	action := func(i int) string { return strings.ToLower(strings.TrimPrefix(segs[i], "microsoft.graph.")) }
	if len(segs) >= 6 {
		rt.jobID = segs[5]
	}
	switch {
	case action(4) == "jobs" && len(segs) == 5:
		rt.operation, rt.method = OperationListJobs, http.MethodGet
	case action(4) == "jobs" && len(segs) == 6:
		rt.operation, rt.method = OperationGetJob, http.MethodGet
	case action(4) == "jobs" && len(segs) == 7 && action(6) == "schema":
		rt.operation, rt.method = OperationGetSchema, http.MethodGet
	case action(4) == "jobs" && len(segs) == 7 && jobActions[action(6)] != "":
		rt.operation, rt.method = jobActions[action(6)], http.MethodPost
	case action(4) == "jobs" && len(segs) == 8 && action(6) == "schema" && action(7) == "parseexpression":
		rt.operation, rt.method = OperationParseExpression, http.MethodPost
	case action(4) == "templates" && len(segs) == 5:
		rt.operation, rt.method = OperationListTemplates, http.MethodGet
	case action(4) == "templates" && len(segs) == 7 && action(6) == "schema":
		rt.operation, rt.method = OperationGetTemplateSchema, http.MethodGet
	case action(4) == "secrets" && len(segs) == 5:
		rt.operation, rt.method = OperationPutSecrets, http.MethodPut
	case action(4) != "jobs" && action(4) != "templates" && action(4) != "secrets":
		rt.badSegment = segs[4]
	default:
		rt.badSegment = segs[len(segs)-1]
	}
}

// forMethod picks the operation the request's method has on the route's path.
func (rt route) forMethod(method string) route {
	if op, ok := alternateMethods[rt.operation][method]; ok {
		rt.operation, rt.method = op, method
	}
	return rt
}

// namesJob reports whether the route addresses one job (and so needs it to exist).
func (rt route) namesJob() bool {
	switch rt.operation {
	case OperationListJobs, OperationCreateJob, OperationListTemplates, OperationGetTemplateSchema, OperationPutSecrets:
		return false
	}
	return true
}

// serveManagement answers the routes beyond the provisioning reads and provisionOnDemand.
func (s *Server) serveManagement(x *exchange, rt route, j *job, body []byte) {
	switch rt.operation {
	case OperationCreateJob:
		s.serveCreateJob(x, rt, body)
	case OperationDeleteJob:
		s.serveDeleteJob(x, j)
	case OperationStartJob, OperationPauseJob, OperationRestartJob:
		s.serveJobAction(x, rt, j, body)
	case OperationValidateCredentials:
		s.serveValidateCredentials(x, j, body)
	case OperationPutSchema:
		s.servePutSchema(x, j, body)
	case OperationResetSchema:
		s.serveResetSchema(x, j)
	case OperationParseExpression:
		s.serveParseExpression(x, rt, body)
	case OperationListTemplates:
		s.serveTemplates(x, rt)
	case OperationGetTemplateSchema:
		s.serveTemplateSchema(x, rt)
	case OperationPutSecrets:
		s.servePutSecrets(x, rt, body)
	}
}
