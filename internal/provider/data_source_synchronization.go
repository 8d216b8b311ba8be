package provider

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// requiredReadPermissions is what Graph needs to read jobs and schemas.
const requiredReadPermissions = "Synchronization.Read.All or Synchronization.ReadWrite.All (application or delegated)"

// servicePrincipalIDAttribute is the service principal input every data source shares; role says
// which service principal, as in "that owns the job".
func servicePrincipalIDAttribute(role string) schema.StringAttribute {
	return schema.StringAttribute{
		Required: true,
		MarkdownDescription: "Object ID of the service principal (enterprise application) " + role + ": a GUID, or the path " +
			"form `/servicePrincipals/{GUID}`. Not the application (client) ID.",
		Validators: []validator.String{stringCheck("a GUID or /servicePrincipals/{GUID}", checkServicePrincipalID)},
	}
}

// configureDataSource hands the provider's data to a data source.
func configureDataSource(req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) *providerData {
	if req.ProviderData == nil {
		return nil
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", "This is a bug in the provider; please report it.")
	}
	return data
}

// readyClient reports an error when the provider has no Graph client to read with.
func readyClient(data *providerData, diags *diag.Diagnostics) bool {
	if data == nil || data.client == nil {
		diags.AddError("Provider not configured",
			"The entrasync provider has no Graph client, so this data source cannot read Graph. Check the provider block and its "+
				"sign-in settings; a provider block whose values are only known after apply cannot serve data sources at plan.")
		return false
	}
	return true
}

// jobIDs reads service_principal_id and synchronization_job_id in any accepted form and returns
// the bare ids; a path-form job of another service principal is an error on the job id.
func jobIDs(servicePrincipal, job types.String) (sp, jobID string, diags diag.Diagnostics) {
	sp, _ = parseServicePrincipalID(servicePrincipal.ValueString())
	jobID, pathSP, err := parseSynchronizationJobID(job.ValueString())
	switch {
	case err != nil:
		diags.AddAttributeError(path.Root("synchronization_job_id"), "Invalid synchronization job ID", err.Error())
	case pathSP != "" && !strings.EqualFold(pathSP, sp):
		diags.AddAttributeError(path.Root("synchronization_job_id"), "Service principal mismatch",
			fmt.Sprintf("synchronization_job_id is the path of a job of service principal %s, but service_principal_id is %s. "+
				"Use the same service principal in both, or give the job ID alone.", pathSP, sp))
	}
	return sp, jobID, diags
}

// readErrorDiagnostic explains a failed read of what (naming the service principal or job that
// was asked for), on the attribute that names the missing object.
func readErrorDiagnostic(err error, what string, notFoundAt path.Path) diag.Diagnostic {
	var gerr *graph.Error
	if !errors.As(err, &gerr) {
		return diag.NewErrorDiagnostic("Cannot read "+what, fmt.Sprintf("Reading %s from Microsoft Graph failed: %s", what, err))
	}
	switch gerr.StatusCode {
	case http.StatusNotFound:
		return diag.NewAttributeErrorDiagnostic(notFoundAt, "Not found: "+what,
			fmt.Sprintf("Graph found no %s. Check the ID (the service principal's object ID, not its application ID; "+
				"data source entrasync_synchronization_jobs lists a service principal's jobs).\n%s", what, err))
	case http.StatusForbidden:
		return diag.NewErrorDiagnostic("Permission denied reading "+what,
			fmt.Sprintf("The signed-in identity may not read %s. It needs %s.\n%s", what, requiredReadPermissions, err))
	}
	return diag.NewErrorDiagnostic("Cannot read "+what, err.Error())
}
