package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The inputs that name a service principal and a synchronization job are shared by every type;
// each schema package has its own attribute struct, so the parts they share are declared here.

// servicePrincipalIDDescription describes a service principal input; role says which one, as in
// "that owns the job".
func servicePrincipalIDDescription(role string) string {
	return "Object ID of the service principal (enterprise application) " + role + ": a GUID, or the path " +
		"form `/servicePrincipals/{GUID}`. Not the application (client) ID."
}

// synchronizationJobIDDescription is the start of every synchronization job input's description.
const synchronizationJobIDDescription = "ID of the synchronization job, such as `scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c` " +
	"(not a GUID), or its path form `/servicePrincipals/{GUID}/synchronization/jobs/{jobId}`"

var (
	servicePrincipalIDValidators   = []validator.String{stringCheck("a GUID or /servicePrincipals/{GUID}", checkServicePrincipalID)}
	synchronizationJobIDValidators = []validator.String{stringCheck("a job ID or its path form", checkSynchronizationJobID)}
)

// quotedList formats allowed values for a description or an error: `a`, `b`, `c`.
func quotedList(values []string) string {
	return "`" + strings.Join(values, "`, `") + "`"
}
