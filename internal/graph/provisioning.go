package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
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

	// Status is the most severe status over all entries and the key's result (Failure > Warning >
	// Skipped > Success): a key that says Failure is never hidden by entries that say Success.
	// "" when no status can be read at all.
	Status  string
	Entries []ProvisioningEntry
}

// ProvisioningEntry is one entry of the answer (one subject or member).
type ProvisioningEntry struct {
	Action               string
	ChangeID             string
	ReportableIdentifier string
	Status               string // canonical spelling when recognised, else as sent
	ErrorCode            string // statusInfo.errorCode, else statusInfo.reason; RedundantExport when already in sync
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

// ProvisionOnDemand provisions the subjects of req through the job now. A success, skip or
// failure of the provisioning itself is a result; an error is a Graph error (*Error), a
// throttle that outlasts ctx's deadline (*ThrottledError), or a transport failure.
func (c *Client) ProvisionOnDemand(ctx context.Context, servicePrincipalID, jobID string, req ProvisionRequest) (*ProvisionResult, error) {
	if servicePrincipalID == "" || jobID == "" {
		return nil, errors.New("graph: provisionOnDemand needs a service principal id and a job id")
	}
	key := jobKey(c.endpoint, servicePrincipalID, jobID)
	job := &jobCall{servicePrincipalID: servicePrincipalID, jobID: jobID, limiter: limiterFor(key, c.limit, c.interval)}
	if c.sharedDir != "" {
		job.limiter.share(c.sharedDir, key, c.tryTimeout)
	}
	path := "/servicePrincipals/" + url.PathEscape(servicePrincipalID) +
		"/synchronization/jobs/" + url.PathEscape(jobID) + "/provisionOnDemand"
	payload, requestID, err := c.do(ctx, http.MethodPost, path, req, job)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Key   jsonText `json:"key"`
		Value jsonText `json:"value"`
	}
	if err := json.Unmarshal(payload, &answer); err != nil {
		// Not the documented {key, value} object (a gateway's HTML page, an empty body): keep the
		// body as the value, from which no status can be read.
		c.emit(ctx, UnreadableAnswerEvent{RequestID: requestID, Error: err.Error()})
		return &ProvisionResult{RequestID: requestID, Value: strings.ToValidUTF8(string(payload), "\uFFFD")}, nil
	}
	r := DecodeProvisionResult(string(answer.Key), string(answer.Value))
	r.RequestID = requestID
	return r, nil
}

// DecodeProvisionResult decodes the key and value strings of a provisionOnDemand answer. It
// accepts the three shapes Microsoft documents (reference page "synchronizationJob:
// provisionOnDemand", https://learn.microsoft.com/graph/api/synchronization-synchronizationjob-provisionondemand):
// A, a key {"result", "details"} and one entry as value; B, the same key and {} (groups); C, a
// type name as key and an array of entries. It never fails and never panics: whatever cannot be
// read stays empty, and Status is "" when no status is readable (docs/functions/decode_provisioning_result.md).
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
	markAlreadyInSync(r)
	r.Status = r.KeyResult
	worst := severity(r.KeyResult)
	for _, e := range r.Entries {
		if s := severity(e.Status); s > worst {
			worst, r.Status = s, e.Status
		}
	}
	return r
}

// AlreadyInSync tells a subject that was skipped because the target already holds it as the
// source says: the desired state, so a success.
func (e ProvisioningEntry) AlreadyInSync() bool {
	return e.Status == StatusSkipped && strings.EqualFold(e.ErrorCode, SkipReasonRedundantExport)
}

// KeyAlreadyInSync tells an answer whose key says "skipped, already in sync" (Example 3's form
// for a group that lists no entries).
func (r *ProvisionResult) KeyAlreadyInSync() bool {
	return r.KeyResult == StatusSkipped && strings.EqualFold(r.KeyErrorCode, SkipReasonRedundantExport)
}

// markAlreadyInSync sets ErrorCode to RedundantExport on every skipped entry that Graph says is
// already in sync, wherever it says it. Example 1 of "synchronizationJob: provisionOnDemand"
// leaves statusInfo.errorCode and reason null and writes RedundantExport only in the key's
// details.errorCode and the skip step's details.SkipReason; other answers write it in
// statusInfo. The key speaks for an entry when the answer has only that entry, or when every
// entry is skipped as the key's result says.
func markAlreadyInSync(r *ProvisionResult) {
	keyApplies := strings.EqualFold(r.KeyErrorCode, SkipReasonRedundantExport) &&
		(len(r.Entries) == 1 || r.KeyResult == StatusSkipped && allSkipped(r.Entries))
	for i := range r.Entries {
		e := &r.Entries[i]
		if e.Status != StatusSkipped {
			continue
		}
		if keyApplies || strings.EqualFold(e.ErrorCode, SkipReasonRedundantExport) || stepSaysInSync(e.Steps) {
			e.ErrorCode = SkipReasonRedundantExport
		}
	}
}

func allSkipped(entries []ProvisioningEntry) bool {
	for _, e := range entries {
		if e.Status != StatusSkipped {
			return false
		}
	}
	return true
}

// stepSaysInSync tells whether a step's details.SkipReason (any case of name and value) is
// RedundantExport.
func stepSaysInSync(steps []ProvisioningStep) bool {
	for _, s := range steps {
		for k, v := range s.Details {
			if strings.EqualFold(k, "SkipReason") && strings.EqualFold(strings.TrimSpace(v), SkipReasonRedundantExport) {
				return true
			}
		}
	}
	return false
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

// MostSevereStatus is the most severe of statuses (Failure > Warning > Skipped > Success, an
// unknown status counting as a warning), as ProvisionResult.Status is for one answer; "" for none.
func MostSevereStatus(statuses ...string) string {
	worst := ""
	for _, s := range statuses {
		if severity(s) > severity(worst) {
			worst = s
		}
	}
	return worst
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
