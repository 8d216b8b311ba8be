package graph

import "testing"

// The answers of the examples of "synchronizationJob: provisionOnDemand"
// (https://learn.microsoft.com/graph/api/synchronization-synchronizationjob-provisionondemand)
// and of the cross-tenant synchronization guide, trimmed to the fields the decoding reads.
const (
	// Example 1: a user already in sync. statusInfo's codes are null; RedundantExport is only in
	// the key and in the skip step.
	exampleInSyncKey   = `{"result":"Skipped","details":{"errorCode":"RedundantExport","errorMessage":"The state of the user in both the source and target systems already match."}}`
	exampleInSyncValue = `{"action":"Other","changeId":"1a2b","reportableIdentifier":"bill.bob@example.com",
	 "statusInfo":{"@odata.type":"#microsoft.graph.statusDetails","status":"Skipped","errorCode":null,"reason":null,"additionalDetails":null,"errorCategory":null,"recommendedAction":null},
	 "sourceIdentity":{"id":"5e6","type":"User"},"targetIdentity":{"id":"","type":"User"},
	 "provisioningSteps":[
	  {"name":"EntryImport","type":"Import","status":"Success","description":"Retrieved User","timestamp":"2026-03-02T09:14:07Z","details":{}},
	  {"name":"EntrySynchronizationSkip","type":"Export","status":"Skipped","description":"The state of the user in both the source and target systems already match.","timestamp":"2026-03-02T09:14:08Z","details":{"SkipReason":"RedundantExport"}}]}`
	// Example 2: Cloud Sync, statusInfo holding only the status.
	exampleCloudSyncKey   = `{"result":"Success","details":{}}`
	exampleCloudSyncValue = `{"action":"Create","changeId":"e5ff","startTime":"2026-03-02T09:14:07Z","endTime":"2026-03-02T09:14:08Z",
	 "reportableIdentifier":"adelev@corp.example.com","statusInfo":{"status":"Success"},
	 "sourceIdentity":{"id":"4c3f","type":"user"},"sourceSystem":{"name":"Active Directory"},
	 "targetIdentity":{"id":"e2a4","type":"User"},"targetSystem":{"name":"Azure Active Directory"},
	 "modifiedProperties":[{"displayName":"accountEnabled","newValue":"True"}],"provisioningSteps":[]}`
	// Example 3: a group sent with two members, answered with no entry at all.
	exampleGroupKey   = `{"result":"Success","details":{}}`
	exampleGroupValue = `{}`
	// Cross-tenant synchronization: the StatusInfo type name as key, an array of entries.
	exampleCrossTenantValue = `[{"action":"Create","reportableIdentifier":"ada.park@example.com",
	 "statusInfo":{"status":"Success","errorCode":null,"reason":null},
	 "sourceIdentity":{"id":"0a1b","type":"User"},"targetIdentity":{"id":"9f8e","type":"User"}}]`
)

func TestDecodeDocumentedExamples(t *testing.T) {
	for _, tc := range []struct {
		name, key, value string
		status           string
		entries          int
		code             string // of the first entry
		inSync           bool
	}{
		{"example 1: user already in sync", exampleInSyncKey, exampleInSyncValue, StatusSkipped, 1, SkipReasonRedundantExport, true},
		{"example 2: cloud sync", exampleCloudSyncKey, exampleCloudSyncValue, StatusSuccess, 1, "", false},
		{"example 3: group with members answered {}", exampleGroupKey, exampleGroupValue, StatusSuccess, 0, "", false},
		{"cross-tenant", statusInfoTypeName, exampleCrossTenantValue, StatusSuccess, 1, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := DecodeProvisionResult(tc.key, tc.value)
			if r.Status != tc.status || len(r.Entries) != tc.entries {
				t.Fatalf("status %q with %d entries, want %q with %d", r.Status, len(r.Entries), tc.status, tc.entries)
			}
			if tc.entries > 0 && (r.Entries[0].ErrorCode != tc.code || r.Entries[0].AlreadyInSync() != tc.inSync) {
				t.Errorf("entry code %q in sync %v, want %q %v", r.Entries[0].ErrorCode, r.Entries[0].AlreadyInSync(), tc.code, tc.inSync)
			}
		})
	}
}

// "Already in sync" is read wherever Graph writes it, in any case; the key speaks for the
// entries only when there is one, or when all are skipped as it says.
func TestDecodeAlreadyInSyncWherever(t *testing.T) {
	skipped := func(statusInfo, stepDetails string) string {
		return `{"statusInfo":` + statusInfo + `,"provisioningSteps":[{"name":"EntrySynchronizationSkip","status":"Skipped","details":` + stepDetails + `}]}`
	}
	plainSkip := skipped(`{"status":"Skipped"}`, `{}`)
	success := `{"statusInfo":{"status":"Success"}}`
	for _, tc := range []struct {
		name, key, value string
		want             []bool // AlreadyInSync per entry
	}{
		{"statusInfo.errorCode", `{}`, skipped(`{"status":"Skipped","errorCode":"redundantexport"}`, `{}`), []bool{true}},
		{"statusInfo.reason", `{}`, skipped(`{"status":"Skipped","reason":"REDUNDANTEXPORT"}`, `{}`), []bool{true}},
		{"reason beside another code", `{}`, skipped(`{"status":"Skipped","errorCode":"Other","reason":"RedundantExport"}`, `{}`), []bool{true}},
		{"step SkipReason", `{}`, skipped(`{"status":"skipped"}`, `{"skipReason":"redundantExport"}`), []bool{true}},
		{"key, one entry", `{"result":"Skipped","details":{"errorCode":"RedundantExport"}}`, plainSkip, []bool{true}},
		{"key, all skipped", `{"result":"Skipped","details":{"errorCode":"RedundantExport"}}`, "[" + plainSkip + "," + plainSkip + "]", []bool{true, true}},
		{"key, not all skipped", `{"result":"Skipped","details":{"errorCode":"RedundantExport"}}`, "[" + plainSkip + "," + success + "]", []bool{false, false}},
		{"another skip", `{"result":"Skipped","details":{"errorCode":"NotEffectivelyEntitled"}}`, skipped(`{"status":"Skipped","reason":"NotEffectivelyEntitled"}`, `{"SkipReason":"NotEffectivelyEntitled"}`), []bool{false}},
		{"success is never in sync", `{"result":"Skipped","details":{"errorCode":"RedundantExport"}}`, success, []bool{false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := DecodeProvisionResult(tc.key, tc.value)
			if len(r.Entries) != len(tc.want) {
				t.Fatalf("%d entries, want %d", len(r.Entries), len(tc.want))
			}
			for i, e := range r.Entries {
				if e.AlreadyInSync() != tc.want[i] {
					t.Errorf("entry %d: in sync %v (code %q), want %v", i, e.AlreadyInSync(), e.ErrorCode, tc.want[i])
				}
				if tc.want[i] && e.ErrorCode != SkipReasonRedundantExport {
					t.Errorf("entry %d: code %q, want %q", i, e.ErrorCode, SkipReasonRedundantExport)
				}
			}
		})
	}
}

// The run's status is the most severe of the entries and the key's result.
func TestDecodeStatusCountsTheKey(t *testing.T) {
	for _, tc := range []struct{ key, value, want string }{
		{`{"result":"Failure","details":{"errorCode":"ServiceError"}}`, `{"statusInfo":{"status":"Success"}}`, StatusFailure},
		{`{"result":"Success"}`, `{"statusInfo":{"status":"Failure"}}`, StatusFailure},
		{`{"result":"Skipped"}`, `[{"statusInfo":{"status":"Success"}},{"statusInfo":{"status":"Success"}}]`, StatusSkipped},
		{statusInfoTypeName, `[{"statusInfo":{"status":"Warning"}}]`, StatusWarning},
	} {
		if got := DecodeProvisionResult(tc.key, tc.value).Status; got != tc.want {
			t.Errorf("%s / %s: status %q, want %q", tc.key, tc.value, got, tc.want)
		}
	}
}
