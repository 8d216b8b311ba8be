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
