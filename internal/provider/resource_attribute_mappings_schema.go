package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The enums of the attributeMapping, attributeMappingSource, objectMapping and filterClause
// reference pages (learn.microsoft.com/graph/api/resources/synchronization-attributemapping and
// siblings). Scope operators are those of Entra's "Scoping users or groups to be provisioned
// with scoping filters" guide, as Graph spells them (filterOperators lists a job's own).
var (
	mappingFlowTypes     = []string{"Always", "ObjectAddOnly", "MultiValueAddOnly", "ValueAddOnly", "AttributeAddOnly"}
	mappingFlowBehaviors = []string{"FlowWhenChanged", "FlowAlways"}
	mappingSourceTypes   = []string{"Attribute", "Constant", "Function"}
	objectFlowTypes      = []string{"Add", "Update", "Delete"}
	scopeOperators       = []string{
		"EQUALS", "NOT_EQUALS", "ISTRUE", "ISFALSE", "ISNULL", "ISNOTNULL",
		"REGEX_MATCH", "NOT_REGEX_MATCH", "GREATER_THAN", "GREATER_THAN_OR_EQUALS", "INCLUDES",
	}
	unaryScopeOperators = []string{"ISTRUE", "ISFALSE", "ISNULL", "ISNOTNULL"}
)

func (r *attributeMappingsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = attributeMappingsSchema()
}

// attributeMappingsElementType is the element type of a collection attribute of the schema.
func attributeMappingsElementType(ctx context.Context, name string) attr.Type {
	return attributeMappingsSchema().Attributes[name].GetType().(attr.TypeWithElementType).ElementType()
}

func attributeMappingsSchema() schema.Schema {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	notBlank := func(name string) []validator.String {
		return []validator.String{stringCheck("a non-empty value", checkNotBlank(name))}
	}
	return schema.Schema{
		MarkdownDescription: "The attribute mappings and scoping filter of one object mapping of a synchronization job's schema " +
			"(for example Entra `User` to SCIM `urn:ietf:params:scim:schemas:core:2.0:User`), checked and tested at plan. " +
			"Every write is a read-modify-write of the job's schema that changes only this object mapping; destroying the resource " +
			"restores the object mapping of the job's template. Import with `{service_principal_id}/{synchronization_job_id}/" +
			"{rule_id}/{source_object_name}/{target_object_name}`. Needs `Synchronization.ReadWrite.All`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The import id: `{service_principal_id}/{synchronization_job_id}/{rule_id}/{source_object_name}/{target_object_name}`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"service_principal_id":   servicePrincipalIDInput("that owns the job", "replaces the resource"),
			"synchronization_job_id": synchronizationJobIDInput("", "replaces the resource"),
			"rule_id": schema.StringAttribute{
				Required: true, PlanModifiers: replace, Validators: notBlank("rule_id"),
				MarkdownDescription: "ID of the schema's synchronization rule that holds the object mapping, such as " +
					"`03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2` (data source `entrasync_synchronization_rules` finds it).",
			},
			"source_object_name": schema.StringAttribute{
				Required: true, PlanModifiers: replace, Validators: notBlank("source_object_name"),
				MarkdownDescription: "Source object of the object mapping, such as `User` or `Group`.",
			},
			"target_object_name": schema.StringAttribute{
				Required: true, PlanModifiers: replace, Validators: notBlank("target_object_name"),
				MarkdownDescription: "Target object of the object mapping, such as `urn:ietf:params:scim:schemas:core:2.0:User`.",
			},
			"enabled": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether the object mapping provisions anything. Default `true`.",
			},
			"flow_types": schema.SetAttribute{
				Optional: true, Computed: true, ElementType: types.StringType,
				Default: setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{
					types.StringValue("Add"), types.StringValue("Update"), types.StringValue("Delete")})),
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(objectFlowTypes...))},
				MarkdownDescription: "What the object mapping does to target objects: any of " + quotedList(objectFlowTypes) + ". Default all three.",
			},
			"exclusive": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "`true` (default): the object mapping holds exactly `mappings`, and a mapping added in the portal shows " +
					"as drift to remove. `false`: only the target attributes in `mappings` are managed; the others are left as they are.",
			},
			"mappings": schema.MapNestedAttribute{
				Required: true,
				MarkdownDescription: "Attribute mappings keyed by target attribute name (such as `userName` or " +
					"`emails[type eq \"work\"].value`): one mapping per target attribute, and a change shows in the plan under its own key.",
				NestedObject: schema.NestedAttributeObject{Attributes: mappingAttributes()},
			},
			"scope": schema.ListNestedAttribute{
				Optional:   true,
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
				MarkdownDescription: "Scoping filter (the filter's `groups`): an object is in scope when it satisfies all clauses of " +
					"any group. Leave it out for no scoping filter.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{Optional: true, Validators: notBlank("name"), MarkdownDescription: "Name of the filter group."},
					"clauses": schema.ListNestedAttribute{
						Required: true, Validators: []validator.List{listvalidator.SizeAtLeast(1)},
						MarkdownDescription: "Conditions that all hold for an object in this group.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"source_attribute": schema.StringAttribute{Required: true, Validators: notBlank("source_attribute"),
								MarkdownDescription: "Attribute of the source object that is tested, such as `department`."},
							"operator": schema.StringAttribute{Required: true, Validators: []validator.String{stringvalidator.OneOf(scopeOperators...)},
								MarkdownDescription: "One of " + quotedList(scopeOperators) + "."},
							"values": schema.ListAttribute{Optional: true, ElementType: types.StringType, Validators: []validator.List{listvalidator.SizeAtLeast(1)},
								MarkdownDescription: "Values the attribute is tested against; none for " + quotedList(unaryScopeOperators) + "."},
						}},
					},
				}},
			},
			"tests": schema.ListNestedAttribute{
				Optional: true,
				MarkdownDescription: "Expression tests evaluated at plan by Graph's `parseExpression`: the mapping of `target_attribute` " +
					"is evaluated against `input` and the plan fails when the result is not `expect`. Never sent to the schema.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"target_attribute": schema.StringAttribute{Required: true, MarkdownDescription: "A key of `mappings`."},
					"input": schema.MapAttribute{Required: true, ElementType: types.StringType,
						MarkdownDescription: "Attribute values of the test source object, such as `{ mail = \"Ada@Example.com\" }`; an attribute left out is null."},
					"expect": schema.StringAttribute{Required: true,
						MarkdownDescription: "The expected value; `\"\"` expects no value, several values are compared joined by `, `."},
				}},
			},
		},
	}
}

func mappingAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"source": schema.SingleNestedAttribute{
			Required:            true,
			MarkdownDescription: "Where the value comes from.",
			Attributes: map[string]schema.Attribute{
				"type": schema.StringAttribute{Required: true, Validators: []validator.String{stringvalidator.OneOf(mappingSourceTypes...)},
					MarkdownDescription: "`Attribute` (with `name`), `Constant` (with the value in `name`) or `Function` (with `expression`)."},
				"name": schema.StringAttribute{Optional: true,
					MarkdownDescription: "The source attribute (`Attribute`) or the constant value (`Constant`); not set for `Function`."},
				"expression": schema.StringAttribute{Optional: true,
					MarkdownDescription: "The expression of a `Function`, such as `Join(\"@\", [mailNickname], \"example.com\")`; parsed by Graph at plan."},
			},
		},
		"flow_type": schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString("Always"),
			Validators:          []validator.String{stringvalidator.OneOf(mappingFlowTypes...)},
			MarkdownDescription: "When the attribute is written: " + quotedList(mappingFlowTypes) + ". Default `Always`.",
		},
		"flow_behavior": schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString("FlowWhenChanged"),
			Validators:          []validator.String{stringvalidator.OneOf(mappingFlowBehaviors...)},
			MarkdownDescription: quotedList(mappingFlowBehaviors) + ". Default `FlowWhenChanged`.",
		},
		"matching_priority": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(0),
			Validators:          []validator.Int64{int64validator.AtLeast(0)},
			MarkdownDescription: "`0` (default): not used to match objects. Otherwise unique; the lowest matches objects first.",
		},
		"default_value": schema.StringAttribute{
			Optional: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			MarkdownDescription: "Value written when the source has none; leave it out for none.",
		},
		"export_missing_references": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "Whether a reference to an object not provisioned yet is exported. Default `false`.",
		},
	}
}
