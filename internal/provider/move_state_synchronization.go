package provider

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ resource.ResourceWithMoveState = (*synchronizationJobResource)(nil)
	_ resource.ResourceWithMoveState = (*synchronizationCredentialsResource)(nil)
)

const (
	azureadJobType    = "azuread_synchronization_job"
	azureadSecretType = "azuread_synchronization_secret"
)

// movedFromAzureAD reads the prior state of an azuread type into v; false (with the reason in
// resp) when the move is not ours or the state cannot be read.
func movedFromAzureAD(req resource.MoveStateRequest, resp *resource.MoveStateResponse, typeName string, v any) bool {
	if req.SourceTypeName != typeName || !strings.HasSuffix(req.SourceProviderAddress, "/hashicorp/azuread") {
		return false // not ours to move: the framework reports that no mover applies
	}
	if req.SourceRawState == nil || len(req.SourceRawState.JSON) == 0 {
		resp.Diagnostics.AddError("Cannot move "+typeName, "The prior state is empty or not JSON; this is a bug in Terraform or in the state file.")
		return false
	}
	if err := json.Unmarshal(req.SourceRawState.JSON, v); err != nil {
		resp.Diagnostics.AddError("Cannot move "+typeName, "Its state cannot be read: "+err.Error())
		return false
	}
	return true
}

// azureadJobState is the state of azuread_synchronization_job: in azuread 3.x (schema version
// 1) the id is /servicePrincipals/{sp}/synchronization/jobs/{job}, in 2.x {sp}/job/{job}.
type azureadJobState struct {
	ID                 string `json:"id"`
	ServicePrincipalID string `json:"service_principal_id"`
	TemplateID         string `json:"template_id"`
	Enabled            *bool  `json:"enabled"`
	Schedule           []struct {
		Expiration string `json:"expiration"`
		Interval   string `json:"interval"`
		State      string `json:"state"`
	} `json:"schedule"`
}

// jobID is the bare job id of either id form.
func (s azureadJobState) jobID() string {
	if jobID, _, err := parseSynchronizationJobID(s.ID); err == nil && strings.HasPrefix(s.ID, "/") {
		return jobID
	}
	if _, jobID, found := strings.Cut(s.ID, "/job/"); found {
		return jobID
	}
	return ""
}

// MoveState takes over azuread_synchronization_job through a moved block without touching the
// job. Status is left null and filled by the refresh that follows the move.
func (r *synchronizationJobResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
		var prior azureadJobState
		if !movedFromAzureAD(req, resp, azureadJobType, &prior) {
			return
		}
		jobID := prior.jobID()
		if jobID == "" || prior.ServicePrincipalID == "" || prior.TemplateID == "" {
			resp.Diagnostics.AddError("Cannot move "+azureadJobType,
				"Its state lacks a job id, service_principal_id or template_id; remove it from the state and import the job into "+
					"entrasync_synchronization_job by \"{service_principal_id}/{job_id}\" instead.")
			return
		}
		m := jobResourceModel{
			ID:                 types.StringValue(jobID),
			ServicePrincipalID: types.StringValue(prior.ServicePrincipalID),
			TemplateID:         types.StringValue(prior.TemplateID),
			Enabled:            types.BoolValue(prior.Enabled == nil || *prior.Enabled),
			WaitForSteadyState: types.StringNull(),
			Schedule:           types.ObjectNull(jobScheduleAttrTypes),
			Status:             types.ObjectNull(jobStatusAttrTypes),
		}
		if len(prior.Schedule) == 1 {
			s := prior.Schedule[0]
			m.Schedule = types.ObjectValueMust(jobScheduleAttrTypes, map[string]attr.Value{
				"interval": optionalString(s.Interval), "state": optionalString(s.State), "expiration": optionalString(s.Expiration),
			})
		}
		resp.Diagnostics.Append(resp.TargetState.Set(ctx, &m)...)
	}}}
}

// azureadSecretState is the state of azuread_synchronization_secret: id /servicePrincipals/{sp}
// in azuread 3.x, and the credentials in clear, of which only the keys are kept.
type azureadSecretState struct {
	ServicePrincipalID string `json:"service_principal_id"`
	Credential         []struct {
		Key string `json:"key"`
	} `json:"credential"`
}

// MoveState takes over azuread_synchronization_secret through a moved block. The values are
// not carried: the next apply writes the ones of credentials_wo (and checks them first).
func (r *synchronizationCredentialsResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
		var prior azureadSecretState
		if !movedFromAzureAD(req, resp, azureadSecretType, &prior) {
			return
		}
		sp, ok := parseServicePrincipalID(prior.ServicePrincipalID)
		if !ok {
			resp.Diagnostics.AddError("Cannot move "+azureadSecretType,
				"Its state has no valid service_principal_id; remove it from the state (terraform state rm) and create "+
					"entrasync_synchronization_credentials instead.")
			return
		}
		keys := make([]string, 0, len(prior.Credential))
		for _, c := range prior.Credential {
			keys = append(keys, c.Key)
		}
		secretKeys, diags := types.SetValueFrom(ctx, types.StringType, keys)
		resp.Diagnostics.Append(diags...)
		resp.Diagnostics.Append(resp.TargetState.Set(ctx, &credentialsModel{
			ID:                   types.StringValue(sp),
			ServicePrincipalID:   types.StringValue(prior.ServicePrincipalID),
			SynchronizationJobID: types.StringNull(),
			CredentialsWO:        types.MapNull(types.StringType),
			CredentialsWOVersion: types.Int64Null(),
			Settings:             types.MapNull(types.StringType),
			Validate:             types.BoolValue(true),
			WaitForSteadyState:   types.StringNull(),
			SecretKeys:           secretKeys,
		})...)
	}}}
}
