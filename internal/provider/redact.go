package provider

import "github.com/entrasync/terraform-provider-entrasync/internal/graph"

// redactPersonalData removes from a decoded answer what redact_personal_data keeps out of state:
// the raw value string and, of every entry, the steps' details and the modified properties, which
// carry names, e-mail addresses and attribute values. Statuses, codes, messages, step descriptions
// and the reportable identifier stay: they say what happened to whom, and the outcome needs them.
func redactPersonalData(r *graph.ProvisionResult) {
	r.Value = ""
	for i := range r.Entries {
		r.Entries[i].ModifiedProperties = nil
		for j := range r.Entries[i].Steps {
			r.Entries[i].Steps[j].Details = nil
		}
	}
}
