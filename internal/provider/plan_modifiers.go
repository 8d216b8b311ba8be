package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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

// servicePrincipalIDInput is a resource's service_principal_id: required, checked at plan, and
// replacing the resource (onChange says what that means for the type, as "replaces the job") only
// when it names another service principal.
func servicePrincipalIDInput(role, onChange string) schema.StringAttribute {
	return schema.StringAttribute{
		Required: true,
		MarkdownDescription: servicePrincipalIDDescription(role) + " Changing it to another service principal " + onChange +
			"; writing the same one in its path or bare form does not.",
		PlanModifiers: []planmodifier.String{requiresReplaceUnlessSameObject(servicePrincipalObject)},
		Validators:    servicePrincipalIDValidators,
	}
}

// synchronizationJobIDInput is a resource's synchronization_job_id that replaces the resource
// only when it names another job; detail follows the common description.
func synchronizationJobIDInput(detail, onChange string) schema.StringAttribute {
	return schema.StringAttribute{
		Required: true,
		MarkdownDescription: synchronizationJobIDDescription + detail + ". Changing it to another job " + onChange +
			"; writing the same job in its path or bare form does not.",
		PlanModifiers: []planmodifier.String{requiresReplaceUnlessSameObject(synchronizationJobObject)},
		Validators:    synchronizationJobIDValidators,
	}
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
