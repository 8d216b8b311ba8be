package fakegraph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The answer forms below follow the examples of "synchronizationJob: provisionOnDemand"
// (https://learn.microsoft.com/graph/api/synchronization-synchronizationjob-provisionondemand,
// v1.0 and beta): Example 1 (a user already in sync), Example 2 (Cloud Sync) and Example 3 (a
// group and two of its members, answered "{}"); and the "Configure cross-tenant synchronization
// using PowerShell or Microsoft Graph API" guide, whose answer keys the entries with the literal
// StatusInfo type name even for one user.

// GroupAnswer is how provisionOnDemand answers a group sent with members.
type GroupAnswer string

const (
	// GroupAnswerPerMember: key StatusInfo, value an array with the group's entry then one per member.
	GroupAnswerPerMember GroupAnswer = "perMember"
	// GroupAnswerEmpty: key {"result":...,"details":{}} and value "{}", no entry per member (Example 3).
	GroupAnswerEmpty GroupAnswer = "empty"
)

// inSyncMessage is key.details.errorMessage of Example 1.
const inSyncMessage = "The state of the user in both the source and target systems already match."

// UserBillBobID is assigned to the app like Ada; its second call answers exactly as Example 1
// ("user already in sync"): statusInfo.errorCode and reason null, RedundantExport only in the
// key's details.errorCode and the skip step's details.SkipReason.
const (
	UserBillBobID            = "52cf7b7a-52be-4a9b-9c69-e4d4a4a14f76"
	UserBillBobPrincipalName = "bill.bob@example.com"
)

// CloudSyncDocumentedUserDN answers as Example 2 (Cloud Sync) in full, as CloudSyncUserDN does.
const CloudSyncDocumentedUserDN = "CN=Adele Vest,CN=Users,DC=corp,DC=example,DC=com"

// UserPendingAssignmentID is a user of the SCIM job's directory that is not assigned to the app:
// it is out of scope (NotEffectivelyEntitled) until AssignAt makes an assignment effective.
const (
	UserPendingAssignmentID            = "1a6e9c3f-4d8b-4f27-b5e0-8c2d7a1f9e64"
	UserPendingAssignmentPrincipalName = "kai.novak@example.com"
)

func defaultGroupAnswers() map[string]GroupAnswer {
	return map[string]GroupAnswer{strings.ToLower(GroupDivisionID): GroupAnswerEmpty}
}

// SetGroupAnswer chooses how provisionOnDemand answers the group when it is sent with members.
// Groups answer GroupAnswerPerMember unless set, except GroupDivisionID (GroupAnswerEmpty).
func (s *Server) SetGroupAnswer(groupID string, answer GroupAnswer) error {
	if answer != GroupAnswerPerMember && answer != GroupAnswerEmpty {
		return fmt.Errorf("fakegraph: unknown group answer %q (want %q or %q)", answer, GroupAnswerPerMember, GroupAnswerEmpty)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[strings.ToLower(groupID)] = answer
	return nil
}

// AssignAt assigns an object of the job's source (a user or group) to the app, effective from
// effective on the server's clock (Options.Now). Before then provisionOnDemand answers it as
// out of scope, Skipped with NotEffectivelyEntitled, as Entra does while a new assignment is
// not yet seen by provisioning ("On-demand provisioning in Microsoft Entra ID": "No user or
// group will be provisioned on demand that would not have been provisioned through the regular
// provisioning cycles").
func (s *Server) AssignAt(servicePrincipalID, jobID, objectID string, effective time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	jk := jobKey(servicePrincipalID, jobID)
	j := s.jobs[jk]
	if j == nil {
		return fmt.Errorf("fakegraph: no synchronization job %q for service principal %q", jobID, servicePrincipalID)
	}
	if j.object(objectID) == nil {
		return fmt.Errorf("fakegraph: job %q has no source object %q", jobID, objectID)
	}
	if s.assignments[jk] == nil {
		s.assignments[jk] = map[string]time.Time{}
	}
	s.assignments[jk][j.lookupKey(objectID)] = effective
	return nil
}

// seedDirectoryExtras adds the teams and the user waiting for an assignment.
func seedDirectoryExtras(j *job) {
	seedTeams(j)
	kai := entraUser(UserPendingAssignmentID, "Kai", "Novak", UserPendingAssignmentPrincipalName, UserPendingAssignmentPrincipalName, false)
	kai.skipDetails = outOfScopeUserDetails
	j.add(kai)
	j.add(entraUser(UserBillBobID, "Bill", "Bob", UserBillBobPrincipalName, UserBillBobPrincipalName, true))
}

// inScope tells whether o is in scope when the call arrived: seeded so, or assigned with an
// assignment already effective.
func (b *entryBuilder) inScope(o *sourceObject) bool {
	if o.inScope {
		return true
	}
	effective, ok := b.assigned[b.j.lookupKey(o.id)]
	return ok && !b.received.Before(effective)
}

// alreadyInSync finishes the entry of an object the target already holds as the source says.
func (b *entryBuilder) alreadyInSync(e *entry, typeName string, o *sourceObject) entry {
	e.inSync = true
	b.step(e, "EntrySynchronizationSkip", "Export", statusSkipped,
		fmt.Sprintf("The state of the %s in both the source and target systems already match. No change to the %s '%s' currently needs to be made.",
			strings.ToLower(typeName), typeName, o.reportable),
		map[string]string{"SkipReason": ReasonRedundantExport})
	return b.finish(e, statusSkipped, "", "", "", "", "")
}

// keyDetails is key.details of a single-entry answer: empty on success, else the code and the
// message, which for an entry in sync are only here and in the step (Example 1).
func keyDetails(e entry) map[string]string {
	details := map[string]string{}
	if e.StatusInfo.Status == statusSuccess {
		return details
	}
	code, message := deref(e.StatusInfo.ErrorCode), deref(e.StatusInfo.AdditionalDetails)
	if e.inSync && code == "" {
		code, message = ReasonRedundantExport, inSyncMessage
	}
	details["errorCode"] = code
	details["errorMessage"] = message
	return details
}

// emptyGroupAnswer is Example 3: the key's result and no entries. The result is Failure when
// any entry failed, Skipped when the group itself was skipped other than in sync, else Success.
func emptyGroupAnswer(entries []entry) (key, value string) {
	result := statusSuccess
	if g := entries[0]; g.StatusInfo.Status == statusSkipped && !g.inSync {
		result = statusSkipped
	}
	for _, e := range entries {
		if e.StatusInfo.Status == statusFailure {
			result = statusFailure
		}
	}
	return string(marshal(resultKey{Result: result, Details: map[string]string{}})), "{}"
}

// cloudSyncEntry renders an entry as Example 2 does: no null fields, identities and systems
// with only id/type and name, statusInfo with only status. The source id is the AD objectGUID.
func cloudSyncEntry(e entry) map[string]any {
	modified := make([]map[string]string, len(e.ModifiedProperties))
	for i, p := range e.ModifiedProperties {
		modified[i] = map[string]string{"displayName": p.DisplayName, "newValue": deref(p.NewValue)}
	}
	return map[string]any{
		"action":               e.Action,
		"changeId":             e.ChangeID,
		"startTime":            e.StartTime,
		"endTime":              e.EndTime,
		"reportableIdentifier": e.ReportableIdentifier,
		"provisioningSteps":    e.ProvisioningSteps,
		"modifiedProperties":   modified,
		"sourceIdentity":       map[string]string{"id": objectGUID(e.SourceIdentity.ID), "type": e.SourceIdentity.Type},
		"sourceSystem":         map[string]string{"name": e.SourceSystem.Name},
		"statusInfo":           map[string]string{"status": e.StatusInfo.Status},
		"targetIdentity":       map[string]string{"id": e.TargetIdentity.ID, "type": e.TargetIdentity.Type},
		"targetSystem":         map[string]string{"name": e.TargetSystem.Name},
	}
}

func objectGUID(distinguishedName string) string {
	return uuid.NewSHA1(uuid.NameSpaceX500, []byte(strings.ToLower(distinguishedName))).String()
}

// assignmentRequest is the JSON of POST /_fake/assignments; effectiveAfter is a Go duration
// from now on the server's clock ("" or "0s": effective at once).
type assignmentRequest struct {
	ServicePrincipalID string `json:"servicePrincipalId"`
	JobID              string `json:"jobId"`
	ObjectID           string `json:"objectId"`
	EffectiveAfter     string `json:"effectiveAfter"`
}

func (s *Server) serveAssign(x *exchange) {
	var req assignmentRequest
	if !s.readControl(x, &req, "assignment") {
		return
	}
	var after time.Duration
	var err error
	if req.EffectiveAfter != "" {
		if after, err = time.ParseDuration(req.EffectiveAfter); err != nil {
			s.writeError(x, http.StatusBadRequest, "BadRequest", "Invalid effectiveAfter: "+err.Error())
			return
		}
	}
	if err := s.AssignAt(req.ServicePrincipalID, req.JobID, req.ObjectID, s.now().Add(after)); err != nil {
		s.writeError(x, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	s.writeJSON(x, http.StatusCreated, req)
}

// groupAnswerRequest is the JSON of POST /_fake/group-answers.
type groupAnswerRequest struct {
	GroupID string      `json:"groupId"`
	Answer  GroupAnswer `json:"answer"`
}

func (s *Server) serveGroupAnswer(x *exchange) {
	var req groupAnswerRequest
	if !s.readControl(x, &req, "group answer") {
		return
	}
	if err := s.SetGroupAnswer(req.GroupID, req.Answer); err != nil {
		s.writeError(x, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	s.writeJSON(x, http.StatusCreated, req)
}

// readControl decodes a control request's JSON body, answering 405 or 400 (naming what) when
// it cannot.
func (s *Server) readControl(x *exchange, v any, what string) bool {
	if x.r.Method != http.MethodPost {
		s.controlMethodNotAllowed(x, http.MethodPost)
		return false
	}
	body, err := io.ReadAll(io.LimitReader(x.r.Body, maxBodyBytes))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		s.writeError(x, http.StatusBadRequest, "BadRequest", "Invalid "+what+": "+err.Error())
		return false
	}
	return true
}

// logSubjects records the call's subjects and members in its log entry.
func (s *Server) logSubjects(x *exchange, params []parameterRequest) {
	var subjects []LoggedSubject
	for _, p := range params {
		for _, subject := range p.subjects {
			logged := LoggedSubject{ObjectID: subject.objectID, ObjectTypeName: subject.objectTypeName}
			for _, m := range subject.members {
				logged.Members = append(logged.Members, m.objectID)
			}
			subjects = append(subjects, logged)
		}
	}
	s.mu.Lock()
	x.entry.Subjects = subjects
	s.mu.Unlock()
}
