package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// provisionConfig is one entrasync_provision_on_demand of a user through ruleID.
func provisionConfig(name, sp, job, ruleID, objectID, objectType string) string {
	return fmt.Sprintf(`
resource "entrasync_provision_on_demand" %q {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = %q }] }]
}
`, name, sp, job, ruleID, objectID, objectType)
}

func TestAccProvisionOnDemand_ruleCheckFailsAtPlan(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:   env.provider + provisionConfig("test", fg.SCIMServicePrincipalID, fg.SCIMJobID, "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2", fg.UserAdaID, "User"),
				PlanOnly: true,
				ExpectError: wrapped("Invalid rule_id: not in the synchronization job",
					`Synchronization job "`+fg.SCIMJobID+`" of service principal `+fg.SCIMServicePrincipalID+` has no rule "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2".`,
					"- "+fg.SCIMRuleID+" (USER_AND_GROUP_TO_SCIM)", "entrasync_synchronization_rules"),
			},
			{
				// Graph compares rule ids exactly; the error names the likely one.
				Config:      env.provider + provisionConfig("test", fg.WorkdayServicePrincipalID, fg.WorkdayJobID, strings.ToUpper(fg.WorkdayWorkerRuleID), fg.WorkdayWorkerID, "Worker"),
				PlanOnly:    true,
				ExpectError: wrapped(`Rule IDs are case-sensitive: did you mean "` + fg.WorkdayWorkerRuleID + `"?`),
			},
		},
	})
	if got := env.provisionCalls(); got != 0 {
		t.Errorf("provision calls = %d, want 0: a bad rule must fail at plan", got)
	}
}

func TestAccProvisionOnDemand_ruleCheckOnReplacement(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: env.provider + provisionConfig("test", fg.CloudSyncServicePrincipalID, fg.CloudSyncJobID, fg.CloudSyncUserRuleID, fg.CloudSyncUserDN, "user")},
			{
				// A new rule_id replaces the resource: its create half is checked like a first create.
				Config:      env.provider + provisionConfig("test", fg.CloudSyncServicePrincipalID, fg.CloudSyncJobID, fg.SCIMRuleID, fg.CloudSyncUserDN, "user"),
				ExpectError: wrapped("Invalid rule_id: not in the synchronization job", "- "+fg.CloudSyncUserRuleID+" (Provision Active Directory Users)"),
			},
		},
	})
	if got := env.provisionCalls(); got != 1 {
		t.Errorf("provision calls = %d, want 1 (the first create only)", got)
	}
}

// One plan of many resources reads each job's schema once, shared with the rules data source.
func TestAccProvisionOnDemand_ruleCheckReadsEachSchemaOnce(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	config := env.provider + fmt.Sprintf(`
data "entrasync_synchronization_rules" "scim" {
  service_principal_id   = %[1]q
  synchronization_job_id = %[2]q
  source_object_name     = "User"
}
resource "entrasync_provision_on_demand" "scim" {
  for_each               = toset([%[3]q, %[4]q, %[5]q, %[6]q])
  service_principal_id   = %[1]q
  synchronization_job_id = "/servicePrincipals/%[1]s/synchronization/jobs/%[2]s"
  parameters             = [{ rule_id = data.entrasync_synchronization_rules.scim.rule_id, subjects = [{ object_id = each.key, object_type_name = "User" }] }]
}
resource "entrasync_provision_on_demand" "missing_credentials" {
  count                  = 3
  service_principal_id   = %[7]q
  synchronization_job_id = %[8]q
  parameters             = [{ rule_id = %[9]q, subjects = [{ object_id = %[3]q, object_type_name = "User" }] }]
  triggers               = { n = count.index }
}
`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.UserAdaID, fg.UserBenID, fg.UserMember1ID, fg.UserMember2ID,
		fg.CredentialsMissingServicePrincipalID, fg.CredentialsMissingJobID, fg.CredentialsMissingRuleID) +
		provisionConfig("typo", fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMRuleID+"x", fg.UserAdaID, "User")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			// The typo fails the plan after every resource was planned: exactly one plan ran.
			Config:      config,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`Invalid rule_id: not in the synchronization job`),
		}},
	})
	for job, want := range map[string]int{fg.SCIMJobID: 1, fg.CredentialsMissingJobID: 1} {
		if got := env.schemaReads(job); got != want {
			t.Errorf("schema reads of %s = %d, want %d: one plan reads each job's schema once", job, got, want)
		}
	}
	if got := env.provisionCalls(); got != 0 {
		t.Errorf("provision calls = %d, want 0", got)
	}
}

func TestAccProvisionOnDemand_ruleCheckSkippedWhenSchemaUnreadable(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	// The identity may not read the job (nor, here, provision): the plan cannot check the rule.
	env.srv.InjectFault(fg.Fault{JobID: fg.SCIMJobID, Kind: fg.FaultStatus, StatusCode: http.StatusForbidden, Code: "Authorization_RequestDenied",
		Message: "Insufficient privileges to complete the operation.", IncludeReads: true, Count: -1})
	config := env.provider + provisionConfig("test", fg.SCIMServicePrincipalID, fg.SCIMJobID, "not-a-rule-of-this-job", fg.UserAdaID, "User")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// Apply-time handling is unchanged: Graph's answer to the provision call is what the user sees.
				Config:      config,
				ExpectError: wrapped("Permission denied by Microsoft Graph", "403 Authorization_RequestDenied"),
			},
		},
	})
	forbidden := 0
	for _, r := range env.srv.Requests() {
		if r.Operation == fg.OperationGetSchema && r.Status == http.StatusForbidden {
			forbidden++
		}
	}
	if forbidden == 0 {
		t.Error("no schema read was answered 403; the test no longer exercises an unreadable schema")
	}
	if got := env.provisionCalls(); got != 1 {
		t.Errorf("provision calls = %d, want 1 (the apply step)", got)
	}
}

func TestAccProvisionOnDemand_ruleCheckSkippedWithUnknownProviderConfig(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	// The provider's endpoint is known only at apply, so plan has no client and reads nothing.
	config := fmt.Sprintf(`
resource "terraform_data" "endpoint" {
  input = %q
}
provider "entrasync" {
  graph_endpoint = terraform_data.endpoint.output
  access_token   = %q
}
`, env.url, testTokenValue) + provisionConfig("test", fg.SCIMServicePrincipalID, fg.SCIMJobID, "not-a-rule-of-this-job", fg.UserAdaID, "User")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	if got := len(env.srv.Requests()); got != 0 {
		t.Errorf("the fake received %d requests at plan, want 0", got)
	}
}

func TestAccProvisionOnDemand_ruleCheckOnlyOnCreate(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	reads := 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: userConfig(env, fg.UserAdaID, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				},
				Check: func(*terraform.State) error {
					reads = env.schemaReads(fg.SCIMJobID)
					return nil
				},
			},
			{
				// An in-place update provisions nothing, so nothing is checked.
				Config: userConfig(env, fg.UserAdaID, "fail_on_skip = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionUpdate),
				}},
			},
		},
		// Neither the no-op and update plans after the create nor the destroy read a schema.
		CheckDestroy: func(*terraform.State) error {
			if reads == 0 {
				return errors.New("the create read no schema; the test no longer exercises the check")
			}
			if got := env.schemaReads(fg.SCIMJobID); got != reads {
				return fmt.Errorf("schema reads went from %d after the create to %d: plans that provision nothing must not read", reads, got)
			}
			return nil
		},
	})
}

func TestMissingRuleDiagnostics(t *testing.T) {
	schema := &graph.SynchronizationSchema{Rules: []graph.SynchronizationRule{
		{ID: "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2", Name: "USER_TO_SCIM"},
		{ID: "b2c8e1d4-0a7f-4c3e-9d61-5f2a8b7c4e90", Name: "GROUP_TO_SCIM"},
	}}
	diags := missingRuleDiagnostics("sp-1", "scim.1", schema, []plannedRule{
		{index: 0, id: "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2"},
		{index: 1, id: "03F7D90D-BF71-41B1-BDA6-AAF0DDBEE5D8#V2"},
		{index: 2, id: ""},
	})
	if diags.ErrorsCount() != 2 {
		t.Fatalf("diagnostics %v, want errors for parameters 1 and 2", diags)
	}
	for i, d := range diags {
		want := path.Root("parameters").AtListIndex(i + 1).AtName("rule_id")
		if got := d.(diag.DiagnosticWithPath).Path(); !got.Equal(want) {
			t.Errorf("error %d at %s, want %s", i, got, want)
		}
		for _, s := range []string{`Synchronization job "scim.1" of service principal sp-1 has no rule`,
			"  - 03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2 (USER_TO_SCIM)\n  - b2c8e1d4-0a7f-4c3e-9d61-5f2a8b7c4e90 (GROUP_TO_SCIM)\n"} {
			if !strings.Contains(d.Detail(), s) {
				t.Errorf("error %d detail %q lacks %q", i, d.Detail(), s)
			}
		}
	}
	if !strings.Contains(diags[0].Detail(), `did you mean "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2"`) || strings.Contains(diags[1].Detail(), "did you mean") {
		t.Errorf("only a case-only difference gets a suggestion: %v", diags)
	}
}

func TestKnownRuleIDsSkipsUnknowns(t *testing.T) {
	ctx := context.Background()
	objType := types.ObjectType{AttrTypes: map[string]attr.Type{"rule_id": types.StringType}}
	param := func(v types.String) attr.Value {
		return types.ObjectValueMust(objType.AttrTypes, map[string]attr.Value{"rule_id": v})
	}
	list := types.ListValueMust(objType, []attr.Value{
		param(types.StringUnknown()),
		types.ObjectUnknown(objType.AttrTypes),
		param(types.StringValue("rule-b")),
	})
	got := knownRuleIDs(ctx, list)
	if len(got) != 1 || got[0].index != 2 || got[0].id != "rule-b" || got[0].subjects != nil {
		t.Errorf("got %+v, want only parameter 2's rule", got)
	}
	if got := knownRuleIDs(ctx, types.ListUnknown(objType)); got != nil {
		t.Errorf("unknown parameters: got %+v", got)
	}
}

func TestSchemaCacheReadsEachJobOnce(t *testing.T) {
	var c schemaCache
	var reads atomic.Int32
	read := func(context.Context) (*graph.SynchronizationSchema, error) {
		reads.Add(1)
		return &graph.SynchronizationSchema{}, nil
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s, err := c.get(context.Background(), fmt.Sprint("job-", i%2), read); s == nil || err != nil {
				t.Errorf("get: %v, %v", s, err)
			}
		}()
	}
	wg.Wait()
	if got := reads.Load(); got != 2 {
		t.Errorf("reads = %d, want 2 (one per job)", got)
	}
}

func TestSchemaCacheKeepsFailuresButNotCancellations(t *testing.T) {
	var c schemaCache
	forbidden := &graph.Error{StatusCode: http.StatusForbidden, Code: "Authorization_RequestDenied"}
	reads := 0
	failing := func(context.Context) (*graph.SynchronizationSchema, error) { reads++; return nil, forbidden }
	for range 2 {
		if _, err := c.get(context.Background(), "job", failing); !errors.Is(err, forbidden) {
			t.Fatalf("got %v, want the 403", err)
		}
	}
	if reads != 1 {
		t.Errorf("reads = %d, want 1: a 403 would answer the same again", reads)
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.get(cancelled, "other", func(ctx context.Context) (*graph.SynchronizationSchema, error) { return nil, ctx.Err() }); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if s, err := c.get(context.Background(), "other", func(context.Context) (*graph.SynchronizationSchema, error) {
		return &graph.SynchronizationSchema{ID: "fresh"}, nil
	}); err != nil || s.ID != "fresh" {
		t.Errorf("after a cancelled read: got %v, %v; want a fresh read", s, err)
	}
}

func TestSchemaCacheWaiterHonoursItsContext(t *testing.T) {
	var c schemaCache
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := c.get(context.Background(), "job", func(context.Context) (*graph.SynchronizationSchema, error) {
			close(started)
			<-release
			return &graph.SynchronizationSchema{}, nil
		})
		done <- err
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.get(ctx, "job", func(context.Context) (*graph.SynchronizationSchema, error) {
		t.Error("a second read while the first is running")
		return nil, nil
	}); !errors.Is(err, context.Canceled) {
		t.Errorf("waiter got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("reader: %v", err)
	}
}
