package graph

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// scimJobJSON is a job as Graph answers it, quarantined after a failed cycle.
const scimJobJSON = `{
  "id": "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c",
  "templateId": "scim",
  "schedule": {"expiration": null, "interval": "PT40M", "state": "Active"},
  "status": {
    "code": "Quarantine",
    "countSuccessiveCompleteFailures": 3,
    "escrowsPruned": false,
    "lastExecution": {
      "activityIdentifier": "4b1e7d2c-9a3f-4e60-b8d5-c2f1a7e9d034",
      "countEntitled": 8,
      "state": "Failed",
      "timeBegan": "2026-03-02T09:01:12.3456789Z",
      "timeEnded": "2026-03-02T09:01:59Z",
      "error": {"code": "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable", "message": "The SCIM endpoint refused the credentials.", "tenantActionable": true}
    },
    "quarantine": {"currentBegan": "2026-03-02T09:02:00Z", "nextAttempt": "2026-03-02T21:02:00Z", "reason": "EncounteredQuarantineException", "seriesBegan": "2026-03-01T09:02:00Z", "seriesCount": 2},
    "synchronizedEntryCountByType": []
  },
  "synchronizationJobSettings": [
    {"name": "AzureIngestionAttributeOptimization", "value": "False"},
    {"name": "LookaheadQueryEnabled", "value": null},
    {"value": "no name: dropped"}
  ]
}`

func TestListSynchronizationJobs(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('x')/synchronization/jobs",
		  "value": [`+scimJobJSON+`,
		    {"id": "AD2AADProvisioning.7c3e9a1f5b2d4e8a9f0c6b1d3e5a7f29", "templateId": "AD2AADProvisioning", "schedule": null,
		     "status": {"code": "NotRun", "lastExecution": null, "quarantine": null}, "synchronizationJobSettings": null},
		    {"id": "workdayToAD.e4a81c7f2b9d46e0a3f5c8d1b7e2a964", "templateId": 42, "status": "Active"},
		    "not a job"]}`)
	})
	c, _ := newTestClient(t, g, nil)
	jobs, err := c.ListSynchronizationJobs(context.Background(), testSP)
	if err != nil {
		t.Fatal(err)
	}
	seen := g.seen()
	if len(seen) != 1 || seen[0].path != "/v1.0/servicePrincipals/"+testSP+"/synchronization/jobs" || seen[0].body != "" {
		t.Fatalf("requests %+v, want one GET of the jobs", seen)
	}
	if got := seen[0].header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept %q", got)
	}
	want := []SynchronizationJob{
		{
			ID: "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c", TemplateID: "scim",
			Schedule: SynchronizationSchedule{Interval: "PT40M", State: "Active"},
			Status: SynchronizationStatus{
				Code: "Quarantine",
				LastExecution: &SynchronizationTaskExecution{
					State: "Failed", TimeBegan: "2026-03-02T09:01:12.3456789Z", TimeEnded: "2026-03-02T09:01:59Z",
					ErrorCode: "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable", ErrorMessage: "The SCIM endpoint refused the credentials.",
				},
				Quarantine: &SynchronizationQuarantine{Reason: "EncounteredQuarantineException", CurrentBegan: "2026-03-02T09:02:00Z", NextAttempt: "2026-03-02T21:02:00Z"},
			},
			Settings: map[string]string{"AzureIngestionAttributeOptimization": "False", "LookaheadQueryEnabled": ""},
		},
		{ID: "AD2AADProvisioning.7c3e9a1f5b2d4e8a9f0c6b1d3e5a7f29", TemplateID: "AD2AADProvisioning", Status: SynchronizationStatus{Code: "NotRun"}},
		// A mistyped field is kept as its JSON text; a mistyped object is left empty.
		{ID: "workdayToAD.e4a81c7f2b9d46e0a3f5c8d1b7e2a964", TemplateID: "42"},
	}
	if !reflect.DeepEqual(jobs, want) {
		t.Errorf("jobs\n%+v\nwant\n%+v", jobs, want)
	}
}

func TestListSynchronizationJobsEmpty(t *testing.T) {
	for name, body := range map[string]string{"empty value": `{"value": []}`, "no value": `{}`, "null value": `{"value": null}`} {
		t.Run(name, func(t *testing.T) {
			g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, body) })
			c, _ := newTestClient(t, g, nil)
			jobs, err := c.ListSynchronizationJobs(context.Background(), testSP)
			if err != nil || len(jobs) != 0 {
				t.Errorf("got %v, %v; want no jobs and no error", jobs, err)
			}
		})
	}
}

func TestGetSynchronizationJob(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, scimJobJSON) })
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.APIVersion = "beta" })
	job, err := c.GetSynchronizationJob(context.Background(), testSP, "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c")
	if err != nil {
		t.Fatal(err)
	}
	if p := g.seen()[0].path; p != "/beta/servicePrincipals/"+testSP+"/synchronization/jobs/scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c" {
		t.Errorf("path %s", p)
	}
	if job.TemplateID != "scim" || job.Status.Quarantine == nil || job.Status.Quarantine.Reason != "EncounteredQuarantineException" ||
		job.Status.LastExecution == nil || job.Status.LastExecution.State != "Failed" || job.Settings["AzureIngestionAttributeOptimization"] != "False" {
		t.Errorf("job %+v", job)
	}
}

func TestGetSynchronizationSchema(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('x')/synchronization/jobs('y')/schema/$entity",
  "id": "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c",
  "version": "date=20260105080000;ver=1",
  "directories": [{"id": "d1", "name": "Azure Active Directory", "objects": []}],
  "synchronizationRules": [
    {
      "id": "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2",
      "name": "USER_AND_GROUP_TO_SCIM",
      "priority": 1,
      "editable": true,
      "containerFilter": {"includedContainers": []},
      "sourceDirectoryName": "Azure Active Directory",
      "targetDirectoryName": "customappsso",
      "metadata": [{"key": "defaultSourceObjectMappings", "value": "false"}, {"key": "supportsProvisionOnDemand", "value": "True"}],
      "objectMappings": [
        {"name": "Provision Azure Active Directory Users", "enabled": true, "flowTypes": "Add, Update, Delete",
         "sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:User", "attributeMappings": [{"targetAttributeName": "userName"}]},
        {"name": "Provision Azure Active Directory Groups", "enabled": false, "flowTypes": "Add, Update, Delete",
         "sourceObjectName": "Group", "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:Group", "scope": null}
      ]
    },
    {"id": "b2c8e1d4-0a7f-4c3e-9d61-5f2a8b7c4e90", "name": "Legacy", "priority": "high", "editable": null, "metadata": null, "objectMappings": [null, {"sourceObjectName": "User"}]},
    null
  ]
}`)
	})
	c, _ := newTestClient(t, g, nil)
	schema, err := c.GetSynchronizationSchema(context.Background(), testSP, "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c")
	if err != nil {
		t.Fatal(err)
	}
	if p := g.seen()[0].path; p != "/v1.0/servicePrincipals/"+testSP+"/synchronization/jobs/scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c/schema" {
		t.Errorf("path %s", p)
	}
	one := int64(1)
	want := &SynchronizationSchema{
		ID: "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c", Version: "date=20260105080000;ver=1",
		Rules: []SynchronizationRule{
			{
				ID: "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2", Name: "USER_AND_GROUP_TO_SCIM", Priority: &one, Editable: true,
				SourceDirectoryName: "Azure Active Directory", TargetDirectoryName: "customappsso",
				Metadata: map[string]string{"defaultSourceObjectMappings": "false", "supportsProvisionOnDemand": "True"},
				ObjectMappings: []ObjectMapping{
					{Name: "Provision Azure Active Directory Users", Enabled: true, FlowTypes: "Add, Update, Delete", SourceObjectName: "User", TargetObjectName: "urn:ietf:params:scim:schemas:core:2.0:User"},
					{Name: "Provision Azure Active Directory Groups", FlowTypes: "Add, Update, Delete", SourceObjectName: "Group", TargetObjectName: "urn:ietf:params:scim:schemas:core:2.0:Group"},
				},
			},
			{ID: "b2c8e1d4-0a7f-4c3e-9d61-5f2a8b7c4e90", Name: "Legacy", ObjectMappings: []ObjectMapping{{SourceObjectName: "User"}}},
		},
	}
	if got := schema.Rules[0].ObjectMappings[0].AttributeMappings; len(got) != 1 || got[0].TargetAttributeName != "userName" {
		t.Errorf("attribute mappings %+v, want the one of userName", got)
	}
	if len(schema.Directories) != 1 || schema.Directories[0].Name != "Azure Active Directory" {
		t.Errorf("directories %+v, want Azure Active Directory", schema.Directories)
	}
	if !reflect.DeepEqual(rulesSummary(schema), want) {
		t.Errorf("schema\n%+v\nwant\n%+v", schema, want)
	}
	if !schema.Rules[0].SupportsProvisionOnDemand() || schema.Rules[1].SupportsProvisionOnDemand() {
		t.Errorf("SupportsProvisionOnDemand: %v, %v; want true (\"True\"), false (no metadata)",
			schema.Rules[0].SupportsProvisionOnDemand(), schema.Rules[1].SupportsProvisionOnDemand())
	}
}

// rulesSummary is the schema without what schema_test.go checks: directories, attribute
// mappings, scopes and the JSON kept for writes.
func rulesSummary(s *SynchronizationSchema) *SynchronizationSchema {
	out := &SynchronizationSchema{ID: s.ID, Version: s.Version}
	for _, r := range s.Rules {
		mappings := make([]ObjectMapping, len(r.ObjectMappings))
		for i, m := range r.ObjectMappings {
			mappings[i] = ObjectMapping{Name: m.Name, Enabled: m.Enabled, SourceObjectName: m.SourceObjectName, TargetObjectName: m.TargetObjectName, FlowTypes: m.FlowTypes}
		}
		r.ObjectMappings = mappings
		out.Rules = append(out.Rules, r)
	}
	return out
}

func TestSynchronizationReadErrors(t *testing.T) {
	reads := map[string]func(*Client) error{
		"jobs": func(c *Client) error {
			_, err := c.ListSynchronizationJobs(context.Background(), testSP)
			return err
		},
		"job": func(c *Client) error {
			_, err := c.GetSynchronizationJob(context.Background(), testSP, "scim.1")
			return err
		},
		"schema": func(c *Client) error {
			_, err := c.GetSynchronizationSchema(context.Background(), testSP, "scim.1")
			return err
		},
	}
	for name, read := range reads {
		t.Run(name+"/403 is *Error", func(t *testing.T) {
			g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				writeGraphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
			})
			c, _ := newTestClient(t, g, nil)
			var ge *Error
			if err := read(c); !errors.As(err, &ge) || ge.StatusCode != 403 || ge.Code != "Authorization_RequestDenied" || ge.RequestID != "req-1" || ge.Attempts != 1 {
				t.Errorf("got %#v, want *Error 403 Authorization_RequestDenied from req-1 after 1 attempt", err)
			}
		})
		t.Run(name+"/200 that is not JSON", func(t *testing.T) {
			g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, "<html><body>Sign in to continue</body></html>")
			})
			c, _ := newTestClient(t, g, nil)
			err := read(c)
			if err == nil || !strings.Contains(err.Error(), testSP) || !strings.Contains(err.Error(), "request-id: req-1") {
				t.Errorf("got %v, want an error naming the service principal and the request-id", err)
			}
		})
	}
	c, _ := newTestClient(t, newFakeGraph(t, func(int, http.ResponseWriter, *http.Request) { t.Error("no request expected") }), nil)
	if _, err := c.GetSynchronizationSchema(context.Background(), testSP, ""); err == nil {
		t.Error("an empty job id must fail before any request")
	}
}

func TestSynchronizationReadsRetryButSkipTheProvisionLimit(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/provisionOnDemand"):
			writeSuccess(w)
		case n == 2:
			w.Header().Set("Retry-After", "0.01")
			writeGraphError(w, http.StatusTooManyRequests, "TooManyRequests", "slow down")
		default:
			_, _ = io.WriteString(w, `{"value": []}`)
		}
	})
	// One provision call per hour: a read that waited for that limit would outlive the deadline.
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.RateLimitRequests, cfg.RateLimitInterval = 1, time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.ListSynchronizationJobs(ctx, testSP); err != nil {
			t.Fatalf("read: %v", err)
		}
	}
	seen := g.seen()
	if len(seen) != 5 {
		t.Fatalf("got %d requests, want 5: the provision call, a read answered 429 and its retry, two more reads", len(seen))
	}
	if seen[1].header.Get("client-request-id") != seen[2].header.Get("client-request-id") {
		t.Error("the 429 answer was not retried as the same call")
	}
	var te *ThrottledError
	if _, err := c.ProvisionOnDemand(ctx, testSP, testJob(t), groupRequest); !errors.As(err, &te) {
		t.Fatalf("a second provision call within the hour: got %v, want *ThrottledError (the reads took no slot, the limit still holds)", err)
	}
}
