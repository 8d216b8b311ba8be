package fakegraph_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

func syncURL(base, sp string) string {
	return base + "/v1.0/servicePrincipals/" + sp + "/synchronization"
}

func decode(t *testing.T, a answer, status int) map[string]any {
	t.Helper()
	if a.status != status {
		t.Fatalf("status = %d, want %d; body %s", a.status, status, a.body)
	}
	var v map[string]any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, a.body)
	}
	return v
}

func noContent(t *testing.T, a answer) {
	t.Helper()
	if a.status != http.StatusNoContent || len(a.body) != 0 {
		t.Fatalf("status = %d, want 204 and no body; body %s", a.status, a.body)
	}
}

// createJob creates a job on the unconfigured SCIM app and returns its id.
func createJob(t *testing.T, base string) string {
	t.Helper()
	a := call(t, http.MethodPost, syncURL(base, fakegraph.UnconfiguredSCIMServicePrincipalID)+"/jobs", `{"templateId":"scim"}`, nil)
	return str(decode(t, a, http.StatusCreated), "id")
}

func getJob(t *testing.T, base, sp, jobID string) map[string]any {
	t.Helper()
	return decode(t, call(t, http.MethodGet, jobURL(base, "v1.0", sp, jobID), "", nil), http.StatusOK)
}

func TestTemplates(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	tests := []struct{ sp, template, rule string }{
		{fakegraph.SCIMServicePrincipalID, "scim", fakegraph.SCIMRuleID},
		{fakegraph.UnconfiguredSCIMServicePrincipalID, "scim", fakegraph.UnconfiguredSCIMRuleID},
		{fakegraph.WorkdayServicePrincipalID, "workdayToAD", fakegraph.WorkdayWorkerRuleID},
		{fakegraph.CloudSyncServicePrincipalID, "AD2AADProvisioning", fakegraph.CloudSyncUserRuleID},
	}
	for _, tt := range tests {
		list := decode(t, call(t, http.MethodGet, syncURL(base, tt.sp)+"/templates", "", nil), http.StatusOK)
		value, _ := list["value"].([]any)
		if len(value) != 1 || !strings.HasSuffix(str(list, "@odata.context"), "/synchronization/templates") {
			t.Fatalf("templates of %s: %v", tt.sp, list)
		}
		tpl := value[0].(map[string]any)
		if str(tpl, "id") != tt.template || str(tpl, "factoryTag") != tt.template || tpl["default"] != true || tpl["discoverable"] != true ||
			str(tpl, "description") == "" || !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(str(tpl, "applicationId")) {
			t.Errorf("template = %v", tpl)
		}
		if metadata, _ := tpl["metadata"].([]any); len(metadata) == 0 || str(metadata[0], "key") == "" {
			t.Errorf("metadata = %v", tpl["metadata"])
		}
		if _, ok := tpl["schema"]; ok {
			t.Error("schema is a relationship: only with $expand=schema")
		}
		expanded := decode(t, call(t, http.MethodGet, syncURL(base, tt.sp)+"/templates?$expand=schema", "", nil), http.StatusOK)
		rules, _ := field(expanded["value"].([]any)[0], "schema", "synchronizationRules").([]any)
		if len(rules) != 1 || str(rules[0], "id") != tt.rule {
			t.Errorf("expanded schema rules = %v", rules)
		}
		schema := decode(t, call(t, http.MethodGet, syncURL(base, tt.sp)+"/templates/"+tt.template+"/schema", "", nil), http.StatusOK)
		if r, _ := schema["synchronizationRules"].([]any); len(r) != 1 || str(r[0], "id") != tt.rule || str(schema, "id") != tt.template {
			t.Errorf("template schema = %v", schema)
		}
	}
	checkEnvelope(t, call(t, http.MethodGet, syncURL(base, fakegraph.SCIMServicePrincipalID)+"/templates/nope/schema", "", nil), 404, "Request_ResourceNotFound")
	checkEnvelope(t, call(t, http.MethodGet, syncURL(base, "00000000-0000-4000-8000-00000000beef")+"/templates", "", nil), 404, "Request_ResourceNotFound")
}

func TestCreateGetListDeleteJob(t *testing.T) {
	srv, base := start(t, fakegraph.Options{})
	sp := fakegraph.UnconfiguredSCIMServicePrincipalID
	if list := decode(t, call(t, http.MethodGet, syncURL(base, sp)+"/jobs", "", nil), 200); len(list["value"].([]any)) != 0 {
		t.Fatalf("the unconfigured app has jobs: %v", list)
	}
	a := call(t, http.MethodPost, syncURL(base, sp)+"/jobs", `{"templateId":"scim"}`, nil)
	created := decode(t, a, http.StatusCreated)
	id := str(created, "id")
	if !regexp.MustCompile(`^scim\.[0-9a-f]{32}$`).MatchString(id) || str(created, "templateId") != "scim" {
		t.Fatalf("created = %s", a.body)
	}
	if !strings.HasSuffix(a.header.Get("Location"), "/jobs/"+id) {
		t.Errorf("Location = %q", a.header.Get("Location"))
	}
	// As in the "Create synchronizationJob" example: disabled, never run, nulls included.
	for _, want := range []string{
		`"schedule":{"expiration":null,"interval":"P10675199DT2H48M5.4775807S","state":"Disabled"}`,
		`"code":"NotConfigured"`, `"lastExecution":null`, `"lastSuccessfulExecution":null`,
		`"lastSuccessfulExecutionWithExports":null`, `"quarantine":null`, `"troubleshootingUrl":null`,
		`"steadyStateFirstAchievedTime":"0001-01-01T00:00:00Z"`, `"steadyStateLastAchievedTime":"0001-01-01T00:00:00Z"`,
		`"countSuccessiveCompleteFailures":0`, `"escrowsPruned":false`, `"synchronizedEntryCountByType":[]`,
	} {
		if !strings.Contains(string(a.body), want) {
			t.Errorf("create answer lacks %s: %s", want, a.body)
		}
	}
	if got := getJob(t, base, sp, id); str(got, "id") != id || str(got, "status", "code") != "NotConfigured" {
		t.Errorf("get = %v", got)
	}
	if list := decode(t, call(t, http.MethodGet, syncURL(base, sp)+"/jobs", "", nil), 200); len(list["value"].([]any)) != 1 {
		t.Errorf("list = %v", list)
	}
	schema := decode(t, call(t, http.MethodGet, jobURL(base, "v1.0", sp, id)+"/schema", "", nil), 200)
	if rules := schema["synchronizationRules"].([]any); str(rules[0], "id") != fakegraph.UnconfiguredSCIMRuleID || str(schema, "id") != id {
		t.Errorf("schema = %v", schema)
	}

	noContent(t, call(t, http.MethodDelete, jobURL(base, "v1.0", sp, id), "", nil))
	checkEnvelope(t, call(t, http.MethodGet, jobURL(base, "v1.0", sp, id), "", nil), 404, "Request_ResourceNotFound")
	checkEnvelope(t, call(t, http.MethodDelete, jobURL(base, "v1.0", sp, id), "", nil), 404, "Request_ResourceNotFound")
	if srv.JobStatusCode(sp, id) != "" {
		t.Error("deleted job still known")
	}

	for _, bad := range []struct{ body, code, message string }{
		{`{"templateId":"workdayToAD"}`, "BadRequest", "workdayToAD"},
		{`{"templateID":"scim"}`, "BadRequest", "templateID"},
		{`{"templateId":`, "BadRequest", ""},
	} {
		msg := checkEnvelope(t, call(t, http.MethodPost, syncURL(base, sp)+"/jobs", bad.body, nil), 400, bad.code)
		if !strings.Contains(msg, bad.message) {
			t.Errorf("%s: message %q", bad.body, msg)
		}
	}
	checkEnvelope(t, call(t, http.MethodPut, jobURL(base, "v1.0", sp, "x"), "{}", nil), 405, "Request_BadRequest")
}

func TestStartedJobBecomesSteady(t *testing.T) {
	clock := newClock()
	_, base := start(t, fakegraph.Options{Now: clock.Now, SteadyStateDelay: time.Minute})
	sp := fakegraph.UnconfiguredSCIMServicePrincipalID
	id := createJob(t, base)
	noContent(t, call(t, http.MethodPut, syncURL(base, sp)+"/secrets", secretsBody(fakegraph.SCIMBaseAddress, fakegraph.SCIMSecretToken), nil))
	began := clock.Now()
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/start", "", nil))

	j := getJob(t, base, sp, id)
	if str(j, "schedule", "state") != "Active" || str(j, "schedule", "interval") != "PT40M" || str(j, "status", "code") != "Active" ||
		field(j, "status", "lastExecution") != nil || str(j, "status", "steadyStateLastAchievedTime") != "0001-01-01T00:00:00Z" {
		t.Fatalf("during the first cycle: %v", j["status"])
	}
	clock.Set(began.Add(59 * time.Second))
	if j := getJob(t, base, sp, id); field(j, "status", "lastExecution") != nil {
		t.Fatalf("cycle ended early: %v", j["status"])
	}
	clock.Set(began.Add(5 * time.Minute))
	j = getJob(t, base, sp, id)
	ended := began.Add(time.Minute).Format(time.RFC3339)
	if str(j, "status", "lastExecution", "state") != "Succeeded" || str(j, "status", "lastExecution", "timeBegan") != began.Format(time.RFC3339) ||
		str(j, "status", "lastExecution", "timeEnded") != ended || field(j, "status", "lastExecution", "error") != nil ||
		str(j, "status", "lastSuccessfulExecution", "timeEnded") != ended ||
		str(j, "status", "steadyStateFirstAchievedTime") != ended || str(j, "status", "steadyStateLastAchievedTime") != ended ||
		field(j, "status", "quarantine") != nil || str(j, "status", "code") != "Active" {
		t.Errorf("steady job status = %v", j["status"])
	}

	// A full restart runs a new cycle: steadyStateLastAchievedTime moves, the first stays.
	restartAt := clock.Now()
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/restart", `{"criteria":{"resetScope":"Watermark, Escrows"}}`, nil))
	clock.Set(restartAt.Add(2 * time.Minute))
	j = getJob(t, base, sp, id)
	if str(j, "status", "steadyStateFirstAchievedTime") != ended || str(j, "status", "steadyStateLastAchievedTime") != restartAt.Add(time.Minute).Format(time.RFC3339) {
		t.Errorf("after restart: %v", j["status"])
	}
}

func TestBadCredentialsQuarantineAndRestart(t *testing.T) {
	clock := newClock()
	srv, base := start(t, fakegraph.Options{Now: clock.Now, SteadyStateDelay: time.Minute})
	sp := fakegraph.UnconfiguredSCIMServicePrincipalID
	id := createJob(t, base)
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/start", "", nil))

	j := getJob(t, base, sp, id)
	q := field(j, "status", "quarantine")
	if str(j, "status", "code") != "Quarantine" || str(q, "reason") != "EncounteredQuarantineException" ||
		str(q, "error", "code") != fakegraph.ErrorCodeCredentialsMissing || field(q, "error", "tenantActionable") != true ||
		str(q, "currentBegan") != clock.Now().Format(time.RFC3339) || str(q, "seriesBegan") == "" || field(q, "seriesCount") != 1.0 || str(q, "nextAttempt") == "" ||
		str(j, "status", "lastExecution", "state") != "Failed" || str(j, "status", "lastExecution", "error", "code") != fakegraph.ErrorCodeCredentialsMissing ||
		field(j, "status", "lastSuccessfulExecution") != nil || field(j, "status", "countSuccessiveCompleteFailures") != 1.0 {
		t.Fatalf("without credentials: %v", j["status"])
	}

	if err := srv.SetCredentials(sp, fakegraph.CredentialsInvalid); err != nil {
		t.Fatal(err)
	}
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/start", "", nil))
	j = getJob(t, base, sp, id)
	if str(j, "status", "quarantine", "error", "code") != fakegraph.ErrorCodeCredentialsInvalid || field(j, "status", "quarantine", "seriesCount") != 1.0 {
		t.Fatalf("with rejected credentials: %v", j["status"])
	}

	// A restart that does not reset the quarantine leaves it.
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/restart", `{"criteria":{"resetScope":"Escrows"}}`, nil))
	if code := srv.JobStatusCode(sp, id); code != "Quarantine" {
		t.Fatalf("after an Escrows restart: %s", code)
	}
	noContent(t, call(t, http.MethodPut, syncURL(base, sp)+"/secrets", secretsBody(fakegraph.SCIMBaseAddress, fakegraph.SCIMSecretToken), nil))
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/restart", `{"criteria":{"resetScope":"QuarantineState"}}`, nil))
	clock.Set(clock.Now().Add(time.Minute))
	j = getJob(t, base, sp, id)
	if str(j, "status", "code") != "Active" || field(j, "status", "quarantine") != nil || str(j, "status", "lastExecution", "state") != "Succeeded" ||
		field(j, "status", "countSuccessiveCompleteFailures") != 0.0 {
		t.Errorf("after the quarantine is lifted: %v", j["status"])
	}
}

func TestPauseAndOutsideDrift(t *testing.T) {
	clock := newClock()
	srv, base := start(t, fakegraph.Options{Now: clock.Now})
	sp, id := fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID
	if j := getJob(t, base, sp, id); str(j, "status", "steadyStateLastAchievedTime") == "0001-01-01T00:00:00Z" ||
		str(j, "status", "lastSuccessfulExecution", "state") != "Succeeded" {
		t.Errorf("the seeded job is not steady: %v", j["status"])
	}
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/pause", "", nil))
	if j := getJob(t, base, sp, id); str(j, "schedule", "state") != "Paused" || str(j, "status", "code") != "Paused" {
		t.Fatalf("paused: %v", j)
	}
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/start", "", nil))
	if j := getJob(t, base, sp, id); str(j, "schedule", "state") != "Active" || str(j, "status", "code") != "Active" {
		t.Fatalf("started again: %v", j)
	}

	if err := srv.PauseJob(sp, id); err != nil {
		t.Fatal(err)
	}
	if j := getJob(t, base, sp, id); str(j, "schedule", "state") != "Paused" {
		t.Errorf("paused from outside: %v", j["schedule"])
	}
	if err := srv.ForceQuarantine(sp, id, "TooManyDeletes"); err != nil {
		t.Fatal(err)
	}
	j := getJob(t, base, sp, id)
	if str(j, "status", "code") != "Quarantine" || str(j, "status", "quarantine", "reason") != "TooManyDeletes" || field(j, "status", "quarantine", "error") != nil {
		t.Errorf("forced quarantine: %v", j["status"])
	}
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/restart", "", nil))
	if code := srv.JobStatusCode(sp, id); code != "Active" {
		t.Errorf("an empty restart lifts the quarantine: %s", code)
	}
	if err := srv.ForceQuarantine(sp, id, "Bored"); err == nil || !strings.Contains(err.Error(), "EncounteredQuarantineException") {
		t.Errorf("unknown reason: %v", err)
	}
	if err := srv.PauseJob(sp, "scim.nope"); err == nil {
		t.Error("pausing an unknown job succeeded")
	}
}

func TestRestartCriteria(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID) + "/restart"
	for _, ok := range []string{"", `{}`, `{"criteria":null}`, `{"criteria":{"resetScope":""}}`,
		`{"criteria":{"resetScope":"Full"}}`, `{"criteria":{"resetScope":"Watermark, Escrows, QuarantineState, Full, ForceDeletes, ConnectorDataStore, None"}}`} {
		if a := call(t, http.MethodPost, url, ok, nil); a.status != 204 {
			t.Errorf("%s: %d %s", ok, a.status, a.body)
		}
	}
	for _, bad := range []struct{ body, message string }{
		{`{"criteria":{"resetScope":"Watermark, Everything"}}`, "'Everything' is not valid for enum type 'microsoft.graph.synchronizationJobRestartScope'"},
		{`{"criteria":{"resetScope":"watermark"}}`, "'watermark'"},
		{`{"criteria":{"scope":"Full"}}`, "'scope'"},
		{`{"resetScope":"Full"}`, "'resetScope'"},
	} {
		if msg := checkEnvelope(t, call(t, http.MethodPost, url, bad.body, nil), 400, "BadRequest"); !strings.Contains(msg, bad.message) {
			t.Errorf("%s: %q", bad.body, msg)
		}
	}
	checkEnvelope(t, call(t, http.MethodGet, url, "", nil), 405, "Request_BadRequest")
}

func TestNewJobProvisionsOnDemand(t *testing.T) {
	_, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	sp := fakegraph.UnconfiguredSCIMServicePrincipalID
	id := createJob(t, base)
	url := provisionURL(base, "v1.0", sp, id)
	checkEnvelope(t, call(t, http.MethodPost, url, body(fakegraph.UnconfiguredSCIMRuleID, subjectJSON(fakegraph.UserAdaID, "User")), nil), 400, "CredentialsMissing")
	noContent(t, call(t, http.MethodPut, syncURL(base, sp)+"/secrets", secretsBody(fakegraph.SCIMBaseAddress, fakegraph.SCIMSecretToken), nil))
	if result, _, _ := shapeA(t, call(t, http.MethodPost, url, body(fakegraph.UnconfiguredSCIMRuleID, subjectJSON(fakegraph.UserAdaID, "User")), nil)); result != "Success" {
		t.Errorf("provisioning Ada through the new job: %s", result)
	}
}

func TestJobControlEndpoints(t *testing.T) {
	clock := newClock()
	_, base := start(t, fakegraph.Options{Now: clock.Now})
	noAuth := map[string]string{"Authorization": ""}
	sp, id := fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID
	control := func(path, body string) answer { return call(t, http.MethodPost, base+"/_fake/"+path, body, noAuth) }

	noContent(t, control("pause", `{"servicePrincipalId":"`+sp+`","jobId":"`+id+`"}`))
	if j := getJob(t, base, sp, id); str(j, "status", "code") != "Paused" {
		t.Errorf("pause: %v", j["status"])
	}
	noContent(t, control("quarantine", `{"servicePrincipalId":"`+sp+`","jobId":"`+id+`","reason":"EncounteredEscrowProportionThreshold"}`))
	if j := getJob(t, base, sp, id); str(j, "status", "quarantine", "reason") != "EncounteredEscrowProportionThreshold" {
		t.Errorf("quarantine: %v", j["status"])
	}
	noContent(t, control("credentials", `{"servicePrincipalId":"`+sp+`","state":"invalid"}`))
	noContent(t, control("steady-state-delay", `{"delay":"10s"}`))
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/start", "", nil))
	if j := getJob(t, base, sp, id); str(j, "status", "quarantine", "error", "code") != fakegraph.ErrorCodeCredentialsInvalid {
		t.Errorf("after start with invalid credentials: %v", j["status"])
	}
	noContent(t, control("credentials", `{"servicePrincipalId":"`+sp+`","state":"valid"}`))
	noContent(t, call(t, http.MethodPost, jobURL(base, "v1.0", sp, id)+"/start", "", nil))
	began := clock.Now()
	clock.Set(began.Add(10 * time.Second))
	if j := getJob(t, base, sp, id); str(j, "status", "steadyStateLastAchievedTime") != began.Add(10*time.Second).Format(time.RFC3339) {
		t.Errorf("steady-state delay not applied: %v", j["status"])
	}
	noContent(t, control("mapping", `{"servicePrincipalId":"`+sp+`","jobId":"`+id+`","sourceObjectName":"User","targetObjectName":"urn:ietf:params:scim:schemas:core:2.0:User","targetAttributeName":"displayName","expression":"Join(\" \", [givenName], [surname])"}`))
	if m := attributeMapping(t, base, sp, id, "User", "displayName"); str(m, "source", "type") != "Function" || str(m, "source", "name") != "Join" {
		t.Errorf("mapping drift: %v", m)
	}
	for _, bad := range []struct{ path, body string }{
		{"credentials", `{"servicePrincipalId":"` + sp + `","state":"maybe"}`},
		{"quarantine", `{"servicePrincipalId":"` + sp + `","jobId":"` + id + `","reason":"Bored"}`},
		{"pause", `{"servicePrincipalId":"` + sp + `","jobId":"nope"}`},
		{"mapping", `{"servicePrincipalId":"` + sp + `","jobId":"` + id + `","sourceObjectName":"User","targetObjectName":"urn:ietf:params:scim:schemas:core:2.0:User","targetAttributeName":"displayName","expression":"Nope()"}`},
		{"steady-state-delay", `{"delay":"soon"}`},
		{"pause", `not json`},
	} {
		checkEnvelope(t, control(bad.path, bad.body), 400, "BadRequest")
	}
	checkEnvelope(t, call(t, http.MethodGet, base+"/_fake/pause", "", noAuth), 405, "Request_BadRequest")
}
