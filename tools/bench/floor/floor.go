// Package floor is the floor of a plan for a terraform-plugin-framework provider: one resource
// with the input attributes of entrasync_provision_on_demand and a flat computed status, and no
// validators, plan modifiers, defaults or API. `make bench` plans it beside entrasync; it is
// never shipped.
package floor

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Address is where Terraform finds the floor provider (attached with TF_REATTACH_PROVIDERS).
const Address = "registry.terraform.io/entrasync/floor"

// ResourceType is the floor provider's one resource.
const ResourceType = "floor_provision_on_demand"

// New returns the floor provider.
func New() provider.Provider { return floorProvider{} }

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}

func (floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return floorResource{} }}
}

func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type floorResource struct{}

func (floorResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (floorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	link := schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
		"object_id":        schema.StringAttribute{Required: true},
		"object_type_name": schema.StringAttribute{Required: true},
	}}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"service_principal_id":   schema.StringAttribute{Required: true},
		"synchronization_job_id": schema.StringAttribute{Required: true},
		"parameters": schema.ListNestedAttribute{Required: true, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"rule_id": schema.StringAttribute{Required: true},
			"subjects": schema.ListNestedAttribute{Required: true, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"object_id":        schema.StringAttribute{Required: true},
				"object_type_name": schema.StringAttribute{Required: true},
				"links": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
					"members": schema.ListNestedAttribute{Optional: true, NestedObject: link},
					"owners":  schema.ListNestedAttribute{Optional: true, NestedObject: link},
					"manager": schema.SingleNestedAttribute{Optional: true, Attributes: link.Attributes},
				}},
			}}},
		}}},
		"triggers":     schema.MapAttribute{Optional: true, ElementType: types.StringType},
		"fail_on_skip": schema.BoolAttribute{Optional: true},
		"timeouts": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
			"create": schema.StringAttribute{Optional: true},
		}},
		"status": schema.StringAttribute{Computed: true},
	}}
}

// model holds the inputs as the framework's generic values: the floor decodes nothing deeper.
type model struct {
	ServicePrincipalID   types.String `tfsdk:"service_principal_id"`
	SynchronizationJobID types.String `tfsdk:"synchronization_job_id"`
	Parameters           types.List   `tfsdk:"parameters"`
	Triggers             types.Map    `tfsdk:"triggers"`
	FailOnSkip           types.Bool   `tfsdk:"fail_on_skip"`
	Timeouts             types.Object `tfsdk:"timeouts"`
	Status               types.String `tfsdk:"status"`
}

func (floorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.Status = types.StringValue("Success")
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Read keeps the state the framework has already copied into the response.
func (floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (floorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
