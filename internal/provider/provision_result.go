package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// resultObjectType is the type of one element of results, derived from its schema so that the
// schema, the values written to state and the provider function's return type cannot disagree.
var resultObjectType = schema.NestedAttributeObject{Attributes: resultAttributes()}.Type().(types.ObjectType)

// describeAttributes lists attrs as a Markdown list under a description, nested objects indented,
// so that the docs of results describe every field although results is a list of objects.
func describeAttributes(attrs map[string]schema.Attribute, indent string) string {
	names := slices.Sorted(maps.Keys(attrs))
	var b strings.Builder
	for _, name := range names {
		a := attrs[name]
		nested, isList := a.(schema.ListNestedAttribute)
		kind := "String"
		switch {
		case isList:
			kind = "List of Object"
		case a.GetType().Equal(types.MapType{ElemType: types.StringType}):
			kind = "Map of String"
		case a.GetType().Equal(types.Int64Type):
			kind = "Number"
		}
		fmt.Fprintf(&b, "\n%s- `%s` (%s) %s", indent, name, kind, a.GetMarkdownDescription())
		if isList {
			b.WriteString(describeAttributes(nested.NestedObject.Attributes, indent+"  "))
		}
	}
	return b.String()
}

// resultAttributes are the computed attributes of one entry of Graph's answer.
func resultAttributes() map[string]schema.Attribute {
	str := func(desc string) schema.Attribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return map[string]schema.Attribute{
		"batch": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "The call (batch of `members_per_call` members) that answered this entry, from 1; null when decoded by the provider function.",
		},
		"action":                str("What provisioning did: `Create`, `Update`, `Delete`, `Disable`, `StagedDelete` or `Other`."),
		"change_id":             str("Graph's change ID of this entry."),
		"reportable_identifier": str("How Graph names the subject, such as a user principal name."),
		"status":                str("`Success`, `Warning`, `Skipped` or `Failure`."),
		"error_code":            str("Error or skip code, such as `RedundantExport` (already in sync)."),
		"error_message":         str("Graph's explanation of the error or skip."),
		"recommended_action":    str("What Graph recommends doing about a failure."),
		"source_identity_id":    str("ID of the object in the source system."),
		"source_identity_type":  str("Type of the object in the source system."),
		"target_identity_id":    str("ID of the object in the target system."),
		"target_identity_type":  str("Type of the object in the target system."),
		"source_system":         str("Name of the source system."),
		"target_system":         str("Name of the target system."),
		"start_time":            str("When provisioning of this entry started."),
		"end_time":              str("When provisioning of this entry ended."),
		"steps": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "The provisioning steps (import, scoping, matching, export...).",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name":        str("Step name, such as `EntryExportAdd`."),
				"type":        str("Step type: `Import`, `Scoping`, `Matching`, `Processing`, `ReferenceResolution` or `Export`."),
				"status":      str("Step status: `Success`, `Warning`, `Skipped` or `Failure`."),
				"description": str("What happened in this step."),
				"timestamp":   str("When the step ran."),
				"details": schema.MapAttribute{
					Computed: true, ElementType: types.StringType,
					MarkdownDescription: "Step details. May hold personal data.",
				},
			}},
		},
		"modified_properties": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "Attributes changed in the target. May hold personal data.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name":      str("Attribute name."),
				"old_value": str("Value before."),
				"new_value": str("Value after."),
			}},
		},
	}
}

// setResult copies one decoded answer into the status and results, whose batch is null.
func (m *provisionOnDemandModel) setResult(ctx context.Context, r *graph.ProvisionResult) diag.Diagnostics {
	var diags diag.Diagnostics
	m.Status = optionalString(r.Status)
	m.ResultKey = types.StringValue(r.Key)
	m.ResultValue = types.StringValue(r.Value)
	m.RequestID = optionalString(r.RequestID)
	list, d := types.ListValueFrom(ctx, resultObjectType, resultModels(ctx, r.Entries, types.Int64Null(), &diags))
	diags.Append(d...)
	m.Results = list
	return diags
}

// setRun copies the answers of a run's batches into the computed attributes: the entries of
// every batch in order, the key and value of the first call, every call's request-id.
func (m *provisionOnDemandModel) setRun(ctx context.Context, run *provisionRun) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(run.batches) == 0 {
		return diags
	}
	diags.Append(m.setResult(ctx, run.batches[0].result)...)
	m.Status = optionalString(run.status())
	m.PlannedCalls = types.Int64Value(int64(run.planned))
	results := []resultModel{}
	requestIDs := make([]string, 0, len(run.batches))
	for k, b := range run.batches {
		results = append(results, resultModels(ctx, b.result.Entries, types.Int64Value(int64(k+1)), &diags)...)
		requestIDs = append(requestIDs, b.result.RequestID)
	}
	list, d := types.ListValueFrom(ctx, resultObjectType, results)
	diags.Append(d...)
	m.Results = list
	ids, d := types.ListValueFrom(ctx, types.StringType, requestIDs)
	diags.Append(d...)
	m.RequestIDs = ids
	return diags
}

// resultModels converts entries to results of the given batch.
func resultModels(ctx context.Context, entries []graph.ProvisioningEntry, batch types.Int64, diags *diag.Diagnostics) []resultModel {
	results := make([]resultModel, 0, len(entries))
	for _, e := range entries {
		rm := resultModel{
			Batch:  batch,
			Action: optionalString(e.Action), ChangeID: optionalString(e.ChangeID),
			ReportableIdentifier: optionalString(e.ReportableIdentifier), Status: optionalString(e.Status),
			ErrorCode: optionalString(e.ErrorCode), ErrorMessage: optionalString(e.ErrorMessage),
			RecommendedAction: optionalString(e.RecommendedAction),
			SourceIdentityID:  optionalString(e.SourceIdentityID), SourceIdentityType: optionalString(e.SourceIdentityType),
			TargetIdentityID: optionalString(e.TargetIdentityID), TargetIdentityType: optionalString(e.TargetIdentityType),
			SourceSystem: optionalString(e.SourceSystem), TargetSystem: optionalString(e.TargetSystem),
			StartTime: optionalString(e.StartTime), EndTime: optionalString(e.EndTime),
			Steps: []stepModel{}, ModifiedProperties: []modifiedPropertyModel{},
		}
		for _, s := range e.Steps {
			details := types.MapNull(types.StringType)
			if s.Details != nil {
				var d diag.Diagnostics
				details, d = types.MapValueFrom(ctx, types.StringType, s.Details)
				diags.Append(d...)
			}
			rm.Steps = append(rm.Steps, stepModel{
				Name: optionalString(s.Name), Type: optionalString(s.Type), Status: optionalString(s.Status),
				Description: optionalString(s.Description), Timestamp: optionalString(s.Timestamp), Details: details,
			})
		}
		for _, p := range e.ModifiedProperties {
			rm.ModifiedProperties = append(rm.ModifiedProperties, modifiedPropertyModel{
				Name: optionalString(p.Name), OldValue: optionalString(p.OldValue), NewValue: optionalString(p.NewValue),
			})
		}
		results = append(results, rm)
	}
	return results
}

// optionalString maps Graph's absent or empty fields to null, so policies can test for presence.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
