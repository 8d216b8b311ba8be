package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

type jobResourceModel struct {
	ID                 types.String  `tfsdk:"id"`
	ServicePrincipalID types.String  `tfsdk:"service_principal_id"`
	TemplateID         types.String  `tfsdk:"template_id"`
	Enabled            types.Bool    `tfsdk:"enabled"`
	Restart            *restartModel `tfsdk:"restart"`
	WaitForSteadyState types.String  `tfsdk:"wait_for_steady_state"`
	Schedule           types.Object  `tfsdk:"schedule"`
	Status             types.Object  `tfsdk:"status"`
}

type restartModel struct {
	Triggers   types.Map  `tfsdk:"triggers"`
	ResetScope types.List `tfsdk:"reset_scope"`
}

// resetScope is the configured reset_scope, nil when there is none.
func (r *restartModel) resetScope() []string {
	var scope []string
	for _, v := range r.ResetScope.Elements() {
		if s, ok := v.(types.String); ok {
			scope = append(scope, s.ValueString())
		}
	}
	return scope
}

var (
	jobScheduleAttrTypes = map[string]attr.Type{
		"interval": types.StringType, "state": types.StringType, "expiration": types.StringType,
	}
	jobStatusAttrTypes = map[string]attr.Type{
		"code": types.StringType, "last_execution_state": types.StringType, "last_execution_ended": types.StringType,
		"last_execution_error": types.StringType, "quarantine_reason": types.StringType, "quarantine_error": types.StringType,
		"steady_state_last_achieved": types.StringType,
	}
)

// jobRuns is what enabled reads as: the schedule is active and Entra has not stopped the job.
func jobRuns(job *graph.SynchronizationJob) bool {
	return job.Schedule.State == "Active" && job.Status.Code != "Quarantine" && job.Status.Quarantine == nil
}

// setJob puts Graph's schedule and status of the job into the model.
func (m *jobResourceModel) setJob(_ context.Context, job *graph.SynchronizationJob) diag.Diagnostics {
	var diags diag.Diagnostics
	schedule, d := types.ObjectValue(jobScheduleAttrTypes, map[string]attr.Value{
		"interval":   optionalString(job.Schedule.Interval),
		"state":      optionalString(job.Schedule.State),
		"expiration": optionalString(job.Schedule.Expiration),
	})
	diags.Append(d...)
	s := job.Status
	status := map[string]attr.Value{
		"code":                       optionalString(s.Code),
		"last_execution_state":       types.StringNull(),
		"last_execution_ended":       types.StringNull(),
		"last_execution_error":       types.StringNull(),
		"quarantine_reason":          types.StringNull(),
		"quarantine_error":           types.StringNull(),
		"steady_state_last_achieved": types.StringNull(),
	}
	if e := s.LastExecution; e != nil {
		status["last_execution_state"] = optionalString(e.State)
		status["last_execution_ended"] = optionalString(e.TimeEnded)
		status["last_execution_error"] = optionalString(codeAndMessage(e.ErrorCode, e.ErrorMessage))
	}
	if q := s.Quarantine; q != nil {
		status["quarantine_reason"] = optionalString(q.Reason)
		status["quarantine_error"] = optionalString(codeAndMessage(q.ErrorCode, q.ErrorMessage))
	}
	if steadyAt(s, time.Time{}) {
		status["steady_state_last_achieved"] = types.StringValue(s.SteadyStateLastAchievedTime)
	}
	statusValue, d := types.ObjectValue(jobStatusAttrTypes, status)
	diags.Append(d...)
	m.Schedule, m.Status = schedule, statusValue
	return diags
}

// codeAndMessage is "code: message", or whichever of the two Graph gave.
func codeAndMessage(code, message string) string {
	if code == "" || message == "" {
		return code + message
	}
	return code + ": " + message
}

// steadyAfterStart is the since of a wait after starting the job again: a job resumed from a
// pause keeps the steady state it had (any counts); one in quarantine or never steady owes a
// new cycle (zero: only a steady state after the start counts).
func (m *jobResourceModel) steadyAfterStart() time.Time {
	status := m.Status.Attributes()
	code, _ := status["code"].(types.String)
	steady, _ := status["steady_state_last_achieved"].(types.String)
	if code.ValueString() == "Quarantine" || steady.ValueString() == "" {
		return time.Time{}
	}
	return time.Unix(0, 0)
}
