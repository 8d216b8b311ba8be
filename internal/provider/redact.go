package provider

import (
	"regexp"
	"strings"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// redactPersonalData removes from a decoded answer what redact_personal_data keeps out of state,
// diagnostics and logs: the raw value string and, of every entry, the steps' details and the
// modified properties, which carry attribute values; and every name, e-mail address or user
// principal name in the text that stays. The subject is then named by its object id
// (reportable_identifier holds the source identity id), and statuses, codes, step names and the
// messages, with the names replaced, still say what happened to whom.
func redactPersonalData(r *graph.ProvisionResult) {
	r.Value = ""
	for i := range r.Entries {
		e := &r.Entries[i]
		names := personalNames(e)
		e.ReportableIdentifier = e.SourceIdentityID
		e.ErrorMessage = redactText(e.ErrorMessage, names, e.SourceIdentityID)
		e.RecommendedAction = redactText(e.RecommendedAction, names, e.SourceIdentityID)
		e.ModifiedProperties = nil
		for j := range e.Steps {
			e.Steps[j].Details = nil
			e.Steps[j].Description = redactText(e.Steps[j].Description, names, e.SourceIdentityID)
		}
	}
}

// emailLike matches e-mail addresses and user principal names.
var emailLike = regexp.MustCompile(`[^\s@'"(),;<>]+@[^\s@'"(),;<>]+\.[^\s@'"(),;<>]+`)

// personalNames are the strings of an entry that name a person: its reportable identifier and the
// values of the name attributes in its steps' details and modified properties.
func personalNames(e *graph.ProvisioningEntry) []string {
	names := []string{e.ReportableIdentifier}
	isName := func(key string) bool {
		key = strings.ToLower(key)
		return strings.Contains(key, "name") || strings.Contains(key, "mail") || strings.Contains(key, "identifier")
	}
	for _, s := range e.Steps {
		for k, v := range s.Details {
			if isName(k) {
				names = append(names, v)
			}
		}
	}
	for _, p := range e.ModifiedProperties {
		if isName(p.Name) {
			names = append(names, p.OldValue, p.NewValue)
		}
	}
	return names
}

// redactText replaces each name (of 3 characters or more) and every e-mail-like token in s with
// the subject's object id.
func redactText(s string, names []string, objectID string) string {
	if s == "" {
		return s
	}
	replacement := objectID
	if replacement == "" {
		replacement = "(redacted)"
	}
	for _, n := range names {
		if len(strings.TrimSpace(n)) >= 3 {
			s = strings.ReplaceAll(s, n, replacement)
		}
	}
	return emailLike.ReplaceAllString(s, replacement)
}
