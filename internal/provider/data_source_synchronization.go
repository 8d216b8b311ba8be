package provider

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// requiredReadPermissions is what Graph needs to read jobs and schemas.
const requiredReadPermissions = "Synchronization.Read.All or Synchronization.ReadWrite.All (application or delegated)"

// servicePrincipalIDAttribute is the service principal input every data source shares; role says
// which service principal, as in "that owns the job".
func servicePrincipalIDAttribute(role string) schema.StringAttribute {
	return schema.StringAttribute{Required: true, MarkdownDescription: servicePrincipalIDDescription(role), Validators: servicePrincipalIDValidators}
}

// dataSourceNeedsClient says why a data source without a Graph client fails.
const dataSourceNeedsClient = "this data source cannot read Graph (a provider block whose values are only known after apply " +
	"cannot serve data sources at plan)"

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
