package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
)

// requiresReplaceUnlessSameObject replaces the resource when the id names another object, and
// only then: the path form (azuread's, /servicePrincipals/{id}...) and the bare form name the
// same object, so moving between them updates the state in place and provisions nothing.
func requiresReplaceUnlessSameObject(normalise func(string) string) planmodifier.String {
	const desc = "Changing the object provisions again; writing the same object in its path or bare form does not."
	return stringplanmodifier.RequiresReplaceIf(func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = req.PlanValue.IsUnknown() || normalise(req.StateValue.ValueString()) != normalise(req.PlanValue.ValueString())
	}, desc, desc)
}

// servicePrincipalObject is the bare GUID of either form, in lower case (Entra object ids compare
// without case).
func servicePrincipalObject(v string) string {
	if id, ok := parseServicePrincipalID(v); ok {
		return strings.ToLower(id)
	}
	return v
}

// synchronizationJobObject is the bare job id of either form; the service principal of the path
// form is checked against service_principal_id, so it adds nothing here.
func synchronizationJobObject(v string) string {
	if id, _, err := parseSynchronizationJobID(v); err == nil {
		return id
	}
	return v
}
