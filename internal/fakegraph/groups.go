package fakegraph

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Teams of the tenant, for provisioning a whole group (issue 14). Their members are users of the
// directory behind the SCIM job (and the credentials-missing job), assigned through the group.
// Each member's outcome when provisioned is fixed by its id: see SeededMemberOutcome.
const (
	GroupPaymentsID   = "3c1f7a9e-5b2d-4e80-a6c4-9d0e2b7f1a53" // "Payments": 12 users; answers one entry per member
	GroupPaymentsName = "Payments"
	GroupPlatformID   = "e9a4d2b7-0c6f-4a18-b3e5-7f1d9c2a8e46" // "Platform": 40 users; answers one entry per member
	GroupPlatformName = "Platform"
	// GroupDivisionID ("Product Division") has 3 users and the nested group Payments, so its
	// transitive members are 15 users and one group. Provisioned with members, it answers
	// key {"result":...,"details":{}} and value "{}" (no entry per member), as Graph documents.
	GroupDivisionID   = "6d2b8f0a-7e3c-4d95-b1a6-c4e9f2d07b38"
	GroupDivisionName = "Product Division"
)

// Member counts of the seeded teams.
const (
	PaymentsMemberCount = 12
	PlatformMemberCount = 40
	DivisionUserCount   = 3
)

// MemberOutcome is what provisioning a seeded team member answers, whatever the batch.
type MemberOutcome string

// The outcomes of team members. Counting a team's members from 1, member n is already in sync
// when n%10 == 3, out of scope when n%10 == 7 and rejected by the target when n%10 == 9; the
// others are created. So Payments sent in batches of 5 has a member in sync in batch 1 and both
// an out-of-scope member and a failure in batch 2, and batch 3 succeeds.
const (
	OutcomeSuccess       MemberOutcome = "Success"       // Create/Success, then in sync
	OutcomeAlreadyInSync MemberOutcome = "AlreadyInSync" // Skipped, RedundantExport from the first call
	OutcomeOutOfScope    MemberOutcome = "OutOfScope"    // Skipped, NotEffectivelyEntitled (account disabled)
	OutcomeFailure       MemberOutcome = "Failure"       // Failure, SCIM 400, on every call
)

// DefaultMembersPageSize is Graph's default page size for group members ("List group members":
// "The default and maximum page sizes are 100 and 999 objects respectively").
const (
	DefaultMembersPageSize = 100
	maxMembersPageSize     = 999
)

// Operations of the group reads, recorded in LoggedRequest.Operation.
const (
	OperationListGroupMembers           = "listGroupMembers"
	OperationListGroupTransitiveMembers = "listGroupTransitiveMembers"
)

type team struct {
	id, name, key string
	size          int
	nested        []string // ids of nested groups, listed after the users
}

func teams() []team {
	return []team{
		{id: GroupPaymentsID, name: GroupPaymentsName, key: "payments", size: PaymentsMemberCount},
		{id: GroupPlatformID, name: GroupPlatformName, key: "platform", size: PlatformMemberCount},
		{id: GroupDivisionID, name: GroupDivisionName, key: "division", size: DivisionUserCount, nested: []string{GroupPaymentsID}},
	}
}

func teamMemberID(key string, n int) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(fmt.Sprintf("fakegraph/%s/%02d", key, n))).String()
}

func outcomeOf(n int) MemberOutcome {
	switch n % 10 {
	case 3:
		return OutcomeAlreadyInSync
	case 7:
		return OutcomeOutOfScope
	case 9:
		return OutcomeFailure
	}
	return OutcomeSuccess
}

// SeededMemberIDs lists a seeded team's direct members in the order Graph lists them: users
// first, then nested groups. It is nil for any other group.
func SeededMemberIDs(groupID string) []string {
	for _, t := range teams() {
		if strings.EqualFold(t.id, groupID) {
			ids := make([]string, 0, t.size+len(t.nested))
			for n := 1; n <= t.size; n++ {
				ids = append(ids, teamMemberID(t.key, n))
			}
			return append(ids, t.nested...)
		}
	}
	return nil
}

// SeededMemberOutcome is what provisioning the seeded team member answers; "" for any other id.
func SeededMemberOutcome(memberID string) MemberOutcome {
	for _, t := range teams() {
		for n := 1; n <= t.size; n++ {
			if strings.EqualFold(teamMemberID(t.key, n), memberID) {
				return outcomeOf(n)
			}
		}
	}
	return ""
}

// seedTeams adds the teams and their members to a job whose source is Entra ID.
func seedTeams(j *job) {
	for _, t := range teams() {
		g := entraGroup(t.id, t.name, true)
		for n := 1; n <= t.size; n++ {
			id := teamMemberID(t.key, n)
			given := fmt.Sprintf("%s%02d", strings.ToUpper(t.key[:1])+t.key[1:], n)
			upn := strings.ToLower(given) + ".member@example.com"
			mail := upn
			if outcomeOf(n) == OutcomeFailure {
				mail = ""
			}
			u := entraUser(id, given, "Member", upn, mail, true)
			switch outcomeOf(n) {
			case OutcomeAlreadyInSync:
				u.inTarget = true
			case OutcomeOutOfScope:
				u.inScope = false
				u.skipDetails = "The user's account is disabled in Azure Active Directory, so the scoping filter excludes it from provisioning."
			case OutcomeFailure:
				u.failure = scimRequiredAttributeFailure(upn)
			}
			j.add(u)
			g.members = append(g.members, id)
		}
		g.members = append(g.members, t.nested...)
		j.add(g)
	}
}

// scimRequiredAttributeFailure is how the SCIM endpoint rejects a user without a mail address.
func scimRequiredAttributeFailure(userPrincipalName string) *exportFailure {
	return &exportFailure{
		code: ErrorCodeSCIMBadRequest,
		details: `The SCIM endpoint rejected the request to create User '` + userPrincipalName + `' with 400 Bad Request: ` +
			`attribute 'emails[type eq "work"].value' is required. This operation will be retried at the next provisioning cycle.`,
		category:          "NonServiceFailure",
		recommendedAction: "Give the user a mail address in Azure Active Directory, or change the attribute mappings so that every required SCIM attribute has a value.",
		response:          `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"Attribute 'emails[type eq \"work\"].value' is required."}`,
	}
}

// directoryJob is the job whose source objects are the tenant's directory, read by /groups.
func (s *Server) directoryJob() *job {
	return s.jobs[jobKey(SCIMServicePrincipalID, SCIMJobID)]
}

// parseGroupRoute matches the segments after the version: groups/{id}/members[/microsoft.graph.{type}].
func parseGroupRoute(segs []string, rt *route) {
	if len(segs) < 4 || len(segs) > 5 {
		rt.badSegment = segs[len(segs)-1]
		return
	}
	switch strings.ToLower(segs[3]) {
	case "members":
		rt.operation = OperationListGroupMembers
	case "transitivemembers":
		rt.operation = OperationListGroupTransitiveMembers
	default:
		rt.badSegment = segs[3]
		return
	}
	rt.method, rt.groupID = http.MethodGet, segs[2]
	if len(segs) == 5 {
		cast := strings.ToLower(segs[4])
		if cast != "microsoft.graph.user" && cast != "microsoft.graph.group" {
			rt.operation, rt.groupID, rt.badSegment = "", "", segs[4]
			return
		}
		rt.memberCast = strings.TrimPrefix(cast, "microsoft.graph.")
	}
}

// serveGroupMembers answers "List group members" and "List group transitive members"
// (https://learn.microsoft.com/graph/api/group-list-members,
// https://learn.microsoft.com/graph/api/group-list-transitivemembers): a page of directory
// objects, each with its "@odata.type", and "@odata.nextLink" while more remain. Both need
// GroupMember.Read.All; a token without it gets 403 Authorization_RequestDenied.
func (s *Server) serveGroupMembers(x *exchange, rt route) {
	if x.r.Method != rt.method {
		x.w.Header().Set("Allow", rt.method)
		s.writeError(x, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
		return
	}
	if s.opts.GroupMemberForbiddenToken != "" && bearerToken(x.r) == s.opts.GroupMemberForbiddenToken {
		s.writeError(x, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return
	}
	query := x.r.URL.Query()
	top, offset, apiErr := s.membersPaging(query)
	if apiErr != nil {
		s.writeError(x, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	s.mu.Lock()
	members, found := s.groupMembers(rt.groupID, rt.operation == OperationListGroupTransitiveMembers, rt.memberCast)
	s.mu.Unlock()
	if !found {
		s.writeError(x, http.StatusNotFound, "Request_ResourceNotFound",
			"Resource '"+rt.groupID+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	selected := selectedProperties(query.Get("$select"))
	end := min(offset+top, len(members))
	value := make([]map[string]any, 0, max(end-offset, 0))
	for _, o := range members[min(offset, len(members)):end] {
		value = append(value, directoryObjectJSON(o, selected))
	}
	body := map[string]any{
		"@odata.context": odataBase(x.r, rt.version) + "#directoryObjects",
		"value":          value,
	}
	if end < len(members) {
		body["@odata.nextLink"] = nextMembersLink(x.r, query, end)
	}
	s.writeJSON(x, http.StatusOK, body)
}

// membersPaging reads $top (1..999, default Options.MembersPageSize) and the $skiptoken of a
// nextLink.
func (s *Server) membersPaging(query url.Values) (top, offset int, apiErr *apiError) {
	top = s.opts.MembersPageSize
	if top <= 0 {
		top = DefaultMembersPageSize
	}
	if raw := query.Get("$top"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxMembersPageSize {
			return 0, 0, badRequest("Request_BadRequest", "Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", raw, maxMembersPageSize)
		}
		top = n
	}
	if token := query.Get("$skiptoken"); token != "" {
		decoded, err := base64.RawURLEncoding.DecodeString(token)
		rest, ok := strings.CutPrefix(string(decoded), "members:")
		n, convErr := strconv.Atoi(rest)
		if err != nil || !ok || convErr != nil || n < 0 {
			return 0, 0, badRequest("Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.")
		}
		offset = n
	}
	return top, offset, nil
}

func nextMembersLink(r *http.Request, query url.Values, offset int) string {
	parts := []string{}
	for _, name := range []string{"$top", "$select"} {
		if v := query.Get(name); v != "" {
			parts = append(parts, name+"="+url.QueryEscape(v))
		}
	}
	token := base64.RawURLEncoding.EncodeToString([]byte("members:" + strconv.Itoa(offset)))
	parts = append(parts, "$skiptoken="+token)
	return "http://" + r.Host + r.URL.Path + "?" + strings.Join(parts, "&")
}

// groupMembers lists a group's direct or transitive members (a flat list without repeats),
// optionally only users or only groups. The caller holds s.mu.
func (s *Server) groupMembers(groupID string, transitive bool, cast string) ([]*sourceObject, bool) {
	j := s.directoryJob()
	g := j.object(groupID)
	if g == nil || g.typeName != "Group" {
		return nil, false
	}
	var out []*sourceObject
	seen := map[string]bool{j.lookupKey(g.id): true}
	var walk func(*sourceObject)
	walk = func(group *sourceObject) {
		for _, id := range group.members {
			m := j.object(id)
			if m == nil || seen[j.lookupKey(m.id)] {
				continue
			}
			seen[j.lookupKey(m.id)] = true
			if cast == "" || strings.EqualFold(cast, m.typeName) {
				out = append(out, m)
			}
			if transitive && m.typeName == "Group" {
				walk(m)
			}
		}
	}
	walk(g)
	return out, true
}

func selectedProperties(raw string) map[string]bool {
	if raw == "" {
		return nil
	}
	selected := map[string]bool{}
	for _, p := range strings.Split(raw, ",") {
		selected[strings.ToLower(strings.TrimSpace(p))] = true
	}
	return selected
}

// directoryObjectJSON renders a member as Graph does: "@odata.type" always, then the default
// properties of a user or group, or only those named in $select.
func directoryObjectJSON(o *sourceObject, selected map[string]bool) map[string]any {
	var props map[string]any
	odataType := "#microsoft.graph.user"
	if o.typeName == "Group" {
		odataType = "#microsoft.graph.group"
		props = map[string]any{
			"id": o.id, "displayName": o.displayName, "description": nil, "groupTypes": []string{},
			"mail": nil, "mailEnabled": false, "mailNickname": strings.ToLower(strings.ReplaceAll(o.displayName, " ", "-")),
			"securityEnabled": true,
		}
	} else {
		props = map[string]any{
			"id": o.id, "businessPhones": []string{}, "displayName": o.displayName,
			"givenName": o.importDetails["displayName"], "jobTitle": nil, "mail": optional(o.importDetails["mail"]),
			"mobilePhone": nil, "officeLocation": nil, "preferredLanguage": nil, "surname": nil,
			"userPrincipalName": o.importDetails["userPrincipalName"],
		}
		for _, p := range o.properties {
			switch p.name {
			case "name.givenName":
				props["givenName"] = p.value
			case "name.familyName":
				props["surname"] = optional(p.value)
			}
		}
	}
	out := map[string]any{"@odata.type": odataType}
	for name, v := range props {
		if selected == nil || selected[strings.ToLower(name)] {
			out[name] = v
		}
	}
	return out
}
