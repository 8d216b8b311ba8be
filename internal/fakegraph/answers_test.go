package fakegraph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// sendTeam provisions the group with its seeded members, n per call, and returns the answers.
func sendTeam(t *testing.T, base, groupID string, n int) []answer {
	t.Helper()
	url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	var answers []answer
	for batch := range slices.Chunk(fakegraph.SeededMemberIDs(groupID), n) {
		answers = append(answers, call(t, http.MethodPost, url, body(fakegraph.SCIMGroupRuleID, subjectJSON(groupID, "Group", users(batch...)...)), nil))
	}
	return answers
}

func TestTeamMembersMixOutcomesPerBatch(t *testing.T) {
	srv, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	wantStatus := map[fakegraph.MemberOutcome]string{
		fakegraph.OutcomeSuccess: "Success", fakegraph.OutcomeAlreadyInSync: "Skipped",
		fakegraph.OutcomeOutOfScope: "Skipped", fakegraph.OutcomeFailure: "Failure",
	}
	batches := sendTeam(t, base, fakegraph.GroupPaymentsID, 5)
	var outcomes [][]fakegraph.MemberOutcome
	for i, a := range batches {
		entries := shapeC(t, a)
		if str(entries[0], "sourceIdentity", "id") != fakegraph.GroupPaymentsID {
			t.Fatalf("batch %d: first entry is %v, want the group", i+1, entries[0]["sourceIdentity"])
		}
		var batch []fakegraph.MemberOutcome
		for _, e := range entries[1:] {
			id := str(e, "sourceIdentity", "id")
			outcome := fakegraph.SeededMemberOutcome(id)
			batch = append(batch, outcome)
			if got := str(e, "statusInfo", "status"); got != wantStatus[outcome] {
				t.Errorf("member %s (%s): status %s, want %s", id, outcome, got, wantStatus[outcome])
			}
			checkMemberEntry(t, e, outcome)
		}
		outcomes = append(outcomes, batch)
	}
	want := "[[Success Success AlreadyInSync Success Success] [Success OutOfScope Success Failure Success] [Success Success]]"
	if got := fmt.Sprint(outcomes); got != want {
		t.Errorf("outcomes per batch = %s, want %s", got, want)
	}
	if got := fmt.Sprint(srv.ProvisionCallMembers(fakegraph.SCIMJobID)); got != fmt.Sprint(slices.Collect(slices.Chunk(fakegraph.SeededMemberIDs(fakegraph.GroupPaymentsID), 5))) {
		t.Errorf("members per call = %s", got)
	}

	// Sent again, created members are in sync; the failure and the skip repeat.
	for _, e := range shapeC(t, sendTeam(t, base, fakegraph.GroupPaymentsID, 5)[1])[1:] {
		outcome := fakegraph.SeededMemberOutcome(str(e, "sourceIdentity", "id"))
		if outcome == fakegraph.OutcomeSuccess {
			outcome = fakegraph.OutcomeAlreadyInSync
		}
		checkMemberEntry(t, e, outcome)
	}
}

func checkMemberEntry(t *testing.T, e map[string]any, outcome fakegraph.MemberOutcome) {
	t.Helper()
	last := steps(e)[len(steps(e))-1]
	switch outcome {
	case fakegraph.OutcomeAlreadyInSync: // as Example 1: nulls in statusInfo, the code in the step
		if field(e, "statusInfo", "errorCode") != nil || field(e, "statusInfo", "reason") != nil || str(last, "details", "SkipReason") != "RedundantExport" {
			t.Errorf("in sync entry: statusInfo %v, last step %v", e["statusInfo"], last)
		}
	case fakegraph.OutcomeOutOfScope:
		if str(e, "statusInfo", "reason") != "NotEffectivelyEntitled" || str(last, "details", "SkipReason") != "NotEffectivelyEntitled" {
			t.Errorf("out of scope entry: statusInfo %v", e["statusInfo"])
		}
	case fakegraph.OutcomeFailure:
		if str(e, "statusInfo", "errorCode") != fakegraph.ErrorCodeSCIMBadRequest {
			t.Errorf("failed entry: statusInfo %v", e["statusInfo"])
		}
	case fakegraph.OutcomeSuccess:
		if str(e, "action") != "Create" {
			t.Errorf("created entry: action %s", str(e, "action"))
		}
	}
}

func TestSeededTeams(t *testing.T) {
	for _, tt := range []struct {
		id   string
		size int
	}{{fakegraph.GroupPaymentsID, 12}, {fakegraph.GroupPlatformID, 40}, {fakegraph.GroupDivisionID, 4}} {
		ids := fakegraph.SeededMemberIDs(tt.id)
		if len(ids) != tt.size {
			t.Errorf("%s: %d members, want %d", tt.id, len(ids), tt.size)
		}
		count := map[fakegraph.MemberOutcome]int{}
		for _, id := range ids {
			count[fakegraph.SeededMemberOutcome(id)]++
		}
		if tt.id == fakegraph.GroupPlatformID && fmt.Sprint(count) != "map[AlreadyInSync:4 Failure:4 OutOfScope:4 Success:28]" {
			t.Errorf("Platform outcomes = %v", count)
		}
	}
	if fakegraph.SeededMemberIDs(fakegraph.GroupEngineeringID) != nil || fakegraph.SeededMemberOutcome(fakegraph.UserAdaID) != "" {
		t.Error("SeededMemberIDs/Outcome answer for objects outside the teams")
	}
}

// Example 3 of the provisionOnDemand page: a group and its members answered with the key's
// result and value "{}".
func TestGroupAnswerEmpty(t *testing.T) {
	srv, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	division := fakegraph.SeededMemberIDs(fakegraph.GroupDivisionID)[:fakegraph.DivisionUserCount]
	url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	send := func(groupID string, members ...string) answer {
		return call(t, http.MethodPost, url, body(fakegraph.SCIMGroupRuleID, subjectJSON(groupID, "Group", users(members...)...)), nil)
	}
	if key, value := pair(t, send(fakegraph.GroupDivisionID, division...)); key != `{"result":"Success","details":{}}` || value != "{}" {
		t.Errorf("Division = %s %s, want Example 3", key, value)
	}

	payments := fakegraph.SeededMemberIDs(fakegraph.GroupPaymentsID)
	if err := srv.SetGroupAnswer(fakegraph.GroupPaymentsID, fakegraph.GroupAnswerEmpty); err != nil {
		t.Fatal(err)
	}
	if key, value := pair(t, send(fakegraph.GroupPaymentsID, payments[5:10]...)); key != `{"result":"Failure","details":{}}` || value != "{}" {
		t.Errorf("Payments batch 2 = %s %s, want Failure and {}", key, value)
	}

	// Through the control endpoint, Division lists its members again.
	a := call(t, http.MethodPost, base+"/_fake/group-answers", `{"groupId":"`+fakegraph.GroupDivisionID+`","answer":"perMember"}`, nil)
	if a.status != http.StatusCreated {
		t.Fatalf("group-answers: %d %s", a.status, a.body)
	}
	if entries := shapeC(t, send(fakegraph.GroupDivisionID, division...)); len(entries) != 1+fakegraph.DivisionUserCount {
		t.Errorf("Division per member: %d entries, want %d", len(entries), 1+fakegraph.DivisionUserCount)
	}
	if err := srv.SetGroupAnswer(fakegraph.GroupDivisionID, "sometimes"); err == nil {
		t.Error("SetGroupAnswer took an unknown answer")
	}
	checkEnvelope(t, call(t, http.MethodPost, base+"/_fake/group-answers", `{"groupId":"x","answer":"sometimes"}`, nil), http.StatusBadRequest, "BadRequest")
}

func TestGroupLimitsPerCall(t *testing.T) {
	srv, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	payments := fakegraph.SeededMemberIDs(fakegraph.GroupPaymentsID)

	six := call(t, http.MethodPost, url, body(fakegraph.SCIMGroupRuleID, subjectJSON(fakegraph.GroupPaymentsID, "Group", users(payments[:6]...)...)), nil)
	if msg := checkEnvelope(t, six, http.StatusBadRequest, "RequestParameterInvalid"); !strings.Contains(msg, "at most 5 members") {
		t.Errorf("6 members: message %q", msg)
	}
	two := call(t, http.MethodPost, url, body(fakegraph.SCIMGroupRuleID,
		subjectJSON(fakegraph.GroupPaymentsID, "Group", users(payments[:1]...)...), subjectJSON(fakegraph.GroupPlatformID, "Group")), nil)
	if msg := checkEnvelope(t, two, http.StatusBadRequest, "RequestParameterInvalid"); !strings.Contains(msg, "one group") {
		t.Errorf("two groups: message %q", msg)
	}

	// The refused calls are logged with what they carried.
	log := srv.Requests()
	if len(log) != 2 || len(log[0].Subjects) != 1 || len(log[0].Subjects[0].Members) != 6 || len(log[1].Subjects) != 2 {
		t.Fatalf("logged subjects = %+v", log)
	}
	if got := fmt.Sprint(srv.ProvisionCallMembers("")); got != fmt.Sprint([][]string{payments[:6], payments[:1]}) {
		t.Errorf("members per call = %s", got)
	}
	if s := log[1].Subjects[1]; s.ObjectID != fakegraph.GroupPlatformID || s.ObjectTypeName != "Group" || s.Members != nil {
		t.Errorf("second subject = %+v", s)
	}
}

func TestAssignmentBecomesEffectiveLater(t *testing.T) {
	clock := newClock()
	srv, base := start(t, fakegraph.Options{Now: clock.Now, RateLimitRequests: fakegraph.NoRateLimit})
	url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	send := func() (string, map[string]any, map[string]any) {
		return shapeA(t, call(t, http.MethodPost, url, userBody(fakegraph.UserPendingAssignmentID), nil))
	}
	if result, details, _ := send(); result != "Skipped" || details["errorCode"] != "NotEffectivelyEntitled" {
		t.Fatalf("before assignment: %s %v", result, details)
	}
	start := clock.Now()
	if err := srv.AssignAt(fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, fakegraph.UserPendingAssignmentID, start.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	clock.Set(start.Add(2*time.Minute - time.Second))
	result, details, e := send()
	if result != "Skipped" || details["errorCode"] != "NotEffectivelyEntitled" || str(steps(e)[len(steps(e))-1], "details", "SkipReason") != "NotEffectivelyEntitled" {
		t.Fatalf("assigned, not yet effective: %s %v", result, details)
	}
	clock.Set(start.Add(2 * time.Minute))
	if result, _, e := send(); result != "Success" || str(e, "action") != "Create" {
		t.Fatalf("assignment effective: %s %s", result, str(e, "action"))
	}

	// The control endpoint assigns relative to the server's clock; Reset keeps assignments.
	a := call(t, http.MethodPost, base+"/_fake/assignments", `{"servicePrincipalId":"`+fakegraph.SCIMServicePrincipalID+
		`","jobId":"`+fakegraph.SCIMJobID+`","objectId":"`+fakegraph.GroupOutOfScopeID+`","effectiveAfter":"90s"}`, nil)
	if a.status != http.StatusCreated {
		t.Fatalf("assignments: %d %s", a.status, a.body)
	}
	srv.Reset()
	group := body(fakegraph.SCIMGroupRuleID, subjectJSON(fakegraph.GroupOutOfScopeID, "Group"))
	if result, _, _ := shapeA(t, call(t, http.MethodPost, url, group, nil)); result != "Skipped" {
		t.Errorf("group before its assignment: %s", result)
	}
	clock.Set(clock.Now().Add(90 * time.Second))
	if key, _ := pair(t, call(t, http.MethodPost, url, group, nil)); key != `{"result":"Success","details":{}}` {
		t.Errorf("group after its assignment: key %s", key)
	}

	if err := srv.AssignAt(fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, "00000000-0000-0000-0000-00000000000f", start); err == nil {
		t.Error("AssignAt took an unknown object")
	}
	if err := srv.AssignAt(fakegraph.SCIMServicePrincipalID, "scim.nope", fakegraph.UserAdaID, start); err == nil {
		t.Error("AssignAt took an unknown job")
	}
	checkEnvelope(t, call(t, http.MethodPost, base+"/_fake/assignments", `{"jobId":"x","effectiveAfter":"soon"}`, nil), http.StatusBadRequest, "BadRequest")
	checkEnvelope(t, call(t, http.MethodGet, base+"/_fake/assignments", "", nil), http.StatusMethodNotAllowed, "Request_BadRequest")
}

// Cross-tenant synchronization keys even one user's answer by the StatusInfo type name, as the
// cross-tenant synchronization guide shows, and takes no groups.
func TestCrossTenantAnswers(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := provisionURL(base, "v1.0", fakegraph.CrossTenantServicePrincipalID, fakegraph.CrossTenantJobID)
	send := func(id, typeName string) answer {
		return call(t, http.MethodPost, url, body(fakegraph.CrossTenantRuleID, subjectJSON(id, typeName)), nil)
	}
	for _, tt := range []struct{ id, status string }{{fakegraph.UserAdaID, "Success"}, {fakegraph.UserAdaID, "Skipped"}, {fakegraph.UserOutOfScopeID, "Skipped"}} {
		entries := shapeC(t, send(tt.id, "User"))
		if len(entries) != 1 || str(entries[0], "statusInfo", "status") != tt.status {
			t.Errorf("%s: entries %v, want one %s", tt.id, entries, tt.status)
		}
	}
	if msg := checkEnvelope(t, send(fakegraph.GroupEngineeringID, "Group"), http.StatusBadRequest, "RequestParameterInvalid"); !strings.Contains(msg, "groups") {
		t.Errorf("group: message %q", msg)
	}
	a := call(t, http.MethodGet, jobURL(base, "v1.0", fakegraph.CrossTenantServicePrincipalID, fakegraph.CrossTenantJobID), "", nil)
	if a.status != http.StatusOK || !strings.Contains(string(a.body), `"templateId":"Azure2Azure"`) {
		t.Errorf("job: %d %s", a.status, a.body)
	}
}

// Example 1 of the provisionOnDemand page: a user already in sync has nulls in statusInfo, the
// code only in the key's details and in the skip step.
func TestInSyncAsDocumented(t *testing.T) {
	for _, version := range []string{"v1.0", "beta"} {
		t.Run(version, func(t *testing.T) {
			_, base := start(t, fakegraph.Options{})
			url := provisionURL(base, version, fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
			if result, _, e := shapeA(t, call(t, http.MethodPost, url, userBody(fakegraph.UserBillBobID), nil)); result != "Success" || str(e, "action") != "Create" {
				t.Fatalf("first call: %s %s", result, str(e, "action"))
			}
			result, details, e := shapeA(t, call(t, http.MethodPost, url, userBody(fakegraph.UserBillBobID), nil))
			if result != "Skipped" || details["errorCode"] != "RedundantExport" ||
				details["errorMessage"] != "The state of the user in both the source and target systems already match." {
				t.Errorf("key = %s %v, want Skipped with RedundantExport and the documented message", result, details)
			}
			if str(e, "statusInfo", "status") != "Skipped" {
				t.Errorf("statusInfo = %v", e["statusInfo"])
			}
			for _, name := range []string{"errorCode", "reason", "additionalDetails", "errorCategory", "recommendedAction"} {
				if v, ok := e["statusInfo"].(map[string]any)[name]; !ok || v != nil {
					t.Errorf("statusInfo.%s = %v (present %v), want null", name, v, ok)
				}
			}
			last := steps(e)[len(steps(e))-1]
			if stepSignature(map[string]any{"provisioningSteps": []any{last}}) != "EntrySynchronizationSkip/Export/Skipped" || fmt.Sprint(last["details"]) != "map[SkipReason:RedundantExport]" {
				t.Errorf("skip step = %v", last)
			}
			if strings.Contains(string(mustJSON(t, e["statusInfo"])), "RedundantExport") {
				t.Error("RedundantExport leaked into statusInfo")
			}
		})
	}
}

// Example 2 of the provisionOnDemand page: Cloud Sync entries have no null fields and
// statusInfo holds only the status; the code of a skip or failure is in the key.
func TestCloudSyncAnswersAsDocumented(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := provisionURL(base, "v1.0", fakegraph.CloudSyncServicePrincipalID, fakegraph.CloudSyncJobID)
	tests := []struct{ dn, want, code string }{
		{fakegraph.CloudSyncDocumentedUserDN, "Success", ""},
		{strings.ToUpper(fakegraph.CloudSyncDocumentedUserDN), "Skipped", "RedundantExport"},
		{fakegraph.CloudSyncOutOfScopeDN, "Skipped", "NotEffectivelyEntitled"},
		{"CN=Nobody,OU=Staff,DC=corp,DC=example,DC=com", "Failure", "EntryNotFound"},
	}
	for _, tt := range tests {
		result, details, e := shapeA(t, call(t, http.MethodPost, url, body(fakegraph.CloudSyncUserRuleID, subjectJSON(tt.dn, "user")), nil))
		if result != tt.want || str(details, "errorCode") != tt.code {
			t.Errorf("%s: key = %s %v, want %s %q", tt.dn, result, details, tt.want, tt.code)
		}
		if got := fmt.Sprint(e["statusInfo"]); got != "map[status:"+tt.want+"]" {
			t.Errorf("%s: statusInfo = %s, want only the status", tt.dn, got)
		}
		for _, name := range []string{"action", "changeId", "startTime", "endTime", "reportableIdentifier", "provisioningSteps", "modifiedProperties"} {
			if e[name] == nil {
				t.Errorf("%s: entry lacks %s", tt.dn, name)
			}
		}
		if got := fmt.Sprint(e["sourceSystem"], e["targetSystem"]); got != "map[name:Active Directory] map[name:Azure Active Directory]" {
			t.Errorf("%s: systems = %s, want only their names", tt.dn, got)
		}
		if id := str(e, "sourceIdentity", "id"); len(id) != 36 || str(e, "sourceIdentity", "type") != "user" {
			t.Errorf("%s: sourceIdentity = %v, want an objectGUID and type user", tt.dn, e["sourceIdentity"])
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
