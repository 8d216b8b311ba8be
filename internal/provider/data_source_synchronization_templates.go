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

var _ datasource.DataSourceWithConfigure = (*synchronizationTemplatesDataSource)(nil)

func newSynchronizationTemplatesDataSource() datasource.DataSource {
	return &synchronizationTemplatesDataSource{}
}

type synchronizationTemplatesDataSource struct {
	data *providerData
}

func (d *synchronizationTemplatesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_synchronization_templates"
}

func (d *synchronizationTemplatesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the synchronization templates a service principal's application offers (Graph " +
			"`GET /servicePrincipals/{id}/synchronization/templates`): the `template_id` that `entrasync_synchronization_job` " +
			"creates a job from. Filter by `factory_tag` and read `template_id` when exactly one template matches. " +
			"Needs `Synchronization.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"service_principal_id": servicePrincipalIDAttribute("whose application offers the templates"),
			"factory_tag": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only templates with this factory tag, such as `scim` (an app's SCIM endpoint), " +
					"`workdayToAD` (Workday inbound) or `AD2AADProvisioning` (Cloud Sync). Compared without case.",
				Validators: []validator.String{stringCheck("a non-empty factory tag", checkNotBlank("factory_tag"))},
			},
			"template_id": computed("ID of the one template that matches the filter (without a filter: the one template, or the one " +
				"marked `default`), for `template_id` of `entrasync_synchronization_job`; null when none or several match."),
			"templates": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The templates that match the filter (all without one), in Graph's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":          computed("Template ID, such as `scim`: a valid `template_id` of a job of this service principal."),
					"factory_tag": computed("Factory tag: the kind of connector, such as `scim` or `workdayToAD`."),
					"description": computed("What the template provisions, as Graph describes it."),
					"default": schema.BoolAttribute{
						Computed:            true,
						MarkdownDescription: "Whether this is the application's default template.",
					},
					"metadata": schema.MapAttribute{
						Computed:            true,
						ElementType:         types.StringType,
						MarkdownDescription: "The template's metadata, key to value, such as `supportsProvisionOnDemand = \"true\"`.",
					},
				}},
			},
		},
	}
}

func (d *synchronizationTemplatesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *synchronizationTemplatesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m synchronizationTemplatesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !d.data.hasClient(&resp.Diagnostics, dataSourceNeedsClient) {
		return
	}
	sp, _ := parseServicePrincipalID(m.ServicePrincipalID.ValueString())
	all, err := d.data.client.ListSynchronizationTemplates(ctx, sp)
	if err != nil {
		resp.Diagnostics.Append(readErrorDiagnostic(err, "the synchronization templates of service principal "+sp, path.Root("service_principal_id")))
		return
	}
	templates := matchingTemplates(all, m.FactoryTag.ValueString())
	m.TemplateID = types.StringNull()
	if t := oneTemplate(templates, m.FactoryTag.IsNull()); t != nil {
		m.TemplateID = types.StringValue(t.ID)
	} else if !m.FactoryTag.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("factory_tag"), "No single template with factory tag "+m.FactoryTag.ValueString(),
			fmt.Sprintf("%d templates of service principal %s match, so template_id is null. Its templates: %s.", len(templates), sp, templateIDs(all)))
	}
	m.Templates = make([]synchronizationTemplateModel, 0, len(templates))
	for _, t := range templates {
		metadata, diags := types.MapValueFrom(ctx, types.StringType, t.Metadata)
		resp.Diagnostics.Append(diags...)
		m.Templates = append(m.Templates, synchronizationTemplateModel{
			ID:          types.StringValue(t.ID),
			FactoryTag:  optionalString(t.FactoryTag),
			Description: optionalString(t.Description),
			Default:     types.BoolValue(t.Default),
			Metadata:    metadata,
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// matchingTemplates keeps the templates whose factory tag is tag (any case); "" keeps all.
func matchingTemplates(templates []graph.SynchronizationTemplate, tag string) []graph.SynchronizationTemplate {
	var out []graph.SynchronizationTemplate
	for _, t := range templates {
		if tag == "" || strings.EqualFold(t.FactoryTag, tag) {
			out = append(out, t)
		}
	}
	return out
}

// oneTemplate is the template a job would use: the only match, or, without a filter, the one
// marked default.
func oneTemplate(templates []graph.SynchronizationTemplate, unfiltered bool) *graph.SynchronizationTemplate {
	if len(templates) == 1 {
		return &templates[0]
	}
	var found *graph.SynchronizationTemplate
	for i := range templates {
		if !unfiltered || !templates[i].Default {
			continue
		}
		if found != nil {
			return nil
		}
		found = &templates[i]
	}
	return found
}

func templateIDs(templates []graph.SynchronizationTemplate) string {
	if len(templates) == 0 {
		return "none"
	}
	ids := make([]string, len(templates))
	for i, t := range templates {
		ids[i] = fmt.Sprintf("%s (factory tag %s)", t.ID, t.FactoryTag)
	}
	return strings.Join(ids, ", ")
}

type synchronizationTemplatesModel struct {
	ServicePrincipalID types.String                   `tfsdk:"service_principal_id"`
	FactoryTag         types.String                   `tfsdk:"factory_tag"`
	TemplateID         types.String                   `tfsdk:"template_id"`
	Templates          []synchronizationTemplateModel `tfsdk:"templates"`
}

type synchronizationTemplateModel struct {
	ID          types.String `tfsdk:"id"`
	FactoryTag  types.String `tfsdk:"factory_tag"`
	Description types.String `tfsdk:"description"`
	Default     types.Bool   `tfsdk:"default"`
	Metadata    types.Map    `tfsdk:"metadata"`
}
