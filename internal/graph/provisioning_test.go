package graph

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"
)

const statusInfoTypeName = "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"

// userEntry is the entry of the API notes' user example, with its status and statusInfo replaced.
func userEntry(status string, statusInfo string) string {
	return `{"action":"Create","changeId":"5c0b8a1e-1d2c-4b3a-9f8e-7d6c5b4a3f2e",
	 "startTime":"2026-03-02T09:14:07.1200000Z","endTime":"2026-03-02T09:14:08.9000000Z",
	 "reportableIdentifier":"ada.park@example.com",
	 "statusInfo":` + statusInfo + `,
	 "sourceIdentity":{"id":"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b","type":"User","displayName":null,"details":null},
	 "targetIdentity":{"id":"8812","type":"urn:ietf:params:scim:schemas:core:2.0:User"},
	 "sourceSystem":{"id":null,"name":"Azure Active Directory","details":null},
	 "targetSystem":{"id":null,"name":"customappsso","details":null},
	 "modifiedProperties":[{"displayName":"userName","oldValue":null,"newValue":"ada.park@example.com"},
	                       {"displayName":"active","newValue":"True"}],
	 "provisioningSteps":[
	  {"name":"EntryImport","type":"Import","status":"` + status + `","description":"Retrieved User 'ada.park@example.com' from Azure Active Directory",
	   "timestamp":"2026-03-02T09:14:07.3000000Z","details":{"objectId":"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b","accountEnabled":true,"manager":{"id":"m1"}}},
	  {"name":"EntryExportAdd","type":"Export","status":"` + status + `","description":"Created User","timestamp":"2026-03-02T09:14:08.8000000Z"}]}`
}

func TestDecodeShapeA(t *testing.T) {
	key := `{"result":"Success","details":{"errorCode":null,"errorMessage":null}}`
	r := DecodeProvisionResult(key, userEntry("success", `{"status":"Success","errorCode":null,"reason":null,"additionalDetails":null,"errorCategory":null,"recommendedAction":null}`))
	want := ProvisioningEntry{
		Action:               "Create",
		ChangeID:             "5c0b8a1e-1d2c-4b3a-9f8e-7d6c5b4a3f2e",
		ReportableIdentifier: "ada.park@example.com",
		Status:               StatusSuccess,
		SourceIdentityID:     "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b",
		SourceIdentityType:   "User",
		TargetIdentityID:     "8812",
		TargetIdentityType:   "urn:ietf:params:scim:schemas:core:2.0:User",
		SourceSystem:         "Azure Active Directory",
		TargetSystem:         "customappsso",
		StartTime:            "2026-03-02T09:14:07.1200000Z",
		EndTime:              "2026-03-02T09:14:08.9000000Z",
		Steps: []ProvisioningStep{
			{Name: "EntryImport", Type: "Import", Status: StatusSuccess,
				Description: "Retrieved User 'ada.park@example.com' from Azure Active Directory",
				Timestamp:   "2026-03-02T09:14:07.3000000Z",
				Details:     map[string]string{"objectId": "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", "accountEnabled": "true", "manager": `{"id":"m1"}`}},
			{Name: "EntryExportAdd", Type: "Export", Status: StatusSuccess, Description: "Created User", Timestamp: "2026-03-02T09:14:08.8000000Z"},
		},
		ModifiedProperties: []ModifiedProperty{
			{Name: "userName", NewValue: "ada.park@example.com"},
			{Name: "active", NewValue: "True"},
		},
	}
	if r.Status != StatusSuccess || r.KeyResult != StatusSuccess || len(r.Entries) != 1 {
		t.Fatalf("got status %q key %q, %d entries", r.Status, r.KeyResult, len(r.Entries))
	}
	if !reflect.DeepEqual(r.Entries[0], want) {
		t.Errorf("entry\n got %+v\nwant %+v", r.Entries[0], want)
	}
}

func TestDecodeErrorCodeAndMessage(t *testing.T) {
	for _, tc := range []struct {
		name, key, statusInfo     string
		status, code, msg, action string
		keyCode, keyMsg           string
	}{
		{
			name:       "already in sync",
			key:        `{"result":"Skipped","details":{}}`,
			statusInfo: `{"status":"Skipped","errorCode":null,"reason":"RedundantExport","additionalDetails":"The user is already in the desired state."}`,
			status:     StatusSkipped, code: SkipReasonRedundantExport, msg: "The user is already in the desired state.",
		},
		{
			name:       "out of scope",
			key:        `{"result":"Skipped"}`,
			statusInfo: `{"status":"skipped","reason":"The user is not assigned to the application."}`,
			status:     StatusSkipped, msg: "The user is not assigned to the application.",
		},
		{
			name:       "failure",
			key:        `{"result":"Failure","details":{"errorCode":"SystemForCrossDomainIdentityManagementServiceIncompatible","errorMessage":"The SCIM endpoint answered 500."}}`,
			statusInfo: `{"status":"FAILURE","errorCode":"SystemForCrossDomainIdentityManagementServiceIncompatible","reason":"Export failed","additionalDetails":"The SCIM endpoint answered 500.","recommendedAction":"Check the endpoint."}`,
			status:     StatusFailure, code: "SystemForCrossDomainIdentityManagementServiceIncompatible", msg: "The SCIM endpoint answered 500.", action: "Check the endpoint.",
			keyCode: "SystemForCrossDomainIdentityManagementServiceIncompatible", keyMsg: "The SCIM endpoint answered 500.",
		},
		{
			name:       "cloud sync: status only",
			key:        `{"result":"Success"}`,
			statusInfo: `{"status":"Success"}`,
			status:     StatusSuccess,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := DecodeProvisionResult(tc.key, userEntry(tc.status, tc.statusInfo))
			if len(r.Entries) != 1 {
				t.Fatalf("%d entries", len(r.Entries))
			}
			e := r.Entries[0]
			if r.Status != tc.status || e.Status != tc.status || e.ErrorCode != tc.code || e.ErrorMessage != tc.msg || e.RecommendedAction != tc.action ||
				r.KeyErrorCode != tc.keyCode || r.KeyErrorMessage != tc.keyMsg {
				t.Errorf("got status %q/%q code %q msg %q action %q key %q %q", r.Status, e.Status, e.ErrorCode, e.ErrorMessage, e.RecommendedAction, r.KeyErrorCode, r.KeyErrorMessage)
			}
		})
	}
}

func TestDecodeShapeB(t *testing.T) {
	r := DecodeProvisionResult(`{"result":"Success","details":{}}`, `{}`)
	if r.Status != StatusSuccess || r.KeyResult != StatusSuccess || r.Entries != nil {
		t.Errorf("got %+v", r)
	}
}

// groupValue is a shape C value: the group and its five members, one of them with a warning.
func groupValue() string {
	entry := func(id, typ, status string) map[string]any {
		return map[string]any{
			"action": "Update", "changeId": "c-" + id, "reportableIdentifier": id,
			"statusInfo":     map[string]any{"status": status, "errorCode": nil, "reason": nil},
			"sourceIdentity": map[string]any{"id": id, "type": typ},
			"targetIdentity": map[string]any{"id": "t-" + id, "type": typ},
			"sourceSystem":   map[string]any{"name": "Azure Active Directory"},
			"targetSystem":   map[string]any{"name": "customappsso"},
			"modifiedProperties": []any{
				map[string]any{"displayName": "displayName", "oldValue": "old", "newValue": "new"},
			},
			"provisioningSteps": []any{
				map[string]any{"name": "EntryImport", "type": "Import", "status": status, "description": "Retrieved " + id, "details": map[string]any{"objectId": id}},
				map[string]any{"name": "EntryExportUpdate", "type": "Export", "status": status, "description": "Updated " + id},
			},
		}
	}
	entries := []any{entry("group-1", "Group", "success")}
	for i := range 5 {
		status := "Success"
		if i == 3 {
			status = "warning"
		}
		entries = append(entries, entry(fmt.Sprintf("user-%d", i), "User", status))
	}
	b, _ := json.Marshal(entries)
	return string(b)
}

func TestDecodeShapeC(t *testing.T) {
	r := DecodeProvisionResult(statusInfoTypeName, groupValue())
	if r.KeyResult != "" || r.Status != StatusWarning || len(r.Entries) != 6 {
		t.Fatalf("got key %q status %q, %d entries", r.KeyResult, r.Status, len(r.Entries))
	}
	if e := r.Entries[4]; e.ReportableIdentifier != "user-3" || e.Status != StatusWarning || len(e.Steps) != 2 || e.Steps[0].Details["objectId"] != "user-3" {
		t.Errorf("entry 4: %+v", e)
	}
}

func TestDecodeIsLenient(t *testing.T) {
	for _, tc := range []struct {
		name, key, value  string
		status, keyResult string
		entries           int
		check             func(t *testing.T, r *ProvisionResult)
	}{
		{name: "nothing", key: "", value: ""},
		{name: "nulls", key: "null", value: "null"},
		{name: "not JSON", key: "{", value: "[{"},
		{name: "shape C key, object value", key: statusInfoTypeName, value: `{"statusInfo":{"status":"Failure"}}`, status: StatusFailure, entries: 1},
		{name: "object key, array value", key: `{"result":"Success"}`, value: `[{"statusInfo":{"status":"Success"}},{"statusInfo":{"status":"Skipped"}}]`,
			status: StatusSkipped, keyResult: StatusSuccess, entries: 2},
		{name: "array elements that are not entries", key: "", value: `[null, 3, "x", {}, [], {"action":"Other"}]`, entries: 1},
		{name: "entries without status fall back to the key", key: `{"result":"failure"}`, value: `{"action":"Create","statusInfo":null}`,
			status: StatusFailure, keyResult: StatusFailure, entries: 1},
		{name: "unknown status ranks as a warning", key: "", value: `[{"statusInfo":{"status":"Success"}},{"statusInfo":{"status":"Pending"}}]`,
			status: "Pending", entries: 2},
		{name: "failure outranks an unknown status", key: "", value: `[{"statusInfo":{"status":"Pending"}},{"statusInfo":{"status":"failure"}}]`,
			status: StatusFailure, entries: 2},
		{name: "unknown key result kept as sent", key: `{"result":"PartialSuccess"}`, value: "{}", status: "PartialSuccess", keyResult: "PartialSuccess"},
		{
			name: "wrong types", key: `{"result":7,"details":"oops"}`,
			value: `{"action":["Create"],"changeId":12,"reportableIdentifier":1.5e3,"statusInfo":"Success",
				"sourceIdentity":[],"modifiedProperties":{"displayName":"x"},
				"provisioningSteps":[1,{"name":true,"details":["a"]},{"name":"EntryImport","details":{"n":null,"b":false}}]}`,
			status: "7", keyResult: "7", entries: 1,
			check: func(t *testing.T, r *ProvisionResult) {
				e := r.Entries[0]
				if e.Action != `["Create"]` || e.ChangeID != "12" || e.ReportableIdentifier != "1.5e3" || e.Status != "" || e.ModifiedProperties != nil {
					t.Errorf("entry %+v", e)
				}
				want := []ProvisioningStep{{Name: "true"}, {Name: "EntryImport", Details: map[string]string{"n": "", "b": "false"}}}
				if !reflect.DeepEqual(e.Steps, want) {
					t.Errorf("steps %+v", e.Steps)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := DecodeProvisionResult(tc.key, tc.value)
			if r.Key != tc.key || r.Value != tc.value {
				t.Errorf("raw strings not kept")
			}
			if r.Status != tc.status || r.KeyResult != tc.keyResult || len(r.Entries) != tc.entries {
				t.Errorf("got status %q key %q, %d entries; want %q %q %d", r.Status, r.KeyResult, len(r.Entries), tc.status, tc.keyResult, tc.entries)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func FuzzDecodeProvisionResult(f *testing.F) {
	f.Add(`{"result":"Success","details":{}}`, userEntry("Success", `{"status":"Success"}`))
	f.Add(`{"result":"Success","details":{}}`, `{}`)
	f.Add(statusInfoTypeName, groupValue())
	f.Add(`{"result":"Skipped"}`, `[{"statusInfo":{"status":"skipped","reason":"RedundantExport"}}]`)
	f.Fuzz(func(t *testing.T, key, value string) {
		r := DecodeProvisionResult(key, value)
		if r.Key != key || r.Value != value {
			t.Fatal("raw strings not kept")
		}
		statuses := []string{r.KeyResult}
		for _, e := range r.Entries {
			statuses = append(statuses, e.Status)
		}
		if !slices.Contains(statuses, r.Status) {
			t.Fatalf("status %q is neither the key's nor an entry's %q", r.Status, statuses)
		}
		r.Key, r.Value = "", "" // raw input, not decoded text
		checkUTF8(t, reflect.ValueOf(r))
	})
}

func BenchmarkDecodeProvisionResultGroup(b *testing.B) {
	value := groupValue()
	b.SetBytes(int64(len(value)))
	for b.Loop() {
		if r := DecodeProvisionResult(statusInfoTypeName, value); len(r.Entries) != 6 {
			b.Fatal(len(r.Entries))
		}
	}
}

// checkUTF8 fails on any string in v that is not valid UTF-8, which Terraform state cannot hold.
func checkUTF8(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			t.Fatalf("invalid UTF-8 %q", v.String())
		}
	case reflect.Pointer:
		if !v.IsNil() {
			checkUTF8(t, v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			checkUTF8(t, v.Field(i))
		}
	case reflect.Slice:
		for i := range v.Len() {
			checkUTF8(t, v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			checkUTF8(t, it.Key())
			checkUTF8(t, it.Value())
		}
	}
}
