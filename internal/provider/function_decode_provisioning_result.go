package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

var _ function.Function = (*decodeProvisioningResultFunction)(nil)

func newDecodeProvisioningResultFunction() function.Function {
	return &decodeProvisioningResultFunction{}
}

// decodeProvisioningResultFunction decodes a provisionOnDemand answer obtained by other tools
// (the msgraph provider, scripts) into the resource's status and results.
type decodeProvisioningResultFunction struct{}

// decodedResultAttrTypes is the function's return type: the resource's status and results.
var decodedResultAttrTypes = map[string]attr.Type{
	"status":  types.StringType,
	"results": types.ListType{ElemType: resultObjectType},
}

func (f *decodeProvisioningResultFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "decode_provisioning_result"
}

func (f *decodeProvisioningResultFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Decodes the key and value strings of a provisionOnDemand answer.",
		MarkdownDescription: "Decodes the `key` and `value` strings that Microsoft Graph's `provisionOnDemand` answers into an object " +
			"with the `status` and `results` attributes of `entrasync_provision_on_demand`, for answers obtained by other tools " +
			"(for example the `msgraph` provider). It accepts every shape Graph is known to send and never fails: what cannot " +
			"be read is null, and `status` is null when no status is readable.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "key", MarkdownDescription: "The answer's `key` string."},
			function.StringParameter{Name: "value", MarkdownDescription: "The answer's `value` string."},
		},
		Return: function.ObjectReturn{AttributeTypes: decodedResultAttrTypes},
	}
}

func (f *decodeProvisioningResultFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var key, value string
	resp.Error = req.Arguments.Get(ctx, &key, &value)
	if resp.Error != nil {
		return
	}
	var m provisionOnDemandModel
	if diags := m.setResult(ctx, graph.DecodeProvisionResult(key, value)); diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	decoded, diags := types.ObjectValue(decodedResultAttrTypes, map[string]attr.Value{"status": m.Status, "results": m.Results})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, decoded)
}
