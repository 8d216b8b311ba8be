package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/action"
	aschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var (
	_ action.ActionWithConfigure      = (*provisionOnDemandAction)(nil)
	_ action.ActionWithValidateConfig = (*provisionOnDemandAction)(nil)
	_ action.ActionWithModifyPlan     = (*provisionOnDemandAction)(nil)
)

func newProvisionOnDemandAction() action.Action { return &provisionOnDemandAction{} }

// provisionOnDemandAction provisions like the resource, on demand (terraform apply -invoke) or on
// another resource's lifecycle event (action_trigger), and leaves no state behind.
type provisionOnDemandAction struct {
	data *providerData
}

func (a *provisionOnDemandAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_provision_on_demand"
}

func (a *provisionOnDemandAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	// The input attributes are the resource's, converted, so both validate one definition.
	var rs resource.SchemaResponse
	(&provisionOnDemandResource{}).Schema(ctx, resource.SchemaRequest{}, &rs)
	resp.Schema = aschema.Schema{
		MarkdownDescription: "Provisions users or groups on demand through a service principal's synchronization job " +
			"(Graph `provisionOnDemand`) when invoked, with `terraform apply -invoke` or an `action_trigger`, and leaves no state. " +
			"Progress is reported per subject and step; the outcome policy is the resource's: a `Failure` fails the run, a skip " +
			"for any reason but being already in sync warns (or fails with `fail_on_skip`).",
		Attributes: map[string]aschema.Attribute{
			"service_principal_id": aschema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Object ID of the service principal (enterprise application) that owns the job: a GUID, or `/servicePrincipals/{GUID}`.",
				Validators:          []validator.String{stringCheck("a GUID or /servicePrincipals/{GUID}", checkServicePrincipalID)},
			},
			"synchronization_job_id": aschema.StringAttribute{
				Required: true,
				MarkdownDescription: "ID of the synchronization job, such as `scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c` (not a GUID), or " +
					"`/servicePrincipals/{GUID}/synchronization/jobs/{jobId}`.",
				Validators: []validator.String{stringCheck("a job ID or its path form", checkSynchronizationJobID)},
			},
			"parameters": actionAttribute(rs.Schema.Attributes["parameters"], "What to provision: one entry per synchronization rule."),
			"fail_on_skip": aschema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When `true`, a subject that Graph skips for any reason other than being already in sync " +
					"fails the invocation instead of giving a warning. Default `false`.",
			},
			"timeouts": timeouts.AttributesWithOpts(ctx, timeouts.Opts{InvokeDescription: "How long the invocation may take, " +
				"waiting for the rate limit included (default `15m`)."}),
		},
	}
}

// actionAttribute converts a resource input attribute (and its nested attributes) into the action
// schema's type, keeping requiredness, descriptions and validators; description overrides the top one.
func actionAttribute(a rschema.Attribute, description string) aschema.Attribute {
	if description == "" {
		description = a.GetMarkdownDescription()
	}
	switch a := a.(type) {
	case rschema.StringAttribute:
		return aschema.StringAttribute{Required: a.Required, Optional: a.Optional, MarkdownDescription: description, Validators: a.Validators}
	case rschema.ListNestedAttribute:
		return aschema.ListNestedAttribute{
			Required: a.Required, Optional: a.Optional, MarkdownDescription: description, Validators: a.Validators,
			NestedObject: aschema.NestedAttributeObject{Attributes: actionAttributes(a.NestedObject.Attributes)},
		}
	case rschema.SingleNestedAttribute:
		return aschema.SingleNestedAttribute{
			Required: a.Required, Optional: a.Optional, MarkdownDescription: description, Validators: a.Validators,
			Attributes: actionAttributes(a.Attributes),
		}
	}
	panic(fmt.Sprintf("actionAttribute: no conversion for %T", a))
}

func actionAttributes(attrs map[string]rschema.Attribute) map[string]aschema.Attribute {
	out := make(map[string]aschema.Attribute, len(attrs))
	for name, a := range attrs {
		out[name] = actionAttribute(a, "")
	}
	return out
}

func (a *provisionOnDemandAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", "This is a bug in the provider; please report it.")
		return
	}
	a.data = data
}

func (a *provisionOnDemandAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m provisionActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateProvisionConfig(ctx, m.provisionModel())...)
}

// ModifyPlan checks rule ids against the job's schema, as the resource does before it provisions.
func (a *provisionOnDemandAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if req.Config.Raw.IsNull() || a.data == nil || a.data.client == nil {
		return
	}
	var m provisionActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(checkRuleIDs(ctx, a.data, m.provisionModel())...)
}

func (a *provisionOnDemandAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m provisionActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Invoke(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	progress := func(msg string) { resp.SendProgress(action.InvokeProgressEvent{Message: msg}) }
	result, diags := a.data.provision(ctx, m.provisionModel(), progress)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	reportResult(result, progress)
	resp.Diagnostics.Append(outcomeDiagnosticsAfter(ctx, result, m.FailOnSkip.ValueBool(), actionAfterFailure)...)
}

// reportResult sends one message per subject and per step of the decoded answer.
func reportResult(r *graph.ProvisionResult, progress func(string)) {
	if len(r.Entries) == 0 {
		progress(fmt.Sprintf("Graph answered %s%s", statusOrUnknown(r.KeyResult), codeSuffix(r.KeyErrorCode)))
		return
	}
	for _, e := range r.Entries {
		subject := entrySubject(e)
		for _, s := range e.Steps {
			line := fmt.Sprintf("%s: step %s (%s): %s", subject, s.Name, s.Type, statusOrUnknown(s.Status))
			if s.Description != "" {
				line += ": " + strings.TrimRight(s.Description, ". ")
			}
			progress(line)
		}
		progress(fmt.Sprintf("%s: %s (%s)%s", subject, statusOrUnknown(e.Status), e.Action, codeSuffix(e.ErrorCode)))
	}
}

func statusOrUnknown(s string) string {
	if s == "" {
		return "no status"
	}
	return s
}

func codeSuffix(code string) string {
	if code == "" {
		return ""
	}
	return ", " + code
}

// provisionActionModel maps the action's configuration.
type provisionActionModel struct {
	ServicePrincipalID   types.String   `tfsdk:"service_principal_id"`
	SynchronizationJobID types.String   `tfsdk:"synchronization_job_id"`
	Parameters           types.List     `tfsdk:"parameters"`
	FailOnSkip           types.Bool     `tfsdk:"fail_on_skip"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

// provisionModel is the resource model with the action's inputs, for the shared validation and call.
func (m provisionActionModel) provisionModel() provisionOnDemandModel {
	return provisionOnDemandModel{
		ServicePrincipalID:   m.ServicePrincipalID,
		SynchronizationJobID: m.SynchronizationJobID,
		Parameters:           m.Parameters,
		FailOnSkip:           m.FailOnSkip,
	}
}

type progressKey struct{}

// withProgress lets the Graph client's log lines about waiting reach the caller's progress messages.
func withProgress(ctx context.Context, progress func(string)) context.Context {
	return context.WithValue(ctx, progressKey{}, progress)
}

// reportWaiting turns the client's log lines on rate-limit waits and retries into progress messages
// for the call whose context asked for them.
func reportWaiting(ctx context.Context, msg string, fields map[string]any) {
	progress, _ := ctx.Value(progressKey{}).(func(string))
	if progress == nil {
		return
	}
	switch msg {
	case "Graph request":
		if ms, ok := fields["waited_ms"].(int64); ok && ms > 0 {
			progress(fmt.Sprintf("Waited %s for the job's rate limit", time.Duration(ms)*time.Millisecond))
		}
	case "Graph call will be retried":
		what := "Graph could not be reached"
		if status, ok := fields["status"]; ok {
			what = fmt.Sprintf("Graph answered HTTP %v", status)
		}
		progress(fmt.Sprintf("%s: retrying after %v...", what, fields["retry_after"]))
	}
}
