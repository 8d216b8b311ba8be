package graph

import (
	"bytes"
	"encoding/json"
	"strings"
)

// ProvisionRequest is the body of provisionOnDemand.
type ProvisionRequest struct {
	Parameters []ProvisionParameter `json:"parameters"`
}

// ProvisionParameter selects subjects to provision through one synchronization rule.
type ProvisionParameter struct {
	RuleID   string    `json:"ruleId"`
	Subjects []Subject `json:"subjects"`
}

// Subject is one directory object to provision.
type Subject struct {
	ObjectID       string        `json:"objectId"`
	ObjectTypeName string        `json:"objectTypeName"`
	Links          *SubjectLinks `json:"links,omitempty"`
}

// SubjectLinks are the group members (and, in the SDK models, owners and manager) sent with a subject.
type SubjectLinks struct {
	Members []SubjectLink `json:"members,omitempty"`
	Owners  []SubjectLink `json:"owners,omitempty"`
	Manager *SubjectLink  `json:"manager,omitempty"`
}

// SubjectLink references a linked directory object.
type SubjectLink struct {
	ObjectID       string `json:"objectId"`
	ObjectTypeName string `json:"objectTypeName"`
}

// Provisioning statuses, in canonical spelling. Graph spells them in varying case.
const (
	StatusSuccess = "Success"
	StatusWarning = "Warning"
	StatusSkipped = "Skipped"
	StatusFailure = "Failure"
)

// SkipReasonRedundantExport marks a subject that was already in sync.
const SkipReasonRedundantExport = "RedundantExport"

// ProvisionResult is the decoded answer of provisionOnDemand.
type ProvisionResult struct {
	RequestID string // request-id header of the successful call
	Key       string // raw key string as Graph returned it
	Value     string // raw value string as Graph returned it

	KeyResult       string // canonical status from key.result ("" when absent/unreadable)
	KeyErrorCode    string // key.details.errorCode
	KeyErrorMessage string // key.details.errorMessage

	// Status is the most severe status over all entries (Failure > Warning > Skipped > Success),
	// or KeyResult when there are no entries; "" when no status can be read at all.
	Status  string
	Entries []ProvisioningEntry
}

// ProvisioningEntry is one entry of the answer (one subject or member).
type ProvisioningEntry struct {
	Action               string
	ChangeID             string
	ReportableIdentifier string
	Status               string // canonical spelling when recognised, else as sent
	ErrorCode            string // statusInfo.errorCode, else statusInfo.reason (e.g. RedundantExport)
	ErrorMessage         string // statusInfo.additionalDetails / reason text
	RecommendedAction    string
	SourceIdentityID     string
	SourceIdentityType   string
	TargetIdentityID     string
	TargetIdentityType   string
	SourceSystem         string // sourceSystem.name
	TargetSystem         string // targetSystem.name
	StartTime            string
	EndTime              string
	Steps                []ProvisioningStep
	ModifiedProperties   []ModifiedProperty
}

// ProvisioningStep is one step (import, scoping, matching, export...) of an entry.
type ProvisioningStep struct {
	Name        string
	Type        string
	Status      string
	Description string
	Timestamp   string
	Details     map[string]string
}

// ModifiedProperty is one attribute change of an entry.
type ModifiedProperty struct {
	Name     string
	OldValue string
	NewValue string
}

// DecodeProvisionResult decodes the key and value strings of a provisionOnDemand answer. It
// accepts all documented shapes (see graph-provisioning-api.md §2), never fails and never
// panics: whatever cannot be read stays empty, and Status is "" when no status is readable.
func DecodeProvisionResult(key, value string) *ProvisionResult {
	r := &ProvisionResult{Key: key, Value: value}

	// Shape C sends a type name instead of JSON as the key: it carries no result.
	var k struct {
		Result  jsonText `json:"result"`
		Details lenient[struct {
			ErrorCode    jsonText `json:"errorCode"`
			ErrorMessage jsonText `json:"errorMessage"`
		}] `json:"details"`
	}
	if json.Unmarshal([]byte(key), &k) == nil {
		r.KeyResult = canonicalStatus(string(k.Result))
		r.KeyErrorCode = string(k.Details.v.ErrorCode)
		r.KeyErrorMessage = string(k.Details.v.ErrorMessage)
	}

	r.Entries = decodeEntries(value)
	r.Status = r.KeyResult
	worst := 0
	for _, e := range r.Entries {
		if s := severity(e.Status); s > worst {
			worst, r.Status = s, e.Status
		}
	}
	return r
}

// decodeEntries reads value as one entry object (shapes A and B, where B's {} holds none) or
// an array of them (shape C). Elements that are not non-empty objects are skipped.
func decodeEntries(value string) []ProvisioningEntry {
	v := strings.TrimSpace(value)
	var raws []json.RawMessage
	if strings.HasPrefix(v, "[") {
		if json.Unmarshal([]byte(v), &raws) != nil {
			return nil
		}
	} else {
		raws = []json.RawMessage{json.RawMessage(v)}
	}
	var entries []ProvisioningEntry
	for _, raw := range raws {
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw, &fields) != nil || len(fields) == 0 {
			continue
		}
		var w wireEntry
		if json.Unmarshal(raw, &w) == nil {
			entries = append(entries, w.entry())
		}
	}
	return entries
}

// wireEntry is an entry as Graph sends it. Every field is lenient: a wrong type leaves that
// field empty instead of failing the whole entry.
type wireEntry struct {
	Action               jsonText `json:"action"`
	ChangeID             jsonText `json:"changeId"`
	StartTime            jsonText `json:"startTime"`
	EndTime              jsonText `json:"endTime"`
	ReportableIdentifier jsonText `json:"reportableIdentifier"`
	StatusInfo           lenient[struct {
		Status            jsonText `json:"status"`
		ErrorCode         jsonText `json:"errorCode"`
		Reason            jsonText `json:"reason"`
		AdditionalDetails jsonText `json:"additionalDetails"`
		RecommendedAction jsonText `json:"recommendedAction"`
	}] `json:"statusInfo"`
	SourceIdentity     lenient[wireIdentity]                    `json:"sourceIdentity"`
	TargetIdentity     lenient[wireIdentity]                    `json:"targetIdentity"`
	SourceSystem       lenient[wireIdentity]                    `json:"sourceSystem"`
	TargetSystem       lenient[wireIdentity]                    `json:"targetSystem"`
	ModifiedProperties lenient[[]lenient[wireModifiedProperty]] `json:"modifiedProperties"`
	ProvisioningSteps  lenient[[]lenient[wireStep]]             `json:"provisioningSteps"`
}

type wireIdentity struct {
	ID   jsonText `json:"id"`
	Type jsonText `json:"type"`
	Name jsonText `json:"name"`
}

type wireModifiedProperty struct {
	DisplayName jsonText `json:"displayName"`
	OldValue    jsonText `json:"oldValue"`
	NewValue    jsonText `json:"newValue"`
}

type wireStep struct {
	Name        jsonText                     `json:"name"`
	Type        jsonText                     `json:"type"`
	Status      jsonText                     `json:"status"`
	Description jsonText                     `json:"description"`
	Timestamp   jsonText                     `json:"timestamp"`
	Details     lenient[map[string]jsonText] `json:"details"`
}

func (w *wireEntry) entry() ProvisioningEntry {
	si := w.StatusInfo.v
	// errorCode is the documented code; Graph puts codes such as RedundantExport (the skip
	// reason) into reason instead, or prose. additionalDetails is the explanation, else the
	// reason when it was not taken as the code.
	code, reason := string(si.ErrorCode), string(si.Reason)
	if code == "" && codeLike(reason) {
		code = reason
	}
	msg := string(si.AdditionalDetails)
	if msg == "" && reason != code {
		msg = reason
	}
	e := ProvisioningEntry{
		Action:               string(w.Action),
		ChangeID:             string(w.ChangeID),
		ReportableIdentifier: string(w.ReportableIdentifier),
		Status:               canonicalStatus(string(si.Status)),
		ErrorCode:            code,
		ErrorMessage:         msg,
		RecommendedAction:    string(si.RecommendedAction),
		SourceIdentityID:     string(w.SourceIdentity.v.ID),
		SourceIdentityType:   string(w.SourceIdentity.v.Type),
		TargetIdentityID:     string(w.TargetIdentity.v.ID),
		TargetIdentityType:   string(w.TargetIdentity.v.Type),
		SourceSystem:         string(w.SourceSystem.v.Name),
		TargetSystem:         string(w.TargetSystem.v.Name),
		StartTime:            string(w.StartTime),
		EndTime:              string(w.EndTime),
	}
	for _, s := range w.ProvisioningSteps.v {
		if !s.ok {
			continue
		}
		step := ProvisioningStep{
			Name:        string(s.v.Name),
			Type:        string(s.v.Type),
			Status:      canonicalStatus(string(s.v.Status)),
			Description: string(s.v.Description),
			Timestamp:   string(s.v.Timestamp),
		}
		if len(s.v.Details.v) > 0 {
			step.Details = make(map[string]string, len(s.v.Details.v))
			for k, v := range s.v.Details.v {
				step.Details[k] = string(v)
			}
		}
		e.Steps = append(e.Steps, step)
	}
	for _, p := range w.ModifiedProperties.v {
		if !p.ok {
			continue
		}
		e.ModifiedProperties = append(e.ModifiedProperties, ModifiedProperty{
			Name:     string(p.v.DisplayName),
			OldValue: string(p.v.OldValue),
			NewValue: string(p.v.NewValue),
		})
	}
	return e
}

// canonicalStatus spells the known statuses canonically, whatever their case; others stay as sent.
func canonicalStatus(s string) string {
	s = strings.TrimSpace(s)
	for _, c := range []string{StatusSuccess, StatusWarning, StatusSkipped, StatusFailure} {
		if strings.EqualFold(s, c) {
			return c
		}
	}
	return s
}

// severity orders statuses for ProvisionResult.Status; an unknown status counts as a warning.
func severity(status string) int {
	switch status {
	case "":
		return 0
	case StatusSuccess:
		return 1
	case StatusSkipped:
		return 2
	case StatusFailure:
		return 4
	default:
		return 3
	}
}

// codeLike tells an identifier such as RedundantExport from a sentence.
func codeLike(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// jsonText accepts any JSON value: a string as is, null as "", anything else as its compact JSON
// text, always valid UTF-8 as Terraform state requires.
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*t = jsonText(s)
		}
	default:
		var buf bytes.Buffer
		if json.Compact(&buf, b) == nil {
			*t = jsonText(strings.ToValidUTF8(buf.String(), "\uFFFD"))
		}
	}
	return nil
}

// lenient decodes a T when the JSON fits and otherwise stays zero (ok false, as for null),
// without failing its parent.
type lenient[T any] struct {
	v  T
	ok bool
}

func (l *lenient[T]) UnmarshalJSON(b []byte) error {
	var v T
	if string(b) != "null" && json.Unmarshal(b, &v) == nil {
		l.v, l.ok = v, true
	}
	return nil
}
