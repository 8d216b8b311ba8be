package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/action/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/action"
	aschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
	batch := batchInputAttributes()
	resp.Schema = aschema.Schema{
		MarkdownDescription: "Provisions users or groups on demand through a service principal's synchronization job " +
			"(Graph `provisionOnDemand`) when invoked, with `terraform apply -invoke` or an `action_trigger`, and leaves no state. " +
			"Progress is reported per subject and step; the outcome policy is the resource's: a `Failure` fails the run, a skip " +
			"for any reason but being already in sync warns (or fails with `fail_on_skip`).",
		Attributes: map[string]aschema.Attribute{
			"service_principal_id":   actionAttribute(rs.Schema.Attributes["service_principal_id"], servicePrincipalIDDescription("that owns the job")),
			"synchronization_job_id": actionAttribute(rs.Schema.Attributes["synchronization_job_id"], synchronizationJobIDDescription+"."),
			"parameters":             actionAttribute(rs.Schema.Attributes["parameters"], "What to provision: one entry per synchronization rule."),
			"members_per_call": actionAttribute(batch["members_per_call"], membersPerCallDescription+
				" Defaults to the provider's `members_per_call` (default `5`)."),
			"stop_on_failure": actionAttribute(batch["stop_on_failure"], "When `true`, a batch with a `Failure` stops the "+
				"invocation: the later batches are not sent. Default `false`."),
			"fail_on_skip": aschema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When `true`, a subject that Graph skips for any reason other than being already in sync " +
					"fails the invocation instead of giving a warning. Default `false`.",
			},
			"retry_skipped_for": actionAttribute(rs.Schema.Attributes["retry_skipped_for"], ""),
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
	case rschema.BoolAttribute:
		return aschema.BoolAttribute{Required: a.Required, Optional: a.Optional, MarkdownDescription: description, Validators: a.Validators}
	case rschema.Int64Attribute:
		return aschema.Int64Attribute{Required: a.Required, Optional: a.Optional, MarkdownDescription: description, Validators: a.Validators}
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
	a.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (a *provisionOnDemandAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m provisionActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateProvisionConfig(ctx, m.provisionModel())...)
	resp.Diagnostics.Append(checkPositiveTimeout(m.Timeouts.Object, "invoke")...)
}

// ModifyPlan checks rule ids against the job's schema, as the resource does before it provisions.
func (a *provisionOnDemandAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	if req.Config.Raw.IsNull() {
		return
	}
	var m provisionActionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, diags := planCalls(ctx, a.data, m.provisionModel())
	resp.Diagnostics.Append(diags...)
	if a.data == nil || a.data.client == nil {
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
	run, diags := a.data.provision(ctx, m.provisionModel(), progress)
	if run != nil {
		resp.Diagnostics.Append(run.outcomeDiagnostics(ctx, m.FailOnSkip.ValueBool(), actionAfterFailure)...)
	}
	resp.Diagnostics.Append(diags...)
}

// provisionActionModel maps the action's configuration.
type provisionActionModel struct {
	ServicePrincipalID   types.String   `tfsdk:"service_principal_id"`
	SynchronizationJobID types.String   `tfsdk:"synchronization_job_id"`
	Parameters           types.List     `tfsdk:"parameters"`
	FailOnSkip           types.Bool     `tfsdk:"fail_on_skip"`
	MembersPerCall       types.Int64    `tfsdk:"members_per_call"`
	StopOnFailure        types.Bool     `tfsdk:"stop_on_failure"`
	RetrySkippedFor      types.String   `tfsdk:"retry_skipped_for"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

// provisionModel is the resource model with the action's inputs, for the shared validation and call.
func (m provisionActionModel) provisionModel() provisionOnDemandModel {
	return provisionOnDemandModel{
		ServicePrincipalID:   m.ServicePrincipalID,
		SynchronizationJobID: m.SynchronizationJobID,
		Parameters:           m.Parameters,
		FailOnSkip:           m.FailOnSkip,
		MembersPerCall:       m.MembersPerCall,
		StopOnFailure:        m.StopOnFailure,
		RetrySkippedFor:      m.RetrySkippedFor,
	}
}
