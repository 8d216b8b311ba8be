package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// stubAzureAD is a provider registered as azuread with only the schema of
// azuread_synchronization_job_provision_on_demand (azuread 3.x: path-form ids, parameter and
// subject blocks, triggers); creating it records the configuration and calls nothing.
type stubAzureAD struct{}

func (stubAzureAD) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "azuread"
}
func (stubAzureAD) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (stubAzureAD) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (stubAzureAD) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (stubAzureAD) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return stubAzureADProvisionOnDemand{} }}
}

type stubAzureADProvisionOnDemand struct{}

func (stubAzureADProvisionOnDemand) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_synchronization_job_provision_on_demand"
}

func (stubAzureADProvisionOnDemand) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":                     schema.StringAttribute{Computed: true},
			"service_principal_id":   schema.StringAttribute{Required: true},
			"synchronization_job_id": schema.StringAttribute{Required: true},
			"triggers":               schema.MapAttribute{Optional: true, ElementType: types.StringType},
		},
		Blocks: map[string]schema.Block{
			"parameter": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{"rule_id": schema.StringAttribute{Required: true}},
				Blocks: map[string]schema.Block{"subject": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"object_id":        schema.StringAttribute{Required: true},
						"object_type_name": schema.StringAttribute{Required: true},
					},
				}}},
			}},
		},
	}
}

func (stubAzureADProvisionOnDemand) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), types.StringValue(uuid.NewString()))...)
}

func (stubAzureADProvisionOnDemand) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}
func (stubAzureADProvisionOnDemand) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
}
func (stubAzureADProvisionOnDemand) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

var _ provider.Provider = stubAzureAD{}

// A user moves from azuread as the README says: the azuread resource applied with path-form ids,
// then replaced by entrasync_provision_on_demand with bare ids and a moved block. The move and
// the change of form update the state in place and provision nothing.
func TestAccProvisionOnDemand_movedFromAzureADThroughTheCLI(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	providers := map[string]func() (tfprotov6.ProviderServer, error){
		"entrasync": testAccProviders["entrasync"],
		"azuread":   providerserver.NewProtocol6WithError(stubAzureAD{}),
	}
	spPath := "/servicePrincipals/" + fg.SCIMServicePrincipalID
	azuread := fmt.Sprintf(`
resource "azuread_synchronization_job_provision_on_demand" "ada" {
  service_principal_id   = %q
  synchronization_job_id = %q
  triggers               = { wave = "2026-03" }
  parameter {
    rule_id = %q
    subject {
      object_id        = %q
      object_type_name = "User"
    }
  }
}
`, spPath, spPath+"/synchronization/jobs/"+fg.SCIMJobID, fg.SCIMUserRuleID, fg.UserAdaID)
	moved := env.provider + fmt.Sprintf(`
moved {
  from = azuread_synchronization_job_provision_on_demand.ada
  to   = entrasync_provision_on_demand.ada
}

resource "entrasync_provision_on_demand" "ada" {
  service_principal_id   = %q
  synchronization_job_id = %q
  triggers               = { wave = "2026-03" }
  parameters = [{
    rule_id  = %q
    subjects = [{ object_id = %q, object_type_name = "User" }]
  }]
}
`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, fg.UserAdaID)
	const addr = "entrasync_provision_on_demand.ada"
	tfresource.Test(t, tfresource.TestCase{
		ProtoV6ProviderFactories: providers,
		Steps: []tfresource.TestStep{
			{Config: env.provider + azuread},
			{
				Config: moved,
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, str("service_principal_id"), knownvalue.StringExact(fg.SCIMServicePrincipalID)),
					statecheck.ExpectKnownValue(addr, str("synchronization_job_id"), knownvalue.StringExact(fg.SCIMJobID)),
					statecheck.ExpectKnownValue(addr, str("status"), knownvalue.Null()),
				},
			},
			{Config: moved, PlanOnly: true},
		},
	})
	if got := env.provisionCalls(); got != 0 {
		t.Errorf("%d provisionOnDemand calls, want 0: moving from azuread must not provision again", got)
	}
}
