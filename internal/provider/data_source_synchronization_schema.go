package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var _ datasource.DataSourceWithConfigure = (*synchronizationSchemaDataSource)(nil)

func newSynchronizationSchemaDataSource() datasource.DataSource {
	return &synchronizationSchemaDataSource{}
}

type synchronizationSchemaDataSource struct {
	data *providerData
}

func (d *synchronizationSchemaDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_synchronization_schema"
}

func (d *synchronizationSchemaDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	boolean := func(description string) schema.BoolAttribute {
		return schema.BoolAttribute{Computed: true, MarkdownDescription: description}
	}
	list := func(description string, attributes map[string]schema.Attribute) schema.ListNestedAttribute {
		return schema.ListNestedAttribute{Computed: true, MarkdownDescription: description, NestedObject: schema.NestedAttributeObject{Attributes: attributes}}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a job's synchronization schema: the objects and attributes of its directories (the names " +
			"`entrasync_attribute_mappings` accepts) and its rules with their object mappings, attribute mappings and scoping " +
			"filters, in the shape `entrasync_attribute_mappings` takes. Needs `Synchronization.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"service_principal_id": servicePrincipalIDAttribute("that owns the job"),
			"synchronization_job_id": schema.StringAttribute{
				Required: true, Validators: synchronizationJobIDValidators,
				MarkdownDescription: synchronizationJobIDDescription + ".",
			},
			"version": str("The schema's version, which changes with every write."),
			"directories": list("The directories the rules read and write.", map[string]schema.Attribute{
				"id":   str("Directory ID."),
				"name": str("Directory name, such as `Azure Active Directory` or `customappsso`."),
				"objects": list("Object types of the directory.", map[string]schema.Attribute{
					"name": str("Object name, such as `User`."),
					"attributes": list("Attributes of the object type.", map[string]schema.Attribute{
						"name":        str("Attribute name: a `mappings` key (target) or a source `name` (source)."),
						"type":        str("`String`, `Integer`, `Reference`, `Binary`, `Boolean` or `DateTime`."),
						"mutability":  str("`ReadWrite`, `ReadOnly`, `Immutable` or `WriteOnly`."),
						"multivalued": boolean("Whether the attribute holds several values."),
						"required":    boolean("Whether the attribute must have a value."),
						"anchor":      boolean("Whether the attribute identifies objects."),
						"case_exact":  boolean("Whether values compare with case."),
					}),
				}),
			}),
			"rules": list("The schema's synchronization rules.", map[string]schema.Attribute{
				"id":                    str("Rule ID: the `rule_id` of `entrasync_attribute_mappings`."),
				"name":                  str("Rule name."),
				"source_directory_name": str("Directory the rule reads."),
				"target_directory_name": str("Directory the rule writes."),
				"object_mappings": list("Object mappings of the rule.", map[string]schema.Attribute{
					"name":               str("Object mapping name."),
					"enabled":            boolean("Whether the object mapping provisions anything."),
					"source_object_name": str("Source object, such as `User`."),
					"target_object_name": str("Target object, such as `urn:ietf:params:scim:schemas:core:2.0:User`."),
					"flow_types": schema.SetAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Any of `Add`, `Update`, `Delete`."},
					"mappings": schema.MapNestedAttribute{Computed: true, MarkdownDescription: "Attribute mappings keyed by target attribute, as `entrasync_attribute_mappings` takes them.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"source": schema.SingleNestedAttribute{Computed: true, MarkdownDescription: "Where the value comes from.", Attributes: map[string]schema.Attribute{
								"type": str("`Attribute`, `Constant` or `Function`."), "name": str("Attribute name or constant value; null for a function."),
								"expression": str("A function's expression; null otherwise."),
							}},
							"flow_type": str("When the attribute is written."), "flow_behavior": str("`FlowWhenChanged` or `FlowAlways`."),
							"matching_priority":         schema.Int64Attribute{Computed: true, MarkdownDescription: "0 when not used to match objects."},
							"default_value":             str("Value written when the source has none."),
							"export_missing_references": boolean("Whether references to objects not provisioned yet are exported."),
						}}},
					"scope": list("Scoping filter groups; null without a scoping filter.", map[string]schema.Attribute{
						"name": str("Filter group name."),
						"clauses": list("Conditions that all hold for an object in the group.", map[string]schema.Attribute{
							"source_attribute": str("Tested source attribute."), "operator": str("Operator, such as `EQUALS`."),
							"values": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Values tested against."},
						}),
					}),
				}),
			}),
		},
	}
}

func (d *synchronizationSchemaDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *synchronizationSchemaDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m synchronizationSchemaModel
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
	m.Version = optionalString(s.Version)
	m.Directories = make([]schemaDirectoryModel, 0, len(s.Directories))
	for _, dir := range s.Directories {
		m.Directories = append(m.Directories, directoryModel(dir))
	}
	m.Rules = make([]schemaRuleModel, 0, len(s.Rules))
	for _, r := range s.Rules {
		rm := schemaRuleModel{ID: optionalString(r.ID), Name: optionalString(r.Name),
			SourceDirectoryName: optionalString(r.SourceDirectoryName), TargetDirectoryName: optionalString(r.TargetDirectoryName),
			ObjectMappings: []schemaObjectMappingModel{}}
		for _, om := range r.ObjectMappings {
			omm, d := objectMappingStateModel(ctx, om)
			resp.Diagnostics.Append(d...)
			rm.ObjectMappings = append(rm.ObjectMappings, omm)
		}
		m.Rules = append(m.Rules, rm)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func directoryModel(dir graph.DirectoryDefinition) schemaDirectoryModel {
	dm := schemaDirectoryModel{ID: optionalString(dir.ID), Name: optionalString(dir.Name), Objects: []schemaObjectModel{}}
	for _, o := range dir.Objects {
		om := schemaObjectModel{Name: optionalString(o.Name), Attributes: []schemaAttributeModel{}}
		for _, a := range o.Attributes {
			om.Attributes = append(om.Attributes, schemaAttributeModel{
				Name: optionalString(a.Name), Type: optionalString(a.Type), Mutability: optionalString(a.Mutability),
				Multivalued: types.BoolValue(a.Multivalued), Required: types.BoolValue(a.Required),
				Anchor: types.BoolValue(a.Anchor), CaseExact: types.BoolValue(a.CaseExact),
			})
		}
		dm.Objects = append(dm.Objects, om)
	}
	return dm
}

// objectMappingStateModel reads an object mapping through the resource's conversion, so the
// data source shows mappings exactly as the resource takes them.
func objectMappingStateModel(ctx context.Context, om graph.ObjectMapping) (schemaObjectMappingModel, diag.Diagnostics) {
	var r attributeMappingsModel
	d := r.setFromGraph(ctx, om, nil)
	return schemaObjectMappingModel{
		Name: optionalString(om.Name), Enabled: r.Enabled, SourceObjectName: optionalString(om.SourceObjectName),
		TargetObjectName: optionalString(om.TargetObjectName), FlowTypes: r.FlowTypes, Mappings: r.Mappings, Scope: r.Scope,
	}, d
}

type synchronizationSchemaModel struct {
	ServicePrincipalID   types.String           `tfsdk:"service_principal_id"`
	SynchronizationJobID types.String           `tfsdk:"synchronization_job_id"`
	Version              types.String           `tfsdk:"version"`
	Directories          []schemaDirectoryModel `tfsdk:"directories"`
	Rules                []schemaRuleModel      `tfsdk:"rules"`
}

type schemaDirectoryModel struct {
	ID      types.String        `tfsdk:"id"`
	Name    types.String        `tfsdk:"name"`
	Objects []schemaObjectModel `tfsdk:"objects"`
}

type schemaObjectModel struct {
	Name       types.String           `tfsdk:"name"`
	Attributes []schemaAttributeModel `tfsdk:"attributes"`
}

type schemaAttributeModel struct {
	Name        types.String `tfsdk:"name"`
	Type        types.String `tfsdk:"type"`
	Mutability  types.String `tfsdk:"mutability"`
	Multivalued types.Bool   `tfsdk:"multivalued"`
	Required    types.Bool   `tfsdk:"required"`
	Anchor      types.Bool   `tfsdk:"anchor"`
	CaseExact   types.Bool   `tfsdk:"case_exact"`
}

type schemaRuleModel struct {
	ID                  types.String               `tfsdk:"id"`
	Name                types.String               `tfsdk:"name"`
	SourceDirectoryName types.String               `tfsdk:"source_directory_name"`
	TargetDirectoryName types.String               `tfsdk:"target_directory_name"`
	ObjectMappings      []schemaObjectMappingModel `tfsdk:"object_mappings"`
}

type schemaObjectMappingModel struct {
	Name             types.String `tfsdk:"name"`
	Enabled          types.Bool   `tfsdk:"enabled"`
	SourceObjectName types.String `tfsdk:"source_object_name"`
	TargetObjectName types.String `tfsdk:"target_object_name"`
	FlowTypes        types.Set    `tfsdk:"flow_types"`
	Mappings         types.Map    `tfsdk:"mappings"`
	Scope            types.List   `tfsdk:"scope"`
}
