package provider

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// wrapped matches the literal parts in order, wherever Terraform wraps their lines.
func wrapped(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// schemaReads counts the schema GETs of jobID the fake received.
func (e *fakeEnv) schemaReads(jobID string) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Operation == fg.OperationGetSchema && r.JobID == jobID {
			n++
		}
	}
	return n
}

func TestAccSynchronizationJobs_listsTheJobs(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_jobs" "scim" {
  service_principal_id = "/servicePrincipals/%s"
}
data "entrasync_synchronization_jobs" "missing_credentials" {
  service_principal_id = %q
}`, fg.SCIMServicePrincipalID, fg.CredentialsMissingServicePrincipalID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.entrasync_synchronization_jobs.scim", str("jobs"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                knownvalue.StringExact(fg.SCIMJobID),
						"template_id":       knownvalue.StringExact("scim"),
						"schedule_state":    knownvalue.StringExact("Active"),
						"schedule_interval": knownvalue.StringExact("PT40M"),
						"status_code":       knownvalue.StringExact("Active"),
					}),
				})),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_jobs.missing_credentials", str("jobs"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                knownvalue.StringExact(fg.CredentialsMissingJobID),
						"template_id":       knownvalue.StringExact("scim"),
						"schedule_state":    knownvalue.StringExact("Disabled"),
						"schedule_interval": knownvalue.StringExact("PT40M"),
						"status_code":       knownvalue.StringExact("NotConfigured"),
					}),
				})),
			},
		}},
	})
}

func TestAccSynchronizationJob_byIDOrTemplate(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_job" "cloud_sync" {
  service_principal_id   = %[1]q
  synchronization_job_id = "/servicePrincipals/%[1]s/synchronization/jobs/%[2]s"
}
data "entrasync_synchronization_job" "workday" {
  service_principal_id = %[3]q
  template_id          = "WorkdayToAD"
}
data "entrasync_synchronization_job" "never_ran" {
  service_principal_id = %[4]q
  template_id          = "scim"
}`, fg.CloudSyncServicePrincipalID, fg.CloudSyncJobID, fg.WorkdayServicePrincipalID, fg.CredentialsMissingServicePrincipalID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.cloud_sync", str("template_id"), knownvalue.StringExact("AD2AADProvisioning")),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.cloud_sync", str("schedule"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"interval": knownvalue.StringExact("PT2M"), "state": knownvalue.StringExact("Active"), "expiration": knownvalue.Null(),
				})),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.cloud_sync", str("status"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"code":                         knownvalue.StringExact("Active"),
					"last_execution_state":         knownvalue.StringExact("Succeeded"),
					"last_execution_time_began":    knownvalue.StringRegexp(graphTimestamp),
					"last_execution_time_ended":    knownvalue.StringRegexp(graphTimestamp),
					"last_execution_error_code":    knownvalue.Null(),
					"last_execution_error_message": knownvalue.Null(),
					"quarantined":                  knownvalue.Bool(false),
					"quarantine_reason":            knownvalue.Null(),
				})),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.cloud_sync", str("settings"), knownvalue.MapExact(map[string]knownvalue.Check{
					"Domain":                  knownvalue.StringExact(`{"domain":"corp.example.com"}`),
					"PasswordHashSyncEnabled": knownvalue.StringExact("true"),
				})),
				// Picked by template (compared without case): the job id is found, the template stays as written.
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.workday", str("synchronization_job_id"), knownvalue.StringExact(fg.WorkdayJobID)),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.workday", str("template_id"), knownvalue.StringExact("WorkdayToAD")),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.workday", str("settings").AtMapKey("WorkdayApiVersion"), knownvalue.StringExact("v21.1")),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.never_ran", str("synchronization_job_id"), knownvalue.StringExact(fg.CredentialsMissingJobID)),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.never_ran", str("status").AtMapKey("code"), knownvalue.StringExact("NotConfigured")),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.never_ran", str("status").AtMapKey("last_execution_state"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_job.never_ran", str("schedule").AtMapKey("state"), knownvalue.StringExact("Disabled")),
			},
		}},
	})
}

func TestAccSynchronizationRules_ruleIDBySourceObject(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	rulesConfig := func(name, sp, job, filters string) string {
		return fmt.Sprintf(`
data "entrasync_synchronization_rules" %q {
  service_principal_id   = %q
  synchronization_job_id = %q
  %s
}`, name, sp, job, filters)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider +
				rulesConfig("scim_group", fg.SCIMServicePrincipalID, "/servicePrincipals/"+fg.SCIMServicePrincipalID+"/synchronization/jobs/"+fg.SCIMJobID, `source_object_name = "Group"`) +
				rulesConfig("cloud_sync", fg.CloudSyncServicePrincipalID, fg.CloudSyncJobID, `
  source_object_name           = "user"
  supports_provision_on_demand = true`) +
				rulesConfig("cloud_sync_no_pod", fg.CloudSyncServicePrincipalID, fg.CloudSyncJobID, `supports_provision_on_demand = false`) +
				rulesConfig("workday_group", fg.WorkdayServicePrincipalID, fg.WorkdayJobID, `source_object_name = "Group"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.scim_group", str("rule_id"), knownvalue.StringExact(fg.SCIMGroupRuleID)),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.scim_group", str("rules"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                           knownvalue.StringExact(fg.SCIMRuleID),
						"name":                         knownvalue.StringExact("USER_AND_GROUP_TO_SCIM"),
						"priority":                     knownvalue.Int64Exact(1),
						"source_directory_name":        knownvalue.StringExact("Azure Active Directory"),
						"target_directory_name":        knownvalue.StringExact("customappsso"),
						"supports_provision_on_demand": knownvalue.Bool(true),
						"object_mappings": knownvalue.ListExact([]knownvalue.Check{
							knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name":               knownvalue.StringExact("Provision Azure Active Directory Users"),
								"enabled":            knownvalue.Bool(true),
								"source_object_name": knownvalue.StringExact("User"),
								"target_object_name": knownvalue.StringExact("urn:ietf:params:scim:schemas:core:2.0:User"),
								"flow_types":         knownvalue.StringExact("Add, Update, Delete"),
							}),
							knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name":               knownvalue.StringExact("Provision Azure Active Directory Groups"),
								"enabled":            knownvalue.Bool(true),
								"source_object_name": knownvalue.StringExact("Group"),
								"target_object_name": knownvalue.StringExact("urn:ietf:params:scim:schemas:core:2.0:Group"),
								"flow_types":         knownvalue.StringExact("Add, Update, Delete"),
							}),
						}),
					}),
				})),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.cloud_sync", str("rule_id"), knownvalue.StringExact(fg.CloudSyncUserRuleID)),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.cloud_sync_no_pod", str("rules"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.cloud_sync_no_pod", str("rule_id"), knownvalue.Null()),
				// Workday provisions workers only: no rule for groups.
				statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.workday_group", str("rules"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.workday_group", str("rule_id"), knownvalue.Null()),
			},
		}},
	})
}

func TestAccSynchronization_readErrorsNameWhatWasAsked(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	const unknownSP = "0b9f3c1e-7a2d-4e5f-8c6b-1d0a9e8f7c6b"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_jobs" "test" {
  service_principal_id = %q
}`, unknownSP),
				ExpectError: wrapped("Not found: the synchronization jobs of service principal "+unknownSP, "not its application ID", "404 Request_ResourceNotFound", "request-id"),
			},
			{
				Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_rules" "test" {
  service_principal_id   = %q
  synchronization_job_id = "scim.00000000000000000000000000000000"
}`, fg.SCIMServicePrincipalID),
				ExpectError: wrapped(`Not found: the schema of synchronization job "scim.00000000000000000000000000000000" of service principal ` + fg.SCIMServicePrincipalID),
			},
			{
				Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_job" "test" {
  service_principal_id = %q
  template_id          = "scim"
}`, fg.WorkdayServicePrincipalID),
				ExpectError: wrapped("No synchronization job made from template scim", fg.WorkdayJobID+" (template workdayToAD, status Active)"),
			},
			{
				Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_rules" "test" {
  service_principal_id   = %q
  synchronization_job_id = "/servicePrincipals/%s/synchronization/jobs/%s"
}`, fg.WorkdayServicePrincipalID, fg.SCIMServicePrincipalID, fg.SCIMJobID),
				ExpectError: regexp.MustCompile(`Service principal mismatch`),
			},
			{
				Config: env.provider + `
data "entrasync_synchronization_job" "test" {
  service_principal_id = "` + fg.SCIMServicePrincipalID + `"
}`,
				ExpectError: wrapped("Exactly one of these attributes must be configured", "synchronization_job_id,template_id"),
			},
		},
	})
	if got := env.provisionCalls(); got != 0 {
		t.Errorf("provision calls = %d, want 0", got)
	}
}

func TestAccSynchronization_readPermissionDenied(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	env.srv.InjectFault(fg.Fault{Kind: fg.FaultStatus, StatusCode: http.StatusForbidden, Code: "Authorization_RequestDenied",
		Message: "Insufficient privileges to complete the operation.", IncludeReads: true, Count: -1})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_job" "test" {
  service_principal_id   = %q
  synchronization_job_id = %q
}`, fg.SCIMServicePrincipalID, fg.SCIMJobID),
			ExpectError: wrapped(`Permission denied reading synchronization job "`+fg.SCIMJobID+`" of service principal `+fg.SCIMServicePrincipalID, "Synchronization.Read.All", "403 Authorization_RequestDenied"),
		}},
	})
}

// twoJobsGraph serves a service principal with two jobs made from the SCIM template, whose
// schema has two rules for users: what the fake's one-job principals cannot show.
func twoJobsGraph(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/schema"):
			_, _ = io.WriteString(w, `{"id": "scim.a", "version": "date=2026-01-05;ver=1", "synchronizationRules": [
			  {"id": "rule-users#V2", "name": "USER_TO_SCIM", "priority": 1,
			   "metadata": [{"key": "supportsProvisionOnDemand", "value": "true"}],
			   "objectMappings": [{"name": "Users", "enabled": true, "sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:User", "flowTypes": "Add, Update"}]},
			  {"id": "rule-users-and-groups#V2", "name": "USER_AND_GROUP_TO_SCIM", "priority": 2,
			   "metadata": [{"key": "supportsProvisionOnDemand", "value": "true"}],
			   "objectMappings": [
			     {"name": "Users", "enabled": true, "sourceObjectName": "User", "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:User", "flowTypes": "Add, Update, Delete"},
			     {"name": "Groups", "enabled": false, "sourceObjectName": "Group", "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:Group", "flowTypes": "Add, Update, Delete"}]}]}`)
		case strings.HasSuffix(r.URL.Path, "/synchronization/jobs"):
			_, _ = io.WriteString(w, `{"value": [
			  {"id": "scim.a", "templateId": "scim", "status": {"code": "Active"}},
			  {"id": "scim.b", "templateId": "scim", "status": {"code": "Paused"}},
			  {"id": "AD2AADProvisioning.c", "templateId": "AD2AADProvisioning", "status": {"code": "Active"}}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error": {"code": "Request_ResourceNotFound", "message": "not here"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return fmt.Sprintf(`
provider "entrasync" {
  graph_endpoint = %q
  access_token   = %q
}
`, srv.URL, testTokenValue)
}

func TestAccSynchronization_severalMatches(t *testing.T) {
	provider := twoJobsGraph(t)
	const sp = "4e1d2c3b-5a69-4f78-8e9d-0a1b2c3d4e5f"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: provider + `
data "entrasync_synchronization_job" "test" {
  service_principal_id = "` + sp + `"
  template_id          = "scim"
}`,
				ExpectError: wrapped("Several synchronization jobs made from template scim", "has 2 synchronization jobs made from template", "scim.a (template scim, status Active)", "scim.b (template scim, status Paused)", "Set synchronization_job_id"),
			},
			{
				Config: provider + `
data "entrasync_synchronization_rules" "users" {
  service_principal_id   = "` + sp + `"
  synchronization_job_id = "scim.a"
  source_object_name     = "User"
}
data "entrasync_synchronization_rules" "groups" {
  service_principal_id   = "` + sp + `"
  synchronization_job_id = "scim.a"
  source_object_name     = "group"
}
data "entrasync_synchronization_rules" "all" {
  service_principal_id   = "` + sp + `"
  synchronization_job_id = "scim.a"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					// Two rules map users: rule_id stays null rather than guessing.
					statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.users", str("rule_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.users", str("rules"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.groups", str("rule_id"), knownvalue.StringExact("rule-users-and-groups#V2")),
					statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.groups",
						tfjsonpath.New("rules").AtSliceIndex(0).AtMapKey("object_mappings").AtSliceIndex(1).AtMapKey("enabled"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.all", str("rules"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.all", str("rule_id"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestJobFromTemplate(t *testing.T) {
	jobs := []graph.SynchronizationJob{
		{ID: "scim.a", TemplateID: "scim"},
		{ID: "scim.b", TemplateID: "SCIM"},
		{ID: "workdayToAD.c", TemplateID: "workdayToAD"},
	}
	if j, diags := jobFromTemplate("sp", "WORKDAYTOAD", jobs); diags.HasError() || j.ID != "workdayToAD.c" {
		t.Errorf("one match: got %v, %v", j, diags)
	}
	for template, want := range map[string]string{
		"scim":               "Several synchronization jobs made from template scim",
		"AD2AADProvisioning": "No synchronization job made from template AD2AADProvisioning",
	} {
		j, diags := jobFromTemplate("sp", template, jobs)
		if j != nil || len(diags) != 1 || diags[0].Summary() != want {
			t.Errorf("%s: got %v, %v; want one error %q", template, j, diags, want)
		}
	}
	if _, diags := jobFromTemplate("sp", "scim", nil); len(diags) != 1 || !strings.Contains(diags[0].Detail(), "(none)") {
		t.Errorf("no jobs at all: %v", diags)
	}
}

func TestMatchingRules(t *testing.T) {
	pod := map[string]string{"supportsProvisionOnDemand": "true"}
	rules := []graph.SynchronizationRule{
		{ID: "users", Metadata: pod, ObjectMappings: []graph.ObjectMapping{{SourceObjectName: "User"}}},
		{ID: "users-and-groups", Metadata: pod, ObjectMappings: []graph.ObjectMapping{{SourceObjectName: "User"}, {SourceObjectName: "Group"}}},
		{ID: "devices", ObjectMappings: []graph.ObjectMapping{{SourceObjectName: "computer"}}},
	}
	yes, no := true, false
	group, user, device := "GROUP", "User", "computer"
	for name, tc := range map[string]struct {
		source *string
		pod    *bool
		want   string
	}{
		"no filter":            {nil, nil, "users,users-and-groups,devices"},
		"group":                {&group, nil, "users-and-groups"},
		"user":                 {&user, nil, "users,users-and-groups"},
		"provision on demand":  {nil, &yes, "users,users-and-groups"},
		"not on demand":        {nil, &no, "devices"},
		"device, on demand":    {&device, &yes, ""},
		"device, not":          {&device, &no, "devices"},
		"group, not on demand": {&group, &no, ""},
	} {
		var ids []string
		for _, r := range matchingRules(rules, tc.source, tc.pod) {
			ids = append(ids, r.ID)
		}
		if got := strings.Join(ids, ","); got != tc.want {
			t.Errorf("%s: got %q, want %q", name, got, tc.want)
		}
	}
}

// Group batches as examples/complete wires them, through a job found by its template.
func TestAccSynchronization_groupWithMembersFromServicePrincipalOnly(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	config := env.provider + fmt.Sprintf(`
locals {
  batches = chunklist(sort([%[3]q, %[4]q, %[5]q, %[6]q, %[7]q, %[8]q]), 5)
}
data "entrasync_synchronization_job" "scim" {
  service_principal_id = %[1]q
  template_id          = "scim"
}
data "entrasync_synchronization_rules" "groups" {
  service_principal_id   = %[1]q
  synchronization_job_id = data.entrasync_synchronization_job.scim.synchronization_job_id
  source_object_name     = "Group"
}
resource "entrasync_provision_on_demand" "team" {
  count                  = length(local.batches)
  service_principal_id   = %[1]q
  synchronization_job_id = data.entrasync_synchronization_job.scim.synchronization_job_id
  parameters = [{
    rule_id = data.entrasync_synchronization_rules.groups.rule_id
    subjects = [{
      object_id        = %[2]q
      object_type_name = "Group"
      links = {
        members = [for id in local.batches[count.index] : { object_id = id, object_type_name = "User" }]
      }
    }]
  }]
}`, fg.SCIMServicePrincipalID, fg.GroupEngineeringID,
		fg.UserMember1ID, fg.UserMember2ID, fg.UserMember3ID, fg.UserMember4ID, fg.UserMember5ID, fg.UserMember6ID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.entrasync_synchronization_rules.groups", str("rule_id"), knownvalue.StringExact(fg.SCIMGroupRuleID)),
				// The group and its first five members, then the group and the sixth.
				statecheck.ExpectKnownValue("entrasync_provision_on_demand.team[0]", str("results"), knownvalue.ListSizeExact(6)),
				statecheck.ExpectKnownValue("entrasync_provision_on_demand.team[1]", str("results"), knownvalue.ListSizeExact(2)),
			},
		}},
	})
	var provisions []fg.LoggedRequest
	for _, r := range env.srv.Requests() {
		if r.Operation == fg.OperationProvisionOnDemand {
			provisions = append(provisions, r)
		}
	}
	if len(provisions) != 2 {
		t.Fatalf("provision calls = %d, want 2", len(provisions))
	}
	for _, r := range provisions {
		if r.JobID != fg.SCIMJobID || !strings.Contains(r.Body, `"ruleId":"`+fg.SCIMGroupRuleID+`"`) {
			t.Errorf("provision call to job %s with body %s; want the SCIM job and its group rule", r.JobID, r.Body)
		}
	}
}
