package graph

import "strings"

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
	if code == "" && codeLike(reason) || strings.EqualFold(strings.TrimSpace(reason), SkipReasonRedundantExport) {
		code = strings.TrimSpace(reason)
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
	if e.ErrorCode == "" {
		e.ErrorCode = stepSkipReason(e.Steps)
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

// stepSkipReason is the SkipReason detail of a skipped step, "" when none: Graph answers a
// subject already in sync with statusInfo.errorCode and reason null and RedundantExport only
// there (Example 1 of the provisionOnDemand reference; every member of a group in sync too).
func stepSkipReason(steps []ProvisioningStep) string {
	for _, s := range steps {
		for k, v := range s.Details {
			if strings.EqualFold(k, "SkipReason") && s.Status == StatusSkipped && codeLike(v) {
				return v
			}
		}
	}
	return ""
}
