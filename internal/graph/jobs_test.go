package graph

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// TestJobManagementCalls checks each call's method, path and body, and that none takes a slot of
// the job's provisioning limiter: with one call an hour allowed, every call still goes out.
func TestJobManagementCalls(t *testing.T) {
	var methods []string
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		methods = append(methods, r.Method)
		if r.Method == http.MethodPost && r.URL.Path == "/v1.0/servicePrincipals/"+testSP+"/synchronization/jobs" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id": "scim.new", "templateId": "scim", "schedule": {"interval": "P10675199DT2H48M5.4775807S", "state": "Disabled"},
			  "status": {"code": "NotConfigured", "lastExecution": null, "quarantine": null, "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z"}}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.RateLimitRequests, cfg.RateLimitInterval = 1, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	job, err := c.CreateSynchronizationJob(ctx, testSP, "scim")
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != "scim.new" || job.Schedule.State != "Disabled" || job.Status.Code != "NotConfigured" || job.Status.SteadyStateLastAchievedTime != "0001-01-01T00:00:00Z" {
		t.Errorf("created job %+v", job)
	}
	calls := []func() error{
		func() error { return c.StartSynchronizationJob(ctx, testSP, "scim.new") },
		func() error { return c.PauseSynchronizationJob(ctx, testSP, "scim.new") },
		func() error {
			return c.RestartSynchronizationJob(ctx, testSP, "scim.new", []string{"Watermark", "QuarantineState"})
		},
		func() error { return c.RestartSynchronizationJob(ctx, testSP, "scim.new", nil) },
		func() error {
			return c.ValidateCredentials(ctx, testSP, "scim.new", map[string]string{"SecretToken": "s", "BaseAddress": "https://x"})
		},
		func() error { return c.PutSynchronizationSecrets(ctx, testSP, map[string]string{"SecretToken": "s"}) },
		func() error { return c.DeleteSynchronizationJob(ctx, testSP, "scim.new") },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	job0 := "/v1.0/servicePrincipals/" + testSP + "/synchronization/jobs"
	want := []struct{ method, path, body string }{
		{"POST", job0, `{"templateId":"scim"}`},
		{"POST", job0 + "/scim.new/start", ""},
		{"POST", job0 + "/scim.new/pause", ""},
		{"POST", job0 + "/scim.new/restart", `{"criteria":{"resetScope":"Watermark, QuarantineState"}}`},
		{"POST", job0 + "/scim.new/restart", ""},
		{"POST", job0 + "/scim.new/validateCredentials",
			`{"credentials":[{"key":"BaseAddress","value":"https://x"},{"key":"SecretToken","value":"s"}],"useSavedCredentials":false}`},
		{"PUT", "/v1.0/servicePrincipals/" + testSP + "/synchronization/secrets", `{"value":[{"key":"SecretToken","value":"s"}]}`},
		{"DELETE", job0 + "/scim.new", ""},
	}
	seen := g.seen()
	if len(seen) != len(want) {
		t.Fatalf("%d requests, want %d", len(seen), len(want))
	}
	for i, w := range want {
		if methods[i] != w.method || seen[i].path != w.path || seen[i].body != w.body {
			t.Errorf("request %d: %s %s %s, want %s %s %s", i, methods[i], seen[i].path, seen[i].body, w.method, w.path, w.body)
		}
	}
}

func TestValidateCredentialsRefusalIsGraphsMessage(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error": {"code": "SomeUndocumentedCode", "message": "You appear to have entered invalid credentials."}}`)
	})
	c, _ := newTestClient(t, g, nil)
	err := c.ValidateCredentials(context.Background(), testSP, "scim.x", map[string]string{"SecretToken": "wrong"})
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusBadRequest || gerr.Message != "You appear to have entered invalid credentials." {
		t.Fatalf("err = %v, want a 400 *Error with Graph's message", err)
	}
	if n := len(g.seen()); n != 1 {
		t.Errorf("%d requests, want 1 (a 400 is not retried)", n)
	}
}

func TestListSynchronizationTemplates(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"value": [
		  {"id": "scim", "factoryTag": "scim", "description": "SCIM app", "default": true, "discoverable": true,
		   "metadata": [{"key": "supportsProvisionOnDemand", "value": "true"}]},
		  {"id": "workdayToAD", "factoryTag": "workday", "description": null, "default": "no", "metadata": null},
		  {"id": null}, "not a template"]}`)
	})
	c, _ := newTestClient(t, g, nil)
	got, err := c.ListSynchronizationTemplates(context.Background(), testSP)
	if err != nil {
		t.Fatal(err)
	}
	want := []SynchronizationTemplate{
		{ID: "scim", FactoryTag: "scim", Description: "SCIM app", Default: true, Metadata: map[string]string{"supportsProvisionOnDemand": "true"}},
		{ID: "workdayToAD", FactoryTag: "workday"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("templates %+v, want %+v", got, want)
	}
	if p := g.seen()[0].path; p != "/v1.0/servicePrincipals/"+testSP+"/synchronization/templates" {
		t.Errorf("path %s", p)
	}
}

func TestJobStatusReadsQuarantineErrorAndSteadyState(t *testing.T) {
	var w wireJob
	if err := json.Unmarshal([]byte(`{"id": "j", "status": {"code": "Quarantine", "steadyStateLastAchievedTime": "2026-03-02T09:00:00Z",
	  "quarantine": {"reason": "EncounteredQuarantineException", "error": {"code": "C", "message": "M", "tenantActionable": true}}}}`), &w); err != nil {
		t.Fatal(err)
	}
	s := w.job().Status
	if s.SteadyStateLastAchievedTime != "2026-03-02T09:00:00Z" || s.Quarantine == nil || s.Quarantine.ErrorCode != "C" || s.Quarantine.ErrorMessage != "M" {
		t.Errorf("status %+v quarantine %+v", s, s.Quarantine)
	}
}
