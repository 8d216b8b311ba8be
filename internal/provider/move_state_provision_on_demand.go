package provider

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithMoveState = (*provisionOnDemandResource)(nil)

const azureadProvisionOnDemandType = "azuread_synchronization_job_provision_on_demand"

// MoveState takes over azuread_synchronization_job_provision_on_demand through a moved block
// without provisioning again.
func (r *provisionOnDemandResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: moveFromAzureAD}}
}

// azureadProvisionOnDemandState is the state of azuread_synchronization_job_provision_on_demand
// (azuread 2.x and 3.x): path-form ids, parameter and subject blocks, triggers and timeouts.
type azureadProvisionOnDemandState struct {
	ID                   string            `json:"id"`
	ServicePrincipalID   string            `json:"service_principal_id"`
	SynchronizationJobID string            `json:"synchronization_job_id"`
	Triggers             map[string]string `json:"triggers"`
	Parameter            []struct {
		RuleID  string `json:"rule_id"`
		Subject []struct {
			ObjectID       string `json:"object_id"`
			ObjectTypeName string `json:"object_type_name"`
		} `json:"subject"`
	} `json:"parameter"`
}

// moveFromAzureAD maps the azuread state into ours. The ids keep their form (both forms are valid
// here), so a configuration with the same values plans no change. The answer of the azuread run
// was never kept, so status, results, result_key, result_value, request_id and provisioned_at are
// null: known, so the next plan is a no-op, and null, so nothing pretends to be Graph's answer.
func moveFromAzureAD(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if req.SourceTypeName != azureadProvisionOnDemandType || !strings.HasSuffix(req.SourceProviderAddress, "/hashicorp/azuread") {
		return // not ours to move: the framework reports that no mover applies
	}
	if req.SourceRawState == nil || len(req.SourceRawState.JSON) == 0 {
		resp.Diagnostics.AddError("Cannot move "+azureadProvisionOnDemandType, "The prior state is empty or not JSON; this is a bug in Terraform or in the state file.")
		return
	}
	var prior azureadProvisionOnDemandState
	if err := json.Unmarshal(req.SourceRawState.JSON, &prior); err != nil {
		resp.Diagnostics.AddError("Cannot move "+azureadProvisionOnDemandType, "Its state cannot be read: "+err.Error())
		return
	}
	if prior.ServicePrincipalID == "" || prior.SynchronizationJobID == "" || len(prior.Parameter) == 0 {
		resp.Diagnostics.AddError("Cannot move "+azureadProvisionOnDemandType,
			"Its state lacks service_principal_id, synchronization_job_id or parameter; remove it from the state and apply "+
				"entrasync_provision_on_demand instead (a subject already in sync answers Skipped/RedundantExport).")
		return
	}

	var rs resource.SchemaResponse
	(&provisionOnDemandResource{}).Schema(ctx, resource.SchemaRequest{}, &rs)
	parameterType := rs.Schema.Attributes["parameters"].GetType().(types.ListType).ElemType.(types.ObjectType)
	subjectType := parameterType.AttrTypes["subjects"].(types.ListType).ElemType.(types.ObjectType)
	linksType := subjectType.AttrTypes["links"].(types.ObjectType)
	timeoutsType := rs.Schema.Attributes["timeouts"].GetType().(attr.TypeWithAttributeTypes)

	var diags diag.Diagnostics
	params := make([]parameterModel, 0, len(prior.Parameter))
	for _, p := range prior.Parameter {
		subjects := make([]subjectModel, 0, len(p.Subject))
		for _, s := range p.Subject {
			subjects = append(subjects, subjectModel{
				ObjectID: types.StringValue(s.ObjectID), ObjectTypeName: types.StringValue(s.ObjectTypeName),
				Links: types.ObjectNull(linksType.AttrTypes),
			})
		}
		list, d := types.ListValueFrom(ctx, subjectType, subjects)
		diags.Append(d...)
		params = append(params, parameterModel{RuleID: types.StringValue(p.RuleID), Subjects: list})
	}
	parameters, d := types.ListValueFrom(ctx, parameterType, params)
	diags.Append(d...)
	triggers := types.MapNull(types.StringType)
	if prior.Triggers != nil {
		triggers, d = types.MapValueFrom(ctx, types.StringType, prior.Triggers)
		diags.Append(d...)
	}
	id := prior.ID
	if id == "" {
		id = uuid.NewString()
	}
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &provisionOnDemandModel{
		ID:                   types.StringValue(id),
		ServicePrincipalID:   types.StringValue(prior.ServicePrincipalID),
		SynchronizationJobID: types.StringValue(prior.SynchronizationJobID),
		Parameters:           parameters,
		Triggers:             triggers,
		FailOnSkip:           types.BoolValue(false),
		RetrySkippedFor:      types.StringNull(),
		Timeouts:             timeouts.Value{Object: types.ObjectNull(timeoutsType.AttributeTypes())},
		Status:               types.StringNull(),
		Results:              types.ListNull(resultObjectType),
		ResultKey:            types.StringNull(),
		ResultValue:          types.StringNull(),
		RequestID:            types.StringNull(),
		RequestIDs:           types.ListNull(types.StringType),
		ProvisionedAt:        types.StringNull(),
	})...)
}
