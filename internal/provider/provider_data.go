package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// providerData is what Configure hands to resources, data sources and actions.
type providerData struct {
	client  *graph.Client
	schemas schemaCache // job schemas read during this run
	// redactPersonalData keeps steps' details, modified properties and the raw value out of state.
	redactPersonalData bool
	// signInMethod names how the provider signed in, for errors about refused tokens.
	signInMethod string
	// membersPerCall is the provider's members_per_call.
	membersPerCall int
	// apiVersion is the Graph version called (v1.0 or beta), for what a subject's links may hold.
	apiVersion string
	// rateLimitRequests per rateLimitInterval: plan-time estimates of batches, and the pace of retry_skipped_for.
	rateLimitRequests int
	rateLimitInterval time.Duration
	planReads         planReads // the budget of reads made during plan
}

// configuredData is the provider data handed to a type's Configure: nil before the provider is
// configured (Terraform calls Configure early, during validation, with nothing to hand over).
func configuredData(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", "This is a bug in the provider; please report it.")
	}
	return data
}

// hasClient reports an error when the provider has no Graph client to call Graph with; what
// names the caller's need, as in "this data source cannot read Graph".
func (d *providerData) hasClient(diags *diag.Diagnostics, what string) bool {
	if d != nil && d.client != nil {
		return true
	}
	diags.AddError("Provider not configured",
		"The entrasync provider has no Graph client, so "+what+". Check the provider block and its sign-in settings.")
	return false
}

// resourceNeedsClient says why a resource without a Graph client fails.
const resourceNeedsClient = "this resource cannot call Graph"
