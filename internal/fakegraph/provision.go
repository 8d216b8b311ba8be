package fakegraph

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// statusInfoKey is the key of answer shape C, whose value is a JSON array of entries.
const statusInfoKey = "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"

// maxGroupMembers is how many members one provisionOnDemand call may carry for a group.
const maxGroupMembers = 5

type apiError struct {
	status  int
	code    string
	message string
}

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...)}
}

const unreadablePayload = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."

type parameterRequest struct {
	ruleID   string
	subjects []subjectRequest
}

type subjectRequest struct {
	objectID       string
	objectTypeName string
	members        []subjectRequest
}

// synced is what the target system holds for a provisioned object.
type synced struct {
	targetID string
	members  map[string]bool // lookup keys of linked members
}

func (s *Server) serveProvision(x *exchange, rt route, j *job, body []byte) {
	if len(body) > maxBodyBytes {
		s.writeError(x, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is too large.")
		return
	}
	if s.opts.ForbiddenToken != "" && bearerToken(x.r) == s.opts.ForbiddenToken {
		s.writeError(x, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return
	}
	if mediaType, _, err := mime.ParseMediaType(x.r.Header.Get("Content-Type")); err != nil || mediaType != "application/json" {
		s.writeError(x, http.StatusBadRequest, "BadRequest", unreadablePayload)
		return
	}
	params, apiErr := decodeProvisionRequest(body)
	s.logSubjects(x, params)
	s.mu.Lock() // a schema PUT or a secrets PUT may change the rule and the credentials
	if apiErr == nil {
		apiErr = j.validate(params)
	}
	missing := j.credentialsMissing
	s.mu.Unlock()
	if apiErr == nil && missing {
		apiErr = badRequest("CredentialsMissing",
			"Admin credentials for the target system have not been saved for this job. Enter the tenant URL and secret token, test the connection and save the configuration, then retry.")
	}
	if apiErr != nil {
		s.writeError(x, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	s.mu.Lock()
	key, value := s.provision(j, params, x.entry.Time)
	s.mu.Unlock()
	s.writeJSON(x, http.StatusOK, map[string]string{
		"@odata.context": odataBase(x.r, rt.version) + stringKeyStringValuePair,
		"key":            key,
		"value":          value,
	})
}

// decodeProvisionRequest reads the body like Graph's OData reader: property names are
// case-sensitive and unknown ones are rejected (annotations such as @odata.type are allowed).
func decodeProvisionRequest(body []byte) ([]parameterRequest, *apiError) {
	top, err := decodeObject(body, "", "parameters")
	if err != nil {
		return nil, err
	}
	rawParams, err := decodeArray(top, "parameters")
	if err != nil {
		return nil, err
	}
	params := make([]parameterRequest, 0, len(rawParams))
	for _, raw := range rawParams {
		fields, err := decodeObject(raw, "synchronizationJobApplicationParameters", "ruleId", "subjects")
		if err != nil {
			return nil, err
		}
		var p parameterRequest
		if p.ruleID, err = decodeString(fields, "ruleId"); err != nil {
			return nil, err
		}
		rawSubjects, err := decodeArray(fields, "subjects")
		if err != nil {
			return nil, err
		}
		for _, rawSubject := range rawSubjects {
			subject, err := decodeSubject(rawSubject)
			if err != nil {
				return nil, err
			}
			p.subjects = append(p.subjects, subject)
		}
		params = append(params, p)
	}
	return params, nil
}

func decodeSubject(raw json.RawMessage) (subjectRequest, *apiError) {
	var subject subjectRequest
	fields, err := decodeObject(raw, "synchronizationJobSubject", "objectId", "objectTypeName", "links")
	if err != nil {
		return subject, err
	}
	if subject.objectID, err = decodeString(fields, "objectId"); err != nil {
		return subject, err
	}
	if subject.objectTypeName, err = decodeString(fields, "objectTypeName"); err != nil {
		return subject, err
	}
	rawLinks, ok := fields["links"]
	if !ok || isNull(rawLinks) {
		return subject, nil
	}
	links, err := decodeObject(rawLinks, "synchronizationLinkedObjects", "manager", "members", "owners")
	if err != nil {
		return subject, err
	}
	rawMembers, err := decodeArray(links, "members")
	if err != nil {
		return subject, err
	}
	for _, rawMember := range rawMembers {
		member, err := decodeSubject(rawMember)
		if err != nil {
			return subject, err
		}
		subject.members = append(subject.members, member)
	}
	return subject, nil
}

// decodeObject decodes a JSON object and rejects properties other than allowed. typeName ""
// means the action's parameters.
func decodeObject(raw []byte, typeName string, allowed ...string) (map[string]json.RawMessage, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, badRequest("BadRequest", unreadablePayload)
	}
	for name := range fields {
		if strings.HasPrefix(name, "@") || strings.Contains(name, "@odata.") {
			continue
		}
		known := false
		for _, a := range allowed {
			known = known || name == a
		}
		if known {
			continue
		}
		if typeName == "" {
			return nil, badRequest("BadRequest", "The parameter '%s' in the request payload is not a valid parameter for the operation 'provisionOnDemand'.", name)
		}
		return nil, badRequest("BadRequest", "The property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type.", name, typeName)
	}
	return fields, nil
}

func isNull(raw json.RawMessage) bool {
	return strings.TrimSpace(string(raw)) == "null"
}

func decodeString(fields map[string]json.RawMessage, name string) (string, *apiError) {
	raw, ok := fields[name]
	if !ok || isNull(raw) {
		return "", nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", badRequest("BadRequest", "Cannot convert the value of property '%s' to the expected type 'Edm.String'.", name)
	}
	return v, nil
}

func decodeArray(fields map[string]json.RawMessage, name string) ([]json.RawMessage, *apiError) {
	raw, ok := fields[name]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var v []json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, badRequest("BadRequest", "An unexpected value was found for property '%s'; a collection was expected.", name)
	}
	return v, nil
}

// validate checks the request against the job before anything is provisioned.
func (j *job) validate(params []parameterRequest) *apiError {
	if len(params) == 0 {
		return badRequest("BadRequest", "The parameter 'parameters' must contain at least one synchronizationJobApplicationParameters.")
	}
	groups := 0
	for _, p := range params {
		if p.ruleID != j.rule.id {
			return badRequest("RequestParameterInvalid", "The job does not include the rule '%s'.", p.ruleID)
		}
		if len(p.subjects) == 0 {
			return badRequest("RequestParameterInvalid", "At least one subject is required to provision on demand.")
		}
		for _, subject := range p.subjects {
			if subject.objectID == "" {
				return badRequest("RequestParameterInvalid", "The subject's objectId is required.")
			}
			if _, ok := j.mapping(subject.objectTypeName); !ok {
				if j.groupsUnsupported && strings.EqualFold(subject.objectTypeName, "Group") {
					return badRequest("RequestParameterInvalid", "Provisioning groups on demand is not supported for this job.")
				}
				return badRequest("RequestParameterInvalid", "The objectTypeName '%s' is not supported by the rule '%s'. Supported values: %s.",
					subject.objectTypeName, j.rule.id, strings.Join(j.sourceObjectNames(), ", "))
			}
			if subject.objectTypeName != "Group" {
				continue
			}
			if groups++; groups > 1 {
				return badRequest("RequestParameterInvalid", "Only one group can be provisioned on demand per request.")
			}
			if len(subject.members) > maxGroupMembers {
				return badRequest("RequestParameterInvalid", "A group can be provisioned on demand with at most %d members per request; the request has %d.",
					maxGroupMembers, len(subject.members))
			}
		}
	}
	return nil
}

func (j *job) sourceObjectNames() []string {
	names := make([]string, len(j.rule.mappings))
	for i, m := range j.rule.mappings {
		names[i] = m.source
	}
	return names
}

// provision runs a validated request and returns the answer's key and value strings.
// The caller holds s.mu.
func (s *Server) provision(j *job, params []parameterRequest, received time.Time) (key, value string) {
	jk := jobKey(j.servicePrincipalID, j.id)
	state := s.provisioned[jk]
	if state == nil {
		state = map[string]*synced{}
		s.provisioned[jk] = state
	}
	b := &entryBuilder{j: j, state: state, clock: received, received: received, assigned: s.assignments[jk]}
	var subjects []subjectRequest
	for _, p := range params {
		subjects = append(subjects, p.subjects...)
	}
	var entries []entry
	for _, subject := range subjects {
		if subject.objectTypeName == "Group" {
			entries = append(entries, b.provisionGroup(subject)...)
			continue
		}
		entries = append(entries, b.provisionObject(subject.objectID, subject.objectTypeName, nil))
	}

	single := len(subjects) == 1
	if single && subjects[0].objectTypeName == "Group" && len(subjects[0].members) == 0 && inTarget(entries[0]) {
		return string(marshal(resultKey{Result: statusSuccess, Details: map[string]string{}})), "{}"
	}
	if single && subjects[0].objectTypeName == "Group" && len(subjects[0].members) > 0 && s.answers[strings.ToLower(subjects[0].objectID)] == GroupAnswerEmpty {
		return emptyGroupAnswer(entries)
	}
	if single && len(entries) == 1 && !j.statusInfoKeyAlways {
		return j.shapeAKey(entries[0]), string(marshal(j.render(entries[0])))
	}
	rendered := make([]any, len(entries))
	for i, e := range entries {
		rendered[i] = j.render(e)
	}
	return statusInfoKey, string(marshal(rendered))
}

type resultKey struct {
	Result  string            `json:"result"`
	Details map[string]string `json:"details"`
}

// shapeAKey is the key of answer shape A.
func (j *job) shapeAKey(e entry) string {
	return string(marshal(resultKey{Result: e.StatusInfo.Status, Details: keyDetails(e)}))
}

// render returns the entry as the job's system reports it.
func (j *job) render(e entry) any {
	if j.minimalEntries {
		return cloudSyncEntry(e)
	}
	return e
}

// inTarget reports whether the entry's object now exists in the target as the source says.
func inTarget(e entry) bool {
	return e.StatusInfo.Status == statusSuccess || e.inSync
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

const (
	statusSuccess = "Success"
	statusSkipped = "Skipped"
	statusFailure = "Failure"
)

type entry struct {
	Action               string             `json:"action"`
	ChangeID             string             `json:"changeId"`
	StartTime            string             `json:"startTime"`
	EndTime              string             `json:"endTime"`
	ReportableIdentifier string             `json:"reportableIdentifier"`
	StatusInfo           statusInfo         `json:"statusInfo"`
	SourceIdentity       identity           `json:"sourceIdentity"`
	TargetIdentity       identity           `json:"targetIdentity"`
	SourceSystem         system             `json:"sourceSystem"`
	TargetSystem         system             `json:"targetSystem"`
	ModifiedProperties   []modifiedProperty `json:"modifiedProperties"`
	ProvisioningSteps    []step             `json:"provisioningSteps"`
	inSync               bool               // the target already held the object as the source says
}

type statusInfo struct {
	Status            string  `json:"status"`
	ErrorCode         *string `json:"errorCode"`
	Reason            *string `json:"reason"`
	AdditionalDetails *string `json:"additionalDetails"`
	ErrorCategory     *string `json:"errorCategory"`
	RecommendedAction *string `json:"recommendedAction"`
}

type identity struct {
	ID          string            `json:"id"`
	Type        string            `json:"type"`
	DisplayName *string           `json:"displayName"`
	Details     map[string]string `json:"details"`
}

type system struct {
	ID      *string           `json:"id"`
	Name    string            `json:"name"`
	Details map[string]string `json:"details"`
}

type modifiedProperty struct {
	DisplayName string  `json:"displayName"`
	OldValue    *string `json:"oldValue"`
	NewValue    *string `json:"newValue"`
}

type step struct {
	Name        string            `json:"name"`
	Type        string            `json:"type"`
	Status      string            `json:"status"`
	Description string            `json:"description"`
	Timestamp   string            `json:"timestamp"`
	Details     map[string]string `json:"details"`
}

func ptr(s string) *string { return &s }

// optional is nil (JSON null) for "".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// entryBuilder produces the entries of one call, advancing a clock through their steps.
type entryBuilder struct {
	j        *job
	state    map[string]*synced
	clock    time.Time
	received time.Time            // when the call arrived, for assignments
	assigned map[string]time.Time // the job's assignments: lookup key -> effective from
}

func (b *entryBuilder) tick() string {
	b.clock = b.clock.Add(23 * time.Millisecond)
	return b.clock.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

func (b *entryBuilder) begin(id, typeName string, o *sourceObject) entry {
	e := entry{
		Action:               "Other",
		ChangeID:             uuid.NewString(),
		StartTime:            b.tick(),
		ReportableIdentifier: id,
		SourceIdentity:       identity{ID: id, Type: typeName},
		SourceSystem:         system{Name: b.j.sourceSystem},
		TargetSystem:         system{Name: b.j.targetSystem},
		ModifiedProperties:   []modifiedProperty{},
		ProvisioningSteps:    []step{},
	}
	if m, ok := b.j.mapping(typeName); ok {
		e.TargetIdentity.Type = m.target
	}
	if o != nil {
		e.ReportableIdentifier = o.reportable
		e.SourceIdentity.DisplayName = ptr(o.displayName)
		e.TargetIdentity.DisplayName = ptr(o.displayName)
	}
	return e
}

func (b *entryBuilder) step(e *entry, name, stepType, status, description string, details map[string]string) {
	if details == nil {
		details = map[string]string{}
	}
	e.ProvisioningSteps = append(e.ProvisioningSteps, step{
		Name: name, Type: stepType, Status: status, Description: description, Timestamp: b.tick(), Details: details,
	})
}

func (b *entryBuilder) finish(e *entry, status, code, reason, details, category, recommendedAction string) entry {
	e.EndTime = b.tick()
	e.StatusInfo = statusInfo{
		Status:            status,
		ErrorCode:         optional(code),
		Reason:            optional(reason),
		AdditionalDetails: optional(details),
		ErrorCategory:     optional(category),
		RecommendedAction: optional(recommendedAction),
	}
	return *e
}

func (b *entryBuilder) targetID(o *sourceObject) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(b.j.id+"/"+b.j.lookupKey(o.id))).String()
}

// provisionObject provisions one user, worker or group. link lists the lookup keys of group
// members to link to the group in the target.
func (b *entryBuilder) provisionObject(id, typeName string, link []string) entry {
	j := b.j
	o := j.object(id)
	if o != nil && o.typeName != typeName {
		o = nil
	}
	e := b.begin(id, typeName, o)
	if o == nil {
		b.step(&e, "EntryImport", "Import", statusFailure,
			fmt.Sprintf("Failed to retrieve %s '%s' from %s: the object does not exist", typeName, id, j.sourceSystem), map[string]string{"objectId": id})
		return b.finish(&e, statusFailure, ErrorCodeEntryNotFound, ErrorCodeEntryNotFound,
			fmt.Sprintf("The %s '%s' was not found in %s.", typeName, id, j.sourceSystem),
			"NonServiceFailure", "Check that the object id is right and that the object still exists in "+j.sourceSystem+".")
	}
	importDetails := map[string]string{}
	for k, v := range o.importDetails {
		importDetails[k] = v
	}
	b.step(&e, "EntryImport", "Import", statusSuccess,
		fmt.Sprintf("Retrieved %s '%s' from %s", typeName, o.reportable, j.sourceSystem), importDetails)

	inScope := b.inScope(o)
	scoping := j.scopingDetails(inScope)
	if !inScope {
		scoping["SkipReason"] = ReasonNotEffectivelyEntitled
		b.step(&e, "EntrySynchronizationScoping", "Scoping", statusSkipped,
			fmt.Sprintf("Determine if %s is in scope by evaluating against each scoping filter", typeName), scoping)
		b.step(&e, "EntrySynchronizationSkip", "Processing", statusSkipped,
			fmt.Sprintf("%s '%s' will be skipped: it is not in scope for provisioning", typeName, o.reportable),
			map[string]string{"SkipReason": ReasonNotEffectivelyEntitled, "ReportableIdentifier": o.reportable})
		return b.finish(&e, statusSkipped, ReasonNotEffectivelyEntitled, ReasonNotEffectivelyEntitled, o.skipDetails, "", "")
	}
	b.step(&e, "EntrySynchronizationScoping", "Scoping", statusSuccess,
		fmt.Sprintf("Determine if %s is in scope by evaluating against each scoping filter", typeName), scoping)

	mapping, _ := j.mapping(typeName)
	matching := map[string]string{"matchingAttribute": mapping.matchingAttribute(), "matchingValue": o.matchingValue(mapping)}
	key := j.lookupKey(o.id)
	current := b.state[key]
	if current == nil && o.inTarget {
		current = &synced{targetID: b.targetID(o), members: map[string]bool{}}
		b.state[key] = current
	}
	if current == nil {
		b.step(&e, "EntryImport", "Matching", statusSuccess,
			fmt.Sprintf("No %s matching %s '%s' was found in %s", typeName, mapping.matchingAttribute(), o.matchingValue(mapping), j.targetSystem), matching)
		return b.create(&e, typeName, o, link)
	}

	e.TargetIdentity.ID = current.targetID
	matching["TargetId"] = current.targetID
	b.step(&e, "EntryImport", "Matching", statusSuccess,
		fmt.Sprintf("Found %s matching %s '%s' in %s", typeName, mapping.matchingAttribute(), o.matchingValue(mapping), j.targetSystem), matching)
	var added []string
	for _, m := range link {
		if !current.members[m] {
			added = append(added, m)
		}
	}
	if len(added) > 0 {
		before := mapKeys(current.members)
		for _, m := range added {
			current.members[m] = true
		}
		e.Action = "Update"
		oldValue := b.memberValue(before)
		e.ModifiedProperties = append(e.ModifiedProperties, modifiedProperty{DisplayName: "members", OldValue: &oldValue, NewValue: ptr(b.memberValue(mapKeys(current.members)))})
		b.step(&e, "EntryExportUpdate", "Export", statusSuccess,
			fmt.Sprintf("%s '%s' was updated in %s", typeName, o.reportable, j.targetSystem),
			map[string]string{"ReportableIdentifier": o.reportable, "TargetId": current.targetID})
		return b.finish(&e, statusSuccess, "", "", "", "", "")
	}
	return b.alreadyInSync(&e, typeName, o)
}

// create exports an object the target does not hold yet, linking the members in link.
func (b *entryBuilder) create(e *entry, typeName string, o *sourceObject, link []string) entry {
	j := b.j
	e.Action = "Create"
	if f := o.failure; f != nil {
		b.step(e, "EntryExportAdd", "Export", statusFailure,
			fmt.Sprintf("Failed to create %s '%s' in %s", typeName, o.reportable, j.targetSystem),
			map[string]string{"ReportableIdentifier": o.reportable, "SCIM Response": f.response})
		return b.finish(e, statusFailure, f.code, f.code, f.details, f.category, f.recommendedAction)
	}
	next := &synced{targetID: b.targetID(o), members: map[string]bool{}}
	for _, p := range o.properties {
		if p.value != "" {
			e.ModifiedProperties = append(e.ModifiedProperties, modifiedProperty{DisplayName: p.name, NewValue: ptr(p.value)})
		}
	}
	if len(link) > 0 {
		e.ModifiedProperties = append(e.ModifiedProperties, modifiedProperty{DisplayName: "members", NewValue: ptr(b.memberValue(link))})
		for _, m := range link {
			next.members[m] = true
		}
	}
	b.state[j.lookupKey(o.id)] = next
	e.TargetIdentity.ID = next.targetID
	b.step(e, "EntryExportAdd", "Export", statusSuccess,
		fmt.Sprintf("%s '%s' was created in %s", typeName, o.reportable, j.targetSystem),
		map[string]string{"ReportableIdentifier": o.reportable, "TargetId": next.targetID})
	return b.finish(e, statusSuccess, "", "", "", "", "")
}

// provisionGroup provisions a group's listed members, then the group with the members that
// now exist in the target. The group's entry comes first.
func (b *entryBuilder) provisionGroup(subject subjectRequest) []entry {
	group := b.j.object(subject.objectID)
	var members []entry
	var link []string
	for _, m := range subject.members {
		if m.objectTypeName != "User" {
			e := b.begin(m.objectID, m.objectTypeName, nil)
			b.step(&e, "EntrySynchronizationSkip", "Processing", statusSkipped,
				fmt.Sprintf("%s '%s' will be skipped: only users are provisioned as group members", m.objectTypeName, m.objectID),
				map[string]string{"SkipReason": ReasonUnsupportedObjectType})
			members = append(members, b.finish(&e, statusSkipped, ReasonUnsupportedObjectType, ReasonUnsupportedObjectType,
				"Only users can be provisioned as members of a group on demand; nested groups and other member types are skipped.", "", ""))
			continue
		}
		members = append(members, b.provisionObject(m.objectID, "User", nil))
		if user := b.j.object(m.objectID); user != nil && group != nil && group.hasMember(user.id) && b.state[b.j.lookupKey(user.id)] != nil {
			link = append(link, b.j.lookupKey(user.id))
		}
	}
	return append([]entry{b.provisionObject(subject.objectID, "Group", link)}, members...)
}

func (b *entryBuilder) memberValue(keys []string) string {
	values := make([]map[string]string, 0, len(keys))
	for _, k := range keys {
		if st := b.state[k]; st != nil {
			values = append(values, map[string]string{"value": st.targetID})
		}
	}
	return string(marshal(values))
}

func mapKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (o *sourceObject) hasMember(id string) bool {
	for _, m := range o.members {
		if strings.EqualFold(m, id) {
			return true
		}
	}
	return false
}

func (o *sourceObject) matchingValue(m objectMapping) string {
	attribute := m.matchingAttribute()
	for _, p := range o.properties {
		if p.name == attribute {
			return p.value
		}
	}
	return o.reportable
}

func (j *job) scopingDetails(scoped bool) map[string]string {
	inScope := "False"
	if scoped {
		inScope = "True"
	}
	if j.assignmentScoped {
		return map[string]string{
			"Active in the source system":      "True",
			"Assigned to the application":      inScope,
			"Scoping filter evaluation passed": "True",
		}
	}
	return map[string]string{
		"Active in the source system":      inScope,
		"Scoping filter evaluation passed": inScope,
	}
}
