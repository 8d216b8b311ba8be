package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var _ datasource.DataSourceWithConfigure = (*synchronizationRulesDataSource)(nil)

func newSynchronizationRulesDataSource() datasource.DataSource {
	return &synchronizationRulesDataSource{}
}

type synchronizationRulesDataSource struct {
	data *providerData
}

func (d *synchronizationRulesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_synchronization_rules"
}

func (d *synchronizationRulesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the synchronization rules of a job's schema: the `rule_id` that `entrasync_provision_on_demand` " +
			"needs. Filter by source object (`source_object_name = \"Group\"`) and read `rule_id` when exactly one rule matches. " +
			"Needs `Synchronization.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"service_principal_id": servicePrincipalIDAttribute("that owns the job"),
			"synchronization_job_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: synchronizationJobIDDescription + "; data source `entrasync_synchronization_job` finds it by template.",
				Validators:          synchronizationJobIDValidators,
			},
			"source_object_name": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only rules with an object mapping from this source object: `User` or `Group` (Entra ID to an " +
					"app), `user` (Active Directory, Cloud Sync), `Worker` (Workday, SuccessFactors). Compared without case. Use the " +
					"`object_type_name` of the subjects you provision.",
				Validators: []validator.String{stringCheck("a non-empty object name", checkNotBlank("source_object_name"))},
			},
			"supports_provision_on_demand": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "`true` keeps only rules that Graph marks as supporting provisioning on demand " +
					"(`supportsProvisionOnDemand` metadata), `false` only the others.",
			},
			"rule_id": computed("ID of the one rule that matches the filters, for `parameters[*].rule_id` of `entrasync_provision_on_demand`; " +
				"null when no rule or several rules match (then narrow the filters or pick from `rules`)."),
			"rules": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The rules that match the filters (all rules without filters), in the schema's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":   computed("Rule ID, such as `03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2`: a valid `rule_id` for this job."),
					"name": computed("Rule name, such as `USER_AND_GROUP_TO_SCIM`."),
					"priority": schema.Int64Attribute{
						Computed:            true,
						MarkdownDescription: "Order in which Entra applies the rule; null when Graph sends none.",
					},
					"source_directory_name": computed("Directory the rule reads, such as `Azure Active Directory`."),
					"target_directory_name": computed("Directory the rule writes, such as `customappsso` (a SCIM app)."),
					"supports_provision_on_demand": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Whether Graph marks the rule as usable for provisioning on demand.",
					},
					"object_mappings": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "What the rule provisions: one mapping per source object type.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"name": computed("Mapping name, such as `Provision Azure Active Directory Groups`."),
							"enabled": schema.BoolAttribute{
								Computed:            true,
								MarkdownDescription: "Whether the mapping is on; objects of a disabled mapping are not provisioned.",
							},
							"source_object_name": computed("Source object type, such as `User` or `Group`: the `object_type_name` of subjects."),
							"target_object_name": computed("Object type written in the target, such as `urn:ietf:params:scim:schemas:core:2.0:Group`."),
							"flow_types":         computed("Operations the mapping performs, as Graph lists them, such as `Add, Update, Delete`."),
						}},
					},
				}},
			},
		},
	}
}

func (d *synchronizationRulesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *synchronizationRulesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m synchronizationRulesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.data.hasClient(&resp.Diagnostics, dataSourceNeedsClient) {
		return
	}
	sp, jobID, diags := jobIDs(m.ServicePrincipalID, m.SynchronizationJobID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, err := d.data.synchronizationSchema(ctx, sp, jobID)
	if err != nil {
		resp.Diagnostics.Append(readErrorDiagnostic(err, fmt.Sprintf("the schema of synchronization job %q of service principal %s", jobID, sp),
			path.Root("synchronization_job_id")))
		return
	}
	rules := matchingRules(s.Rules, m.SourceObjectName.ValueStringPointer(), m.SupportsProvisionOnDemand.ValueBoolPointer())
	m.RuleID = types.StringNull()
	if len(rules) == 1 {
		m.RuleID = types.StringValue(rules[0].ID)
	} else if !m.SourceObjectName.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("source_object_name"), "No single rule for source object "+m.SourceObjectName.ValueString(),
			fmt.Sprintf("%d rules of synchronization job %q match the filters, so rule_id is null. The job's rules:\n%s"+
				"Adjust the filters, or pick an id from rules.", len(rules), jobID, describeRules(s.Rules)))
	}
	m.Rules = make([]synchronizationRuleModel, 0, len(rules))
	for _, r := range rules {
		rm := synchronizationRuleModel{
			ID:                        optionalString(r.ID),
			Name:                      optionalString(r.Name),
			Priority:                  types.Int64PointerValue(r.Priority),
			SourceDirectoryName:       optionalString(r.SourceDirectoryName),
			TargetDirectoryName:       optionalString(r.TargetDirectoryName),
			SupportsProvisionOnDemand: types.BoolValue(r.SupportsProvisionOnDemand()),
			ObjectMappings:            make([]objectMappingModel, 0, len(r.ObjectMappings)),
		}
		for _, om := range r.ObjectMappings {
			rm.ObjectMappings = append(rm.ObjectMappings, objectMappingModel{
				Name:             optionalString(om.Name),
				Enabled:          types.BoolValue(om.Enabled),
				SourceObjectName: optionalString(om.SourceObjectName),
				TargetObjectName: optionalString(om.TargetObjectName),
				FlowTypes:        optionalString(om.FlowTypes),
			})
		}
		m.Rules = append(m.Rules, rm)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// matchingRules keeps the rules that pass the filters; a nil filter passes every rule.
func matchingRules(rules []graph.SynchronizationRule, sourceObjectName *string, supportsProvisionOnDemand *bool) []graph.SynchronizationRule {
	var out []graph.SynchronizationRule
	for _, r := range rules {
		if supportsProvisionOnDemand != nil && r.SupportsProvisionOnDemand() != *supportsProvisionOnDemand {
			continue
		}
		if sourceObjectName != nil && !mapsSourceObject(r, *sourceObjectName) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func mapsSourceObject(r graph.SynchronizationRule, name string) bool {
	for _, m := range r.ObjectMappings {
		if strings.EqualFold(m.SourceObjectName, name) {
			return true
		}
	}
	return false
}

type synchronizationRulesModel struct {
	ServicePrincipalID        types.String               `tfsdk:"service_principal_id"`
	SynchronizationJobID      types.String               `tfsdk:"synchronization_job_id"`
	SourceObjectName          types.String               `tfsdk:"source_object_name"`
	SupportsProvisionOnDemand types.Bool                 `tfsdk:"supports_provision_on_demand"`
	RuleID                    types.String               `tfsdk:"rule_id"`
	Rules                     []synchronizationRuleModel `tfsdk:"rules"`
}

type synchronizationRuleModel struct {
	ID                        types.String         `tfsdk:"id"`
	Name                      types.String         `tfsdk:"name"`
	Priority                  types.Int64          `tfsdk:"priority"`
	SourceDirectoryName       types.String         `tfsdk:"source_directory_name"`
	TargetDirectoryName       types.String         `tfsdk:"target_directory_name"`
	SupportsProvisionOnDemand types.Bool           `tfsdk:"supports_provision_on_demand"`
	ObjectMappings            []objectMappingModel `tfsdk:"object_mappings"`
}

type objectMappingModel struct {
	Name             types.String `tfsdk:"name"`
	Enabled          types.Bool   `tfsdk:"enabled"`
	SourceObjectName types.String `tfsdk:"source_object_name"`
	TargetObjectName types.String `tfsdk:"target_object_name"`
	FlowTypes        types.String `tfsdk:"flow_types"`
}
