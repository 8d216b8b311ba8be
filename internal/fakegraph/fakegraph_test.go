package fakegraph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

const testToken = "test-token-9f2c"

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 14, 7, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func start(t *testing.T, opts fakegraph.Options) (*fakegraph.Server, string) {
	t.Helper()
	srv := fakegraph.New(opts)
	url := srv.Start()
	t.Cleanup(srv.Close)
	return srv, url
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request with a bearer token and JSON content type unless header overrides them
// (an empty value removes the header).
func call(t *testing.T, method, url, body string, header map[string]string) answer {
	t.Helper()
	a, err := callContext(context.Background(), method, url, body, header)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return a
}

func callContext(ctx context.Context, method, url, body string, header map[string]string) (answer, error) {
	var reader io.Reader
	if body != "" {
		reader = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, reader)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func provisionURL(base, version, sp, job string) string {
	return fmt.Sprintf("%s/%s/servicePrincipals/%s/synchronization/jobs/%s/provisionOnDemand", base, version, sp, job)
}

func jobURL(base, version, sp, job string) string {
	return fmt.Sprintf("%s/%s/servicePrincipals/%s/synchronization/jobs/%s", base, version, sp, job)
}

type link struct{ id, typeName string }

func subjectJSON(id, typeName string, members ...link) map[string]any {
	subject := map[string]any{"objectId": id, "objectTypeName": typeName}
	if len(members) > 0 {
		list := make([]map[string]any, len(members))
		for i, m := range members {
			list[i] = map[string]any{"objectId": m.id, "objectTypeName": m.typeName}
		}
		subject["links"] = map[string]any{"members": list}
	}
	return subject
}

func body(ruleID string, subjects ...map[string]any) string {
	b, err := json.Marshal(map[string]any{"parameters": []any{map[string]any{"ruleId": ruleID, "subjects": subjects}}})
	if err != nil {
		panic(err)
	}
	return string(b)
}

func userBody(id string) string {
	return body(fakegraph.SCIMUserRuleID, subjectJSON(id, "User"))
}

func users(ids ...string) []link {
	out := make([]link, len(ids))
	for i, id := range ids {
		out[i] = link{id, "User"}
	}
	return out
}

// pair decodes a 200 stringKeyStringValuePair answer.
func pair(t *testing.T, a answer) (key, value string) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", a.status, a.body)
	}
	var p struct {
		Context string `json:"@odata.context"`
		Key     string `json:"key"`
		Value   string `json:"value"`
	}
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, a.body)
	}
	if !strings.HasSuffix(p.Context, "#microsoft.graph.stringKeyStringValuePair") {
		t.Errorf("@odata.context = %q", p.Context)
	}
	return p.Key, p.Value
}

// shapeA decodes answer shape A: key {"result","details"} and one entry.
func shapeA(t *testing.T, a answer) (result string, details map[string]any, e map[string]any) {
	t.Helper()
	key, value := pair(t, a)
	var k struct {
		Result  string         `json:"result"`
		Details map[string]any `json:"details"`
	}
	if err := json.Unmarshal([]byte(key), &k); err != nil {
		t.Fatalf("key is not JSON: %v: %s", err, key)
	}
	if k.Details == nil {
		t.Fatalf("key has no details object: %s", key)
	}
	if err := json.Unmarshal([]byte(value), &e); err != nil {
		t.Fatalf("value is not a JSON object: %v: %s", err, value)
	}
	return k.Result, k.Details, e
}

// shapeC decodes answer shape C: the StatusInfo key and a JSON array of entries.
func shapeC(t *testing.T, a answer) []map[string]any {
	t.Helper()
	key, value := pair(t, a)
	if key != "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo" {
		t.Fatalf("key = %q, want the StatusInfo type name", key)
	}
	var entries []map[string]any
	if err := json.Unmarshal([]byte(value), &entries); err != nil {
		t.Fatalf("value is not a JSON array: %v: %s", err, value)
	}
	return entries
}

// field walks nested objects; a missing field is nil.
func field(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := field(v, path...).(string)
	return s
}

func steps(e map[string]any) []map[string]any {
	list, _ := e["provisioningSteps"].([]any)
	out := make([]map[string]any, len(list))
	for i, s := range list {
		out[i], _ = s.(map[string]any)
	}
	return out
}

func stepSignature(e map[string]any) string {
	var parts []string
	for _, s := range steps(e) {
		parts = append(parts, str(s, "name")+"/"+str(s, "type")+"/"+str(s, "status"))
	}
	return strings.Join(parts, " ")
}

func modified(e map[string]any, name string) (oldValue, newValue any, found bool) {
	list, _ := e["modifiedProperties"].([]any)
	for _, p := range list {
		if str(p, "displayName") == name {
			return field(p, "oldValue"), field(p, "newValue"), true
		}
	}
	return nil, nil, false
}

var entryTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)

// checkEnvelope asserts a Graph error answer: status, code, JSON content type, and the
// request-id / client-request-id headers repeated in innerError.
func checkEnvelope(t *testing.T, a answer, status int, code string) string {
	t.Helper()
	if a.status != status {
		t.Fatalf("status = %d, want %d; body %s", a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var env struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				Date            string `json:"date"`
				RequestID       string `json:"request-id"`
				ClientRequestID string `json:"client-request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	if err := json.Unmarshal(a.body, &env); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, a.body)
	}
	if env.Error.Code != code {
		t.Errorf("code = %q, want %q (message %q)", env.Error.Code, code, env.Error.Message)
	}
	if env.Error.Message == "" || env.Error.InnerError.Date == "" {
		t.Errorf("envelope misses message or date: %s", a.body)
	}
	if id := a.header.Get("request-id"); id == "" || id != env.Error.InnerError.RequestID {
		t.Errorf("request-id header %q, body %q", id, env.Error.InnerError.RequestID)
	}
	if id := a.header.Get("client-request-id"); id == "" || id != env.Error.InnerError.ClientRequestID {
		t.Errorf("client-request-id header %q, body %q", id, env.Error.InnerError.ClientRequestID)
	}
	return env.Error.Message
}

func TestSeededIDsLookReal(t *testing.T) {
	guids := []string{
		fakegraph.SCIMServicePrincipalID, fakegraph.CloudSyncServicePrincipalID, fakegraph.WorkdayServicePrincipalID,
		fakegraph.CredentialsMissingServicePrincipalID, fakegraph.UserAdaID, fakegraph.UserBenID, fakegraph.UserOutOfScopeID,
		fakegraph.UserFailingID, fakegraph.UserMember1ID, fakegraph.UserMember2ID, fakegraph.UserMember3ID,
		fakegraph.UserMember4ID, fakegraph.UserMember5ID, fakegraph.UserMember6ID, fakegraph.GroupEngineeringID,
		fakegraph.GroupOutOfScopeID, fakegraph.CloudSyncUserRuleID, fakegraph.WorkdayWorkerRuleID,
		strings.TrimSuffix(fakegraph.SCIMRuleID, "#V2"), strings.TrimSuffix(fakegraph.CredentialsMissingRuleID, "#V2"),
	}
	for _, id := range guids {
		if u, err := uuid.Parse(id); err != nil || u.String() != id {
			t.Errorf("%q is not a lower-case GUID: %v", id, err)
		}
	}
	jobs := map[string]string{
		fakegraph.SCIMJobID:               "scim.",
		fakegraph.CredentialsMissingJobID: "scim.",
		fakegraph.CloudSyncJobID:          "AD2AADProvisioning.",
		fakegraph.WorkdayJobID:            "workdayToAD.",
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for id, prefix := range jobs {
		if !strings.HasPrefix(id, prefix) || !hex32.MatchString(strings.TrimPrefix(id, prefix)) {
			t.Errorf("job id %q is not %s<32 hex>", id, prefix)
		}
	}
	if !strings.HasSuffix(fakegraph.SCIMUserRuleID, "#V2") {
		t.Errorf("SCIM rule id %q has no #V2 suffix", fakegraph.SCIMUserRuleID)
	}
}

func TestUserCreateThenRedundantExport(t *testing.T) {
	for _, version := range []string{"v1.0", "beta"} {
		t.Run(version, func(t *testing.T) {
			_, base := start(t, fakegraph.Options{Now: newClock().Now})
			url := provisionURL(base, version, fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)

			first := call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
			result, details, e := shapeA(t, first)
			if result != "Success" || len(details) != 0 {
				t.Errorf("key = %q %v, want Success {}", result, details)
			}
			checks := map[string]string{
				"action":               "Create",
				"reportableIdentifier": "ada.park@example.com",
				"statusInfo.status":    "Success",
				"sourceIdentity.id":    fakegraph.UserAdaID,
				"sourceIdentity.type":  "User",
				"targetIdentity.type":  "urn:ietf:params:scim:schemas:core:2.0:User",
				"sourceSystem.name":    "Azure Active Directory",
				"targetSystem.name":    "customappsso",
			}
			for path, want := range checks {
				if got := str(e, strings.Split(path, ".")...); got != want {
					t.Errorf("%s = %q, want %q", path, got, want)
				}
			}
			if _, err := uuid.Parse(str(e, "changeId")); err != nil {
				t.Errorf("changeId %q: %v", str(e, "changeId"), err)
			}
			if str(e, "targetIdentity", "id") == "" {
				t.Error("created entry has no target id")
			}
			for _, name := range []string{"startTime", "endTime"} {
				if !entryTime.MatchString(str(e, name)) {
					t.Errorf("%s = %q, want 7 fractional digits and Z", name, str(e, name))
				}
			}
			if field(e, "statusInfo", "errorCode") != nil || field(e, "statusInfo", "reason") != nil {
				t.Errorf("success statusInfo carries an error: %v", e["statusInfo"])
			}
			if got, want := stepSignature(e), "EntryImport/Import/Success EntrySynchronizationScoping/Scoping/Success EntryImport/Matching/Success EntryExportAdd/Export/Success"; got != want {
				t.Errorf("steps = %s, want %s", got, want)
			}
			for _, s := range steps(e) {
				if !entryTime.MatchString(str(s, "timestamp")) || str(s, "description") == "" {
					t.Errorf("step %v lacks timestamp or description", s)
				}
				if _, ok := s["details"].(map[string]any); !ok {
					t.Errorf("step %s details is not an object", str(s, "name"))
				}
			}
			if oldValue, newValue, ok := modified(e, "userName"); !ok || oldValue != nil || newValue != "ada.park@example.com" {
				t.Errorf("modifiedProperties userName = %v -> %v (found %v)", oldValue, newValue, ok)
			}

			second := call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
			result, details, e = shapeA(t, second)
			if result != "Skipped" || details["errorCode"] != "RedundantExport" {
				t.Errorf("second key = %q %v, want Skipped RedundantExport", result, details)
			}
			if str(e, "statusInfo", "status") != "Skipped" || str(e, "statusInfo", "errorCode") != "" || str(e, "statusInfo", "reason") != "" {
				t.Errorf("second statusInfo = %v, want Skipped with null errorCode and reason (Example 1)", e["statusInfo"])
			}
			if got := stepSignature(e); !strings.HasSuffix(got, "EntrySynchronizationSkip/Export/Skipped") {
				t.Errorf("second steps = %s", got)
			}
			if str(steps(e)[len(steps(e))-1], "details", "SkipReason") != "RedundantExport" {
				t.Error("skip step has no SkipReason")
			}
		})
	}
}

func TestUserOutcomes(t *testing.T) {
	tests := []struct {
		name, id, result, status, code, lastStep string
	}{
		{"assigned", fakegraph.UserBenID, "Success", "Success", "", "EntryExportAdd/Export/Success"},
		{"out of scope", fakegraph.UserOutOfScopeID, "Skipped", "Skipped", "NotEffectivelyEntitled", "EntrySynchronizationSkip/Processing/Skipped"},
		{"rejected by the SCIM endpoint", fakegraph.UserFailingID, "Failure", "Failure", "SystemForCrossDomainIdentityManagementBadRequest", "EntryExportAdd/Export/Failure"},
		{"not in the directory", "11111111-2222-4333-8444-555555555555", "Failure", "Failure", "EntryNotFound", "EntryImport/Import/Failure"},
		{"id in upper case", strings.ToUpper(fakegraph.UserMember6ID), "Success", "Success", "", "EntryExportAdd/Export/Success"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := start(t, fakegraph.Options{})
			url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
			for range 2 { // failures and skips repeat; only successes turn into RedundantExport
				result, details, e := shapeA(t, call(t, http.MethodPost, url, userBody(tt.id), nil))
				if result != tt.result || str(e, "statusInfo", "status") != tt.status {
					t.Fatalf("result %q status %q, want %q %q", result, str(e, "statusInfo", "status"), tt.result, tt.status)
				}
				if tt.status == "Success" {
					break
				}
				if details["errorCode"] != tt.code || str(e, "statusInfo", "errorCode") != tt.code || str(e, "statusInfo", "reason") != tt.code {
					t.Errorf("codes: key %v, statusInfo %v; want %s", details, e["statusInfo"], tt.code)
				}
				if str(e, "statusInfo", "additionalDetails") == "" || details["errorMessage"] == "" {
					t.Error("no additionalDetails / errorMessage")
				}
				if sig := stepSignature(e); !strings.HasSuffix(sig, tt.lastStep) {
					t.Errorf("steps = %s, want last %s", sig, tt.lastStep)
				}
				if tt.status == "Failure" && (str(e, "statusInfo", "errorCategory") == "" || str(e, "statusInfo", "recommendedAction") == "") {
					t.Errorf("failure without errorCategory/recommendedAction: %v", e["statusInfo"])
				}
			}
		})
	}
}

func TestGroupWithMembersAnswersOneEntryEach(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	groupCall := func(members ...link) []map[string]any {
		t.Helper()
		return shapeC(t, call(t, http.MethodPost, url, body(fakegraph.SCIMGroupRuleID, subjectJSON(fakegraph.GroupEngineeringID, "Group", members...)), nil))
	}
	summary := func(entries []map[string]any) string {
		var parts []string
		for _, e := range entries {
			// The reason, else (already in sync, as Example 1) the skip step's SkipReason.
			reason := str(e, "statusInfo", "reason")
			if st := steps(e); reason == "" && len(st) > 0 {
				reason = str(st[len(st)-1], "details", "SkipReason")
			}
			parts = append(parts, str(e, "sourceIdentity", "type")+":"+str(e, "action")+":"+str(e, "statusInfo", "status")+":"+reason)
		}
		return strings.Join(parts, " ")
	}

	entries := groupCall(users(fakegraph.UserMember1ID, fakegraph.UserMember2ID, fakegraph.UserMember3ID)...)
	if got, want := summary(entries), "Group:Create:Success: User:Create:Success: User:Create:Success: User:Create:Success:"; got != want {
		t.Fatalf("first call = %s, want %s", got, want)
	}
	group := entries[0]
	if str(group, "sourceIdentity", "id") != fakegraph.GroupEngineeringID || str(group, "reportableIdentifier") != "Engineering" ||
		str(group, "targetIdentity", "type") != "urn:ietf:params:scim:schemas:core:2.0:Group" {
		t.Errorf("group entry = %v", group)
	}
	_, members, _ := modified(group, "members")
	var linked []map[string]string
	if err := json.Unmarshal([]byte(members.(string)), &linked); err != nil || len(linked) != 3 {
		t.Errorf("members newValue = %v (%v)", members, err)
	}
	for i, id := range []string{fakegraph.UserMember1ID, fakegraph.UserMember2ID, fakegraph.UserMember3ID} {
		if str(entries[i+1], "sourceIdentity", "id") != id {
			t.Errorf("entry %d is %s, want %s", i+1, str(entries[i+1], "sourceIdentity", "id"), id)
		}
	}

	entries = groupCall(users(fakegraph.UserMember1ID, fakegraph.UserMember2ID, fakegraph.UserMember3ID, fakegraph.UserMember4ID)...)
	if got, want := summary(entries), "Group:Update:Success: User:Other:Skipped:RedundantExport User:Other:Skipped:RedundantExport User:Other:Skipped:RedundantExport User:Create:Success:"; got != want {
		t.Errorf("second call = %s, want %s", got, want)
	}
	if oldValue, newValue, _ := modified(entries[0], "members"); oldValue == nil || newValue == nil {
		t.Errorf("update members %v -> %v", oldValue, newValue)
	}

	entries = groupCall(users(fakegraph.UserMember4ID)...)
	if got, want := summary(entries), "Group:Other:Skipped:RedundantExport User:Other:Skipped:RedundantExport"; got != want {
		t.Errorf("third call = %s, want %s", got, want)
	}

	entries = groupCall(link{"00000000-0000-4000-8000-000000000001", "User"}, link{fakegraph.GroupOutOfScopeID, "Group"}, link{fakegraph.UserOutOfScopeID, "User"}, link{fakegraph.UserFailingID, "User"})
	if got, want := summary(entries), "Group:Other:Skipped:RedundantExport User:Other:Failure:EntryNotFound Group:Other:Skipped:UnsupportedObjectType User:Other:Skipped:NotEffectivelyEntitled User:Create:Failure:SystemForCrossDomainIdentityManagementBadRequest"; got != want {
		t.Errorf("odd members = %s, want %s", got, want)
	}
}

func TestGroupWithoutMembers(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := provisionURL(base, "beta", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	for range 2 {
		key, value := pair(t, call(t, http.MethodPost, url, body(fakegraph.SCIMGroupRuleID, subjectJSON(fakegraph.GroupEngineeringID, "Group")), nil))
		if key != `{"result":"Success","details":{}}` || value != "{}" {
			t.Errorf("shape B = %s / %s", key, value)
		}
	}
	result, _, e := shapeA(t, call(t, http.MethodPost, url, body(fakegraph.SCIMGroupRuleID, subjectJSON(fakegraph.GroupOutOfScopeID, "Group")), nil))
	if result != "Skipped" || str(e, "statusInfo", "reason") != "NotEffectivelyEntitled" {
		t.Errorf("unassigned group: %s %v", result, e["statusInfo"])
	}
}

func TestSeveralSubjectsAnswerShapeC(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	entries := shapeC(t, call(t, http.MethodPost, url, body(fakegraph.SCIMUserRuleID, subjectJSON(fakegraph.UserAdaID, "User"), subjectJSON(fakegraph.UserBenID, "User")), nil))
	if len(entries) != 2 || str(entries[0], "reportableIdentifier") != "ada.park@example.com" || str(entries[1], "reportableIdentifier") != "ben.okafor@example.com" {
		t.Errorf("entries = %v", entries)
	}
}

// Distinguished names compare case-insensitively: the second call, in lower case, finds the
// user created by the first.
func TestCloudSyncDistinguishedNamesFoldCase(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := provisionURL(base, "v1.0", fakegraph.CloudSyncServicePrincipalID, fakegraph.CloudSyncJobID)
	send := func(dn, typeName string) answer {
		return call(t, http.MethodPost, url, body(fakegraph.CloudSyncUserRuleID, subjectJSON(dn, typeName)), nil)
	}
	tests := []struct{ dn, want string }{
		{fakegraph.CloudSyncUserDN, "Success"},
		{strings.ToLower(fakegraph.CloudSyncUserDN), "Skipped"},
	}
	for _, tt := range tests {
		result, _, e := shapeA(t, send(tt.dn, "user"))
		if result != tt.want || str(e, "statusInfo", "status") != tt.want {
			t.Errorf("%s: key result %s, entry %v, want %s", tt.dn, result, e["statusInfo"], tt.want)
		}
	}
	checkEnvelope(t, send(fakegraph.CloudSyncUserDN, "User"), http.StatusBadRequest, "RequestParameterInvalid")
}

func TestWorkday(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := provisionURL(base, "v1.0", fakegraph.WorkdayServicePrincipalID, fakegraph.WorkdayJobID)
	send := func(id, typeName string) answer {
		return call(t, http.MethodPost, url, body(fakegraph.WorkdayWorkerRuleID, subjectJSON(id, typeName)), nil)
	}
	result, _, e := shapeA(t, send(fakegraph.WorkdayWorkerID, "Worker"))
	if result != "Success" || str(e, "action") != "Create" || str(e, "sourceIdentity", "type") != "Worker" ||
		str(e, "sourceSystem", "name") != "Workday" || str(e, "targetIdentity", "type") != "user" || str(e, "reportableIdentifier") != fakegraph.WorkdayWorkerID {
		t.Errorf("worker entry: %s %v", result, e)
	}
	if _, newValue, _ := modified(e, "employeeID"); newValue != fakegraph.WorkdayWorkerID {
		t.Errorf("employeeID = %v", newValue)
	}
	if result, _, _ = shapeA(t, send(fakegraph.WorkdayWorkerID, "Worker")); result != "Skipped" {
		t.Errorf("second run = %s", result)
	}
	if result, _, e = shapeA(t, send(fakegraph.WorkdayOutOfScopeWorkerID, "Worker")); result != "Skipped" || str(e, "statusInfo", "reason") != "NotEffectivelyEntitled" {
		t.Errorf("terminated worker = %s %v", result, e["statusInfo"])
	}
	msg := checkEnvelope(t, send("Engineering", "Group"), http.StatusBadRequest, "RequestParameterInvalid")
	if !strings.Contains(msg, "not supported") {
		t.Errorf("group message = %q", msg)
	}
	checkEnvelope(t, send(fakegraph.WorkdayWorkerID, "worker"), http.StatusBadRequest, "RequestParameterInvalid")
}

func TestErrorEnvelopes(t *testing.T) {
	_, base := start(t, fakegraph.Options{
		RateLimitRequests: fakegraph.NoRateLimit,
		AcceptToken:       func(token string) bool { return token != "expired" },
		ForbiddenToken:    "read-only",
	})
	scim := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	six := users(fakegraph.UserMember1ID, fakegraph.UserMember2ID, fakegraph.UserMember3ID, fakegraph.UserMember4ID, fakegraph.UserMember5ID, fakegraph.UserMember6ID)
	tests := []struct {
		name, method, url, body string
		header                  map[string]string
		status                  int
		code, message           string
	}{
		{"unknown service principal", "POST", provisionURL(base, "v1.0", "00000000-0000-4000-8000-00000000beef", fakegraph.SCIMJobID), userBody(fakegraph.UserAdaID), nil, 404, "Request_ResourceNotFound", "00000000-0000-4000-8000-00000000beef"},
		{"unknown job", "GET", jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, "scim.00000000000000000000000000000000"), "", nil, 404, "Request_ResourceNotFound", "scim.00000000000000000000000000000000"},
		{"job of another service principal", "POST", provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.WorkdayJobID), userBody(fakegraph.UserAdaID), nil, 404, "Request_ResourceNotFound", fakegraph.WorkdayJobID},
		{"unknown segment", "GET", base + "/v1.0/servicePrincipals/" + fakegraph.SCIMServicePrincipalID + "/synchronization/widgets", "", nil, 404, "BadRequest", "widgets"},
		{"unknown version", "GET", base + "/v2.0/servicePrincipals", "", nil, 404, "BadRequest", "v2.0"},
		{"wrong method", "GET", scim, "", nil, 405, "Request_BadRequest", ""},
		{"no token", "POST", scim, userBody(fakegraph.UserAdaID), map[string]string{"Authorization": ""}, 401, "InvalidAuthenticationToken", "empty"},
		{"empty bearer", "GET", jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID), "", map[string]string{"Authorization": "Bearer "}, 401, "InvalidAuthenticationToken", ""},
		{"basic auth", "GET", jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID), "", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, 401, "InvalidAuthenticationToken", ""},
		{"token refused", "POST", scim, userBody(fakegraph.UserAdaID), map[string]string{"Authorization": "Bearer expired"}, 401, "InvalidAuthenticationToken", "validation"},
		{"missing permission", "POST", scim, userBody(fakegraph.UserAdaID), map[string]string{"Authorization": "Bearer read-only"}, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."},
		{"credentials missing", "POST", provisionURL(base, "v1.0", fakegraph.CredentialsMissingServicePrincipalID, fakegraph.CredentialsMissingJobID), body(fakegraph.CredentialsMissingRuleID, subjectJSON(fakegraph.UserAdaID, "User")), nil, 400, "CredentialsMissing", ""},
		{"empty rule id", "POST", scim, body("", subjectJSON(fakegraph.UserAdaID, "User")), nil, 400, "RequestParameterInvalid", "The job does not include the rule ''."},
		{"rule of another job", "POST", scim, body(fakegraph.CloudSyncUserRuleID, subjectJSON(fakegraph.UserAdaID, "User")), nil, 400, "RequestParameterInvalid", fakegraph.CloudSyncUserRuleID},
		{"rule without its suffix", "POST", scim, body(strings.TrimSuffix(fakegraph.SCIMRuleID, "#V2"), subjectJSON(fakegraph.UserAdaID, "User")), nil, 400, "RequestParameterInvalid", "does not include the rule"},
		{"unparsable JSON", "POST", scim, `{"parameters":[`, nil, 400, "BadRequest", ""},
		{"empty body", "POST", scim, "", nil, 400, "BadRequest", ""},
		{"no content type", "POST", scim, userBody(fakegraph.UserAdaID), map[string]string{"Content-Type": ""}, 400, "BadRequest", "Content-Type"},
		{"misspelt property", "POST", scim, `{"parameters":[{"ruleID":"x","subjects":[]}]}`, nil, 400, "BadRequest", "ruleID"},
		{"subjects not a list", "POST", scim, `{"parameters":[{"ruleId":"` + fakegraph.SCIMRuleID + `","subjects":{}}]}`, nil, 400, "BadRequest", "subjects"},
		{"no parameters", "POST", scim, `{"parameters":[]}`, nil, 400, "BadRequest", ""},
		{"no subjects", "POST", scim, body(fakegraph.SCIMRuleID), nil, 400, "RequestParameterInvalid", ""},
		{"object type in wrong case", "POST", scim, body(fakegraph.SCIMRuleID, subjectJSON(fakegraph.UserAdaID, "user")), nil, 400, "RequestParameterInvalid", "'user'"},
		{"six members", "POST", scim, body(fakegraph.SCIMGroupRuleID, subjectJSON(fakegraph.GroupEngineeringID, "Group", six...)), nil, 400, "RequestParameterInvalid", "at most 5"},
		{"two groups", "POST", scim, body(fakegraph.SCIMGroupRuleID, subjectJSON(fakegraph.GroupEngineeringID, "Group"), subjectJSON(fakegraph.GroupOutOfScopeID, "Group")), nil, 400, "RequestParameterInvalid", "one group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, tt.method, tt.url, tt.body, tt.header)
			msg := checkEnvelope(t, a, tt.status, tt.code)
			if !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not contain %q", msg, tt.message)
			}
			if tt.status == 401 && !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("WWW-Authenticate = %q", a.header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestRequestIDHeaders(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	a := call(t, http.MethodGet, url, "", map[string]string{"client-request-id": "7d1c3b9e-0000-4000-8000-000000000001"})
	if a.header.Get("client-request-id") != "7d1c3b9e-0000-4000-8000-000000000001" {
		t.Errorf("client-request-id not echoed: %q", a.header.Get("client-request-id"))
	}
	b := call(t, http.MethodGet, url, "", nil)
	for _, h := range []string{"request-id", "client-request-id"} {
		if _, err := uuid.Parse(b.header.Get(h)); err != nil {
			t.Errorf("%s = %q: %v", h, b.header.Get(h), err)
		}
	}
	if a.header.Get("request-id") == b.header.Get("request-id") {
		t.Error("request-id is not fresh per response")
	}
	if ct := b.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestReads(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	for _, version := range []string{"v1.0", "beta"} {
		list := call(t, http.MethodGet, fmt.Sprintf("%s/%s/servicePrincipals/%s/synchronization/jobs", base, version, fakegraph.SCIMServicePrincipalID), "", nil)
		var jobs struct {
			Context string           `json:"@odata.context"`
			Value   []map[string]any `json:"value"`
		}
		if err := json.Unmarshal(list.body, &jobs); err != nil || list.status != 200 || jobs.Context == "" || len(jobs.Value) != 1 || jobs.Value[0]["id"] != fakegraph.SCIMJobID {
			t.Fatalf("list jobs: %d %v %s", list.status, err, list.body)
		}
	}
	tests := []struct{ sp, job, template, interval, state, status string }{
		{fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, "scim", "PT40M", "Active", "Active"},
		{fakegraph.CloudSyncServicePrincipalID, fakegraph.CloudSyncJobID, "AD2AADProvisioning", "PT2M", "Active", "Active"},
		{fakegraph.WorkdayServicePrincipalID, fakegraph.WorkdayJobID, "workdayToAD", "PT40M", "Active", "Active"},
		{fakegraph.CredentialsMissingServicePrincipalID, fakegraph.CredentialsMissingJobID, "scim", "PT40M", "Disabled", "NotConfigured"},
	}
	for _, tt := range tests {
		a := call(t, http.MethodGet, jobURL(base, "v1.0", tt.sp, tt.job), "", nil)
		var j map[string]any
		if err := json.Unmarshal(a.body, &j); err != nil || a.status != 200 {
			t.Fatalf("job %s: %d %v", tt.job, a.status, err)
		}
		if str(j, "id") != tt.job || str(j, "templateId") != tt.template || str(j, "schedule", "interval") != tt.interval ||
			str(j, "schedule", "state") != tt.state || str(j, "status", "code") != tt.status {
			t.Errorf("job %s = %s", tt.job, a.body)
		}
		if q := field(j, "status", "quarantine"); q != nil {
			t.Errorf("quarantine = %v, want null", field(j, "status", "quarantine"))
		}
		if settings, _ := j["synchronizationJobSettings"].([]any); len(settings) == 0 || str(settings[0], "name") == "" {
			t.Errorf("settings = %v", j["synchronizationJobSettings"])
		}
	}
	if a := call(t, http.MethodGet, jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID), "", nil); !strings.Contains(string(a.body), `"lastExecution":{`) || !strings.Contains(string(a.body), `"state":"Succeeded"`) {
		t.Errorf("SCIM job has no lastExecution: %s", a.body)
	}

	schemas := []struct {
		sp, job, rule string
		sources       []string
	}{
		{fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, fakegraph.SCIMRuleID, []string{"User", "Group"}},
		{fakegraph.CloudSyncServicePrincipalID, fakegraph.CloudSyncJobID, fakegraph.CloudSyncUserRuleID, []string{"user"}},
		{fakegraph.WorkdayServicePrincipalID, fakegraph.WorkdayJobID, fakegraph.WorkdayWorkerRuleID, []string{"Worker"}},
	}
	for _, tt := range schemas {
		a := call(t, http.MethodGet, jobURL(base, "beta", tt.sp, tt.job)+"/schema", "", nil)
		var schema struct {
			Directories []map[string]any `json:"directories"`
			Rules       []struct {
				ID         string              `json:"id"`
				Name       string              `json:"name"`
				Priority   int                 `json:"priority"`
				Editable   bool                `json:"editable"`
				Source     string              `json:"sourceDirectoryName"`
				Target     string              `json:"targetDirectoryName"`
				Metadata   []map[string]string `json:"metadata"`
				ObjectMaps []map[string]any    `json:"objectMappings"`
			} `json:"synchronizationRules"`
		}
		if err := json.Unmarshal(a.body, &schema); err != nil || a.status != 200 {
			t.Fatalf("schema %s: %d %v", tt.job, a.status, err)
		}
		if len(schema.Rules) != 1 || len(schema.Directories) != 2 {
			t.Fatalf("schema %s: %d rules, %d directories", tt.job, len(schema.Rules), len(schema.Directories))
		}
		r := schema.Rules[0]
		if r.ID != tt.rule || r.Name == "" || r.Source == "" || r.Target == "" || !r.Editable || r.Priority != 1 {
			t.Errorf("rule = %+v", r)
		}
		pod := false
		for _, m := range r.Metadata {
			pod = pod || m["key"] == "supportsProvisionOnDemand" && m["value"] == "true"
		}
		if !pod {
			t.Errorf("rule metadata = %v", r.Metadata)
		}
		var sources []string
		for _, m := range r.ObjectMaps {
			sources = append(sources, str(m, "sourceObjectName"))
			if str(m, "targetObjectName") == "" || str(m, "flowTypes") == "" || m["enabled"] != true {
				t.Errorf("object mapping = %v", m)
			}
			if _, ok := m["attributeMappings"].([]any); !ok {
				t.Errorf("attributeMappings = %v", m["attributeMappings"])
			}
		}
		if strings.Join(sources, ",") != strings.Join(tt.sources, ",") {
			t.Errorf("source objects = %v, want %v", sources, tt.sources)
		}
	}
}

func TestSlidingWindowCountsOnlyCallsThatReachTheJob(t *testing.T) {
	srv, base := start(t, fakegraph.Options{RateLimitRequests: 1, RateLimitInterval: time.Hour})
	scim := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	if a := call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), map[string]string{"Authorization": ""}); a.status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", a.status)
	}
	if a := call(t, http.MethodPost, provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, "scim.00000000000000000000000000000000"), userBody(fakegraph.UserAdaID), nil); a.status != http.StatusNotFound {
		t.Fatalf("unknown job: %d", a.status)
	}
	if a := call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), nil); a.status != 200 {
		t.Errorf("first call that reached the job answered %d: a 401 or 404 must not use up its window", a.status)
	}
	if got := srv.CountRateLimited(); got != 0 {
		t.Errorf("CountRateLimited = %d", got)
	}
}

// TestSlidingWindowCountsArrivalOrder holds the earlier request in its handler while a later
// one is judged first: each must still be judged at its own arrival time, as a strict server
// that stamps requests at its front door does.
func TestSlidingWindowCountsArrivalOrder(t *testing.T) {
	clock := newClock()
	t0 := clock.Now()
	arrived, release := make(chan struct{}), make(chan struct{})
	var holdFirst sync.Once
	srv, base := start(t, fakegraph.Options{
		RateLimitRequests: 1, RateLimitInterval: time.Second, Now: clock.Now,
		OnRequest: func(r fakegraph.LoggedRequest) {
			if r.Time.Equal(t0.Add(time.Second)) {
				holdFirst.Do(func() { close(arrived); <-release })
			}
		},
	})
	scim := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	if a := call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), nil); a.status != 200 {
		t.Fatalf("first request: %d", a.status)
	}
	clock.Set(t0.Add(time.Second)) // the first request has just left the window
	early := make(chan answer, 1)
	go func() { early <- call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), nil) }()
	<-arrived
	clock.Set(t0.Add(1050 * time.Millisecond))
	late := call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), nil)
	close(release)
	if a := <-early; a.status != 200 {
		t.Errorf("request that arrived at 1.0s answered %d, want 200: it was alone in its window", a.status)
	}
	checkEnvelope(t, late, http.StatusTooManyRequests, "TooManyRequests")
	if ra := late.header.Get("Retry-After"); ra != "1.000" {
		t.Errorf("Retry-After = %q, want 1.000 (rejected calls count: the retry waits for this one to leave the window)", ra)
	}
	if got := srv.CountRateLimited(); got != 1 {
		t.Errorf("CountRateLimited = %d, want 1", got)
	}
}

func TestSlidingWindow(t *testing.T) {
	clock := newClock()
	t0 := clock.Now()
	srv, base := start(t, fakegraph.Options{RateLimitRequests: 5, RateLimitInterval: time.Second, Now: clock.Now})
	scim := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	at := func(offset time.Duration, url string) answer {
		t.Helper()
		clock.Set(t0.Add(offset))
		if strings.HasSuffix(url, "/schema") {
			return call(t, http.MethodGet, url, "", nil)
		}
		if strings.Contains(url, fakegraph.WorkdayJobID) {
			return call(t, http.MethodPost, url, body(fakegraph.WorkdayWorkerRuleID, subjectJSON(fakegraph.WorkdayWorkerID, "Worker")), nil)
		}
		return call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
	}
	for i := range 5 {
		if a := at(time.Duration(i)*100*time.Millisecond, scim); a.status != 200 {
			t.Fatalf("request %d: %d", i+1, a.status)
		}
	}
	sixth := at(500*time.Millisecond, scim)
	checkEnvelope(t, sixth, http.StatusTooManyRequests, "TooManyRequests")
	if ra := sixth.header.Get("Retry-After"); ra != "0.600" {
		t.Errorf("Retry-After = %q, want 0.600 (the start at 100ms leaves the window at 1.1s)", ra)
	}
	if got, err := strconv.ParseFloat(sixth.header.Get("Retry-After"), 64); err != nil || got <= 0 {
		t.Errorf("Retry-After %q does not parse as positive seconds: %v", sixth.header.Get("Retry-After"), err)
	}

	// Another job has its own window; reads are never limited.
	if a := at(500*time.Millisecond, provisionURL(base, "v1.0", fakegraph.WorkdayServicePrincipalID, fakegraph.WorkdayJobID)); a.status != 200 {
		t.Errorf("other job answered %d", a.status)
	}
	if a := at(500*time.Millisecond, jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)+"/schema"); a.status != 200 {
		t.Errorf("read answered %d", a.status)
	}

	// At 1.0s the first start has left the window, but the rejected one at 0.5s still counts.
	seventh := at(time.Second, scim)
	checkEnvelope(t, seventh, http.StatusTooManyRequests, "TooManyRequests")
	if ra := seventh.header.Get("Retry-After"); ra != "0.200" {
		t.Errorf("Retry-After = %q, want 0.200", ra)
	}
	if a := at(1200*time.Millisecond, scim); a.status != 200 {
		t.Errorf("after Retry-After: %d, want 200", a.status)
	}
	if got := srv.CountRateLimited(); got != 2 {
		t.Errorf("CountRateLimited = %d, want 2", got)
	}
	if got := srv.CountStatus(http.StatusTooManyRequests); got != 2 {
		t.Errorf("CountStatus(429) = %d, want 2", got)
	}
	if got := srv.ProvisionCalls(fakegraph.SCIMJobID); got != 8 {
		t.Errorf("ProvisionCalls = %d, want 8", got)
	}
}

func TestRateLimitOptions(t *testing.T) {
	t.Run("default is 5 per 10s", func(t *testing.T) {
		clock := newClock()
		_, base := start(t, fakegraph.Options{Now: clock.Now})
		url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
		for range 5 {
			call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
		}
		a := call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
		if a.status != 429 || a.header.Get("Retry-After") != "10.000" {
			t.Errorf("6th: %d Retry-After %q, want 429 10.000", a.status, a.header.Get("Retry-After"))
		}
	})
	t.Run("without Retry-After", func(t *testing.T) {
		_, base := start(t, fakegraph.Options{RateLimitRequests: 1, OmitRetryAfter: true, Now: newClock().Now})
		url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
		call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
		a := call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
		checkEnvelope(t, a, 429, "TooManyRequests")
		if _, ok := a.header["Retry-After"]; ok {
			t.Errorf("Retry-After sent: %q", a.header.Get("Retry-After"))
		}
	})
	t.Run("disabled", func(t *testing.T) {
		srv, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit, Now: newClock().Now})
		url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
		for range 20 {
			call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
		}
		if n := srv.CountStatus(200); n != 20 {
			t.Errorf("%d of 20 admitted", n)
		}
	})
}

// started returns an OnRequest hook and a channel that receives each request as it arrives.
func started() (func(fakegraph.LoggedRequest), <-chan fakegraph.LoggedRequest) {
	ch := make(chan fakegraph.LoggedRequest, 16)
	return func(r fakegraph.LoggedRequest) { ch <- r }, ch
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault fakegraph.Fault
		check func(t *testing.T, a answer)
	}{
		{"503 with fractional Retry-After", fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 503, RetryAfter: "2.128"}, func(t *testing.T, a answer) {
			checkEnvelope(t, a, 503, "ServiceUnavailable")
			if a.header.Get("Retry-After") != "2.128" {
				t.Errorf("Retry-After = %q", a.header.Get("Retry-After"))
			}
		}},
		{"503 with HTTP-date Retry-After", fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 503, RetryAfter: "Mon, 02 Mar 2026 09:14:09 GMT"}, func(t *testing.T, a answer) {
			checkEnvelope(t, a, 503, "ServiceUnavailable")
			if _, err := http.ParseTime(a.header.Get("Retry-After")); err != nil {
				t.Errorf("Retry-After = %q: %v", a.header.Get("Retry-After"), err)
			}
		}},
		{"500", fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 500}, func(t *testing.T, a answer) { checkEnvelope(t, a, 500, "InternalServerError") }},
		{"502", fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 502}, func(t *testing.T, a answer) { checkEnvelope(t, a, 502, "BadGateway") }},
		{"504 with a code", fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 504, Code: "UnknownError", Message: "gateway timeout"}, func(t *testing.T, a answer) {
			if msg := checkEnvelope(t, a, 504, "UnknownError"); msg != "gateway timeout" {
				t.Errorf("message %q", msg)
			}
		}},
		{"slow", fakegraph.Fault{Kind: fakegraph.FaultSlow, Delay: time.Millisecond}, func(t *testing.T, a answer) {
			if result, _, _ := shapeA(t, a); result != "Success" && result != "Skipped" {
				t.Errorf("slow answer = %s", result)
			}
		}},
		{"not JSON", fakegraph.Fault{Kind: fakegraph.FaultNonJSON}, func(t *testing.T, a answer) {
			if a.status != 200 || json.Valid(a.body) || !bytes.Contains(a.body, []byte("<html>")) {
				t.Errorf("%d %s", a.status, a.body)
			}
		}},
		{"key and value not JSON", fakegraph.Fault{Kind: fakegraph.FaultKeyValueNotJSON}, func(t *testing.T, a answer) {
			key, value := pair(t, a)
			if json.Valid([]byte(key)) || json.Valid([]byte(value)) {
				t.Errorf("key %q value %q", key, value)
			}
		}},
		{"value of the wrong type", fakegraph.Fault{Kind: fakegraph.FaultValueWrongType}, func(t *testing.T, a answer) {
			var raw map[string]any
			if err := json.Unmarshal(a.body, &raw); err != nil || a.status != 200 {
				t.Fatalf("%d %v", a.status, err)
			}
			if _, isString := raw["value"].(string); isString {
				t.Errorf("value is a string: %s", a.body)
			}
		}},
		{"empty body", fakegraph.Fault{Kind: fakegraph.FaultEmptyBody}, func(t *testing.T, a answer) {
			if a.status != 200 || len(a.body) != 0 {
				t.Errorf("%d %q", a.status, a.body)
			}
		}},
		{"huge body", fakegraph.Fault{Kind: fakegraph.FaultHugeBody, Size: 3 << 20}, func(t *testing.T, a answer) {
			if len(a.body) != 3<<20 || !json.Valid(a.body) {
				t.Errorf("%d bytes, valid JSON %v", len(a.body), json.Valid(a.body))
			}
		}},
		{"deep nesting", fakegraph.Fault{Kind: fakegraph.FaultDeepNesting, Depth: 20000}, func(t *testing.T, a answer) {
			key, value := pair(t, a)
			var v any
			if !strings.HasPrefix(key, "Microsoft.Identity") || strings.Count(value, "[") != 20000 || json.Unmarshal([]byte(value), &v) == nil {
				t.Errorf("key %q, %d brackets", key, strings.Count(value, "["))
			}
		}},
		{"raw body", fakegraph.Fault{Kind: fakegraph.FaultRawBody, StatusCode: 202, Body: `{"odd":true}`}, func(t *testing.T, a answer) {
			if a.status != 202 || string(a.body) != `{"odd":true}` {
				t.Errorf("%d %s", a.status, a.body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
			tt.fault.Count = 2
			srv.InjectFault(tt.fault)
			url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
			for range 2 {
				tt.check(t, call(t, http.MethodPost, url, userBody(fakegraph.UserMember5ID), nil))
			}
			if srv.PendingFaults() != 0 {
				t.Errorf("fault not used up")
			}
			if a := call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil); a.status != 200 {
				t.Errorf("after the fault: %d", a.status)
			}
			if got := srv.Requests()[0].Fault; got != tt.fault.Kind {
				t.Errorf("logged fault = %q", got)
			}
		})
	}
}

func TestFaultMatching(t *testing.T) {
	srv, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	scim := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	schema := jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID) + "/schema"
	srv.InjectFault(fakegraph.Fault{JobID: fakegraph.WorkdayJobID, Kind: fakegraph.FaultStatus, StatusCode: 500})
	srv.InjectFault(fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 503})
	srv.InjectFault(fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 504, IncludeReads: true})

	if a := call(t, http.MethodGet, schema, "", nil); a.status != 504 {
		t.Errorf("read took %d, want the first fault that includes reads (504)", a.status)
	}
	if a := call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), nil); a.status != 503 {
		t.Errorf("SCIM provision: %d, want 503 (the Workday fault is skipped)", a.status)
	}
	if a := call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), nil); a.status != 200 {
		t.Errorf("SCIM provision: %d, want 200", a.status)
	}
	workday := provisionURL(base, "v1.0", fakegraph.WorkdayServicePrincipalID, fakegraph.WorkdayJobID)
	if a := call(t, http.MethodPost, workday, body(fakegraph.WorkdayWorkerRuleID, subjectJSON(fakegraph.WorkdayWorkerID, "Worker")), nil); a.status != 500 {
		t.Errorf("Workday provision: %d, want 500", a.status)
	}

	srv.InjectFault(fakegraph.Fault{Kind: fakegraph.FaultStatus, StatusCode: 503, Count: -1})
	for range 3 {
		if a := call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), nil); a.status != 503 {
			t.Errorf("unlimited fault: %d", a.status)
		}
	}
	srv.Reset()
	if a := call(t, http.MethodPost, scim, userBody(fakegraph.UserAdaID), nil); a.status != 200 {
		t.Errorf("after Reset: %d", a.status)
	}
}

func TestConnectionFaults(t *testing.T) {
	url := func(base string) string {
		return provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	}
	t.Run("reset", func(t *testing.T) {
		srv, base := start(t, fakegraph.Options{})
		srv.InjectFault(fakegraph.Fault{Kind: fakegraph.FaultReset})
		if a, err := callContext(context.Background(), http.MethodPost, url(base), userBody(fakegraph.UserAdaID), nil); err == nil {
			t.Fatalf("reset connection answered %d %s", a.status, a.body)
		}
		if r := srv.Requests()[0]; r.Fault != fakegraph.FaultReset || r.Status != 0 {
			t.Errorf("logged %+v", r)
		}
	})
	for _, kind := range []fakegraph.FaultKind{fakegraph.FaultHang, fakegraph.FaultSlow} {
		t.Run(string(kind)+" until the client gives up", func(t *testing.T) {
			hook, arrived := started()
			srv, base := start(t, fakegraph.Options{OnRequest: hook})
			srv.InjectFault(fakegraph.Fault{Kind: kind, Delay: time.Hour})
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-arrived
				cancel()
			}()
			if _, err := callContext(ctx, http.MethodPost, url(base), userBody(fakegraph.UserAdaID), nil); !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		})
		t.Run(string(kind)+" until the server closes", func(t *testing.T) {
			hook, arrived := started()
			srv, base := start(t, fakegraph.Options{OnRequest: hook})
			srv.InjectFault(fakegraph.Fault{Kind: kind, Delay: time.Hour})
			go func() {
				<-arrived
				srv.Close()
			}()
			if a, err := callContext(context.Background(), http.MethodPost, url(base), userBody(fakegraph.UserAdaID), nil); err == nil {
				t.Errorf("answered %d after close", a.status)
			}
		})
	}
	t.Run("latency until the client gives up", func(t *testing.T) {
		hook, arrived := started()
		_, base := start(t, fakegraph.Options{Latency: time.Hour, OnRequest: hook})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
		}()
		if _, err := callContext(ctx, http.MethodGet, jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID), "", nil); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("latency then answer", func(t *testing.T) {
		_, base := start(t, fakegraph.Options{Latency: time.Millisecond})
		if a := call(t, http.MethodGet, jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID), "", nil); a.status != 200 {
			t.Errorf("status %d", a.status)
		}
	})
}

func TestRequestLog(t *testing.T) {
	clock := newClock()
	srv, base := start(t, fakegraph.Options{Now: clock.Now})
	url := provisionURL(base, "beta", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	payload := userBody(fakegraph.UserAdaID)
	call(t, http.MethodPost, url, payload, map[string]string{"client-request-id": "c1"})
	call(t, http.MethodGet, jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID), "", map[string]string{"Authorization": ""})

	log := srv.Requests()
	if len(log) != 2 {
		t.Fatalf("%d requests logged", len(log))
	}
	p := log[0]
	if !p.Time.Equal(clock.Now()) || p.Method != "POST" || p.APIVersion != "beta" || p.Operation != fakegraph.OperationProvisionOnDemand ||
		p.ServicePrincipalID != fakegraph.SCIMServicePrincipalID || p.JobID != fakegraph.SCIMJobID || p.Status != 200 ||
		p.RateLimited || p.Body != payload || !p.HasAuthorization || p.ClientRequestID != "c1" || p.RequestID == "" {
		t.Errorf("provision logged as %+v", p)
	}
	if g := log[1]; g.Operation != fakegraph.OperationGetJob || g.Status != 401 || g.HasAuthorization || g.Body != "" {
		t.Errorf("read logged as %+v", g)
	}
	encoded, _ := json.Marshal(log)
	if bytes.Contains(encoded, []byte(testToken)) {
		t.Error("the log holds the token")
	}
	if srv.CountStatus(401) != 1 || srv.ProvisionCalls("") != 1 || srv.ProvisionCalls(fakegraph.WorkdayJobID) != 0 {
		t.Errorf("counts: 401=%d provision=%d", srv.CountStatus(401), srv.ProvisionCalls(""))
	}
	var summary strings.Builder
	if err := srv.WriteSummary(&summary); err != nil || !strings.Contains(summary.String(), "2 requests") || !strings.Contains(summary.String(), fakegraph.SCIMJobID+": 1") {
		t.Errorf("summary %q %v", summary.String(), err)
	}
}

func TestControlEndpoints(t *testing.T) {
	srv, base := start(t, fakegraph.Options{})
	url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	noAuth := map[string]string{"Authorization": ""}

	if a := call(t, http.MethodPost, base+"/_fake/faults", `{"kind":"status","statusCode":502,"retryAfter":"3","jobId":"`+fakegraph.SCIMJobID+`"}`, noAuth); a.status != 201 {
		t.Fatalf("inject: %d %s", a.status, a.body)
	}
	a := call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)
	checkEnvelope(t, a, 502, "BadGateway")
	if a.header.Get("Retry-After") != "3" {
		t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
	}
	if a := call(t, http.MethodPost, base+"/_fake/faults", `{"kind":"slow","delay":"1ms"}`, noAuth); a.status != 201 {
		t.Errorf("slow fault: %d %s", a.status, a.body)
	}
	for _, bad := range []string{`{"kind":"explode"}`, `{"kind":"slow","delay":"soon"}`, `not json`} {
		checkEnvelope(t, call(t, http.MethodPost, base+"/_fake/faults", bad, noAuth), 400, "BadRequest")
	}
	call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)

	list := call(t, http.MethodGet, base+"/_fake/requests", "", noAuth)
	var logged []fakegraph.LoggedRequest
	if err := json.Unmarshal(list.body, &logged); err != nil || list.status != 200 || len(logged) != 2 {
		t.Fatalf("requests: %d %v %s", list.status, err, list.body)
	}
	if logged[0].Status != 502 || logged[0].Fault != fakegraph.FaultStatus || logged[1].Status != 200 || !logged[1].HasAuthorization {
		t.Errorf("logged %+v", logged)
	}
	if bytes.Contains(list.body, []byte(testToken)) {
		t.Error("the log exposes the token")
	}
	checkEnvelope(t, call(t, http.MethodDelete, base+"/_fake/requests", "", noAuth), 405, "Request_BadRequest")

	if a := call(t, http.MethodPost, base+"/_fake/reset", "", noAuth); a.status != 204 {
		t.Fatalf("reset: %d", a.status)
	}
	if len(srv.Requests()) != 0 {
		t.Error("log not cleared")
	}
	if result, _, _ := shapeA(t, call(t, http.MethodPost, url, userBody(fakegraph.UserAdaID), nil)); result != "Success" {
		t.Errorf("after reset Ada is %s, want a fresh Create", result)
	}
}

func TestAddUser(t *testing.T) {
	srv, base := start(t, fakegraph.Options{})
	const id = "2b1f6e3a-0c4d-4a8e-9f7b-5d3c1e8a6b20"
	srv.AddUser(id, "load.test1@example.com", "Load Test 1")
	result, _, e := shapeA(t, call(t, http.MethodPost, provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID), userBody(id), nil))
	if result != "Success" || str(e, "reportableIdentifier") != "load.test1@example.com" {
		t.Errorf("%s %v", result, e)
	}
}

func TestAddGroup(t *testing.T) {
	srv, base := start(t, fakegraph.Options{})
	const groupID = "6c0d2f3e-1a4b-4c5d-8e9f-0a1b2c3d4e5f"
	members := []string{"6c0d2f3e-1a4b-4c5d-8e9f-000000000001", "6c0d2f3e-1a4b-4c5d-8e9f-000000000002"}
	for i, id := range members {
		srv.AddUser(id, fmt.Sprintf("member%d@example.com", i+1), "")
	}
	srv.AddGroup(groupID, "Load Group", members)
	entries := shapeC(t, call(t, http.MethodPost, provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID),
		body(fakegraph.SCIMGroupRuleID, subjectJSON(groupID, "Group", users(members...)...)), nil))
	if len(entries) != 3 || str(entries[0], "reportableIdentifier") != "Load Group" || str(entries[0], "action") != "Create" {
		t.Fatalf("entries = %v", entries)
	}
	_, linked, _ := modified(entries[0], "members")
	var values []map[string]string
	if err := json.Unmarshal([]byte(linked.(string)), &values); err != nil || len(values) != len(members) {
		t.Errorf("members newValue = %v (%v), want %d linked members", linked, err, len(members))
	}
}

func TestConcurrentProvisioning(t *testing.T) {
	srv, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	url := provisionURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	var wg sync.WaitGroup
	results := make(chan string, 20)
	for range 20 {
		wg.Go(func() {
			a, err := callContext(context.Background(), http.MethodPost, url, userBody(fakegraph.UserBenID), nil)
			if err != nil {
				results <- err.Error()
				return
			}
			var p struct{ Key string }
			_ = json.Unmarshal(a.body, &p)
			results <- p.Key
		})
	}
	wg.Wait()
	close(results)
	created := 0
	for r := range results {
		if strings.Contains(r, `"result":"Success"`) {
			created++
		} else if !strings.Contains(r, "RedundantExport") {
			t.Errorf("unexpected answer %s", r)
		}
	}
	if created != 1 || srv.ProvisionCalls("") != 20 {
		t.Errorf("%d creates, %d calls", created, srv.ProvisionCalls(""))
	}
}
