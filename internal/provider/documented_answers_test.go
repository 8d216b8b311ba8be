package provider

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// Example 1 of "synchronizationJob: provisionOnDemand": a user already in sync, with
// RedundantExport only in the key and the skip step. It is a success, even with fail_on_skip.
func TestAccProvisionOnDemand_documentedAlreadyInSync(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	config := func(run string) string {
		return userConfig(env, fg.UserBillBobID, fmt.Sprintf("fail_on_skip = true\n  triggers = { run = %q }", run))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: config("1"), ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
			}},
			{Config: config("2"), ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Skipped")),
				statecheck.ExpectKnownValue(resAddr, entry(0, "status"), knownvalue.StringExact("Skipped")),
				statecheck.ExpectKnownValue(resAddr, entry(0, "error_code"), knownvalue.StringExact("RedundantExport")),
				statecheck.ExpectKnownValue(resAddr, str("result_key"), knownvalue.StringRegexp(regexp.MustCompile(`"errorCode":"RedundantExport"`))),
			}},
		},
	})
	if got := env.provisionCalls(); got != 2 {
		t.Errorf("%d provisionOnDemand calls, want 2", got)
	}
}

// Example 2: Cloud Sync, statusInfo holding only the status.
func TestAccProvisionOnDemand_documentedCloudSync(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: subjectConfig(env, fg.CloudSyncServicePrincipalID, fg.CloudSyncJobID, fg.CloudSyncUserRuleID, fg.CloudSyncDocumentedUserDN, "user"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue(resAddr, entry(0, "status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue(resAddr, entry(0, "error_code"), knownvalue.Null()),
				statecheck.ExpectKnownValue(resAddr, entry(0, "source_system"), knownvalue.StringExact("Active Directory")),
			},
		}},
	})
}

// Example 3: a group sent with members answers {"result":"Success"} and "{}": no entry per member.
func TestAccProvisionOnDemand_documentedGroupWithoutEntries(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	members := fg.SeededMemberIDs(fg.GroupDivisionID)[:2]
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = %q
  synchronization_job_id = %q
  fail_on_skip           = true
  parameters = [{
    rule_id  = %q
    subjects = [{
      object_id = %q, object_type_name = "Group"
      links = { members = [{ object_id = %q, object_type_name = "User" }, { object_id = %q, object_type_name = "User" }] }
    }]
  }]
}
`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMGroupRuleID, fg.GroupDivisionID, members[0], members[1]),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue(resAddr, str("results"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue(resAddr, str("result_value"), knownvalue.StringExact("{}")),
			},
		}},
	})
}

// Cross-tenant synchronization keys the answer by the StatusInfo type name, with an array.
func TestAccProvisionOnDemand_documentedCrossTenant(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: subjectConfig(env, fg.CrossTenantServicePrincipalID, fg.CrossTenantJobID, fg.CrossTenantRuleID, fg.UserAdaID, "User"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue(resAddr, str("result_key"), knownvalue.StringRegexp(regexp.MustCompile(`SyncFabric\.StatusInfo$`))),
				statecheck.ExpectKnownValue(resAddr, str("results"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue(resAddr, entry(0, "reportable_identifier"), knownvalue.StringExact(fg.UserAdaPrincipalName)),
			},
		}},
	})
}

// assignmentClock is a fake Graph clock that moves one minute per provisionOnDemand call, so an
// assignment effective after 90 seconds is seen by the third call whatever the real time.
func assignmentClock(opts *fg.Options) {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var minutes atomic.Int64
	opts.Now = func() time.Time { return base.Add(time.Duration(minutes.Load()) * time.Minute) }
	opts.OnRequest = func(r fg.LoggedRequest) {
		if strings.HasSuffix(r.Path, "/provisionOnDemand") {
			minutes.Add(1)
		}
	}
}

// An assignment that takes effect a little later: skipped (NotEffectivelyEntitled), then
// provisioned within retry_skipped_for; the kept answer is the success.
func TestAccProvisionOnDemand_retrySkippedUntilAssigned(t *testing.T) {
	opts := fg.Options{}
	assignmentClock(&opts)
	env := newFakeEnv(t, opts, "")
	if err := env.srv.AssignAt(fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.UserPendingAssignmentID, opts.Now().Add(90*time.Second)); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: userConfig(env, fg.UserPendingAssignmentID, "retry_skipped_for = \"10m\"\n  fail_on_skip = true"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue(resAddr, entry(0, "action"), knownvalue.StringExact("Create")),
				statecheck.ExpectKnownValue(resAddr, str("retry_skipped_for"), knownvalue.StringExact("10m")),
			},
		}},
	})
	if got := env.provisionCalls(); got != 3 {
		t.Errorf("%d provisionOnDemand calls, want 3 (two skips, then the success)", got)
	}
}

// Never assigned: still skipped when retry_skipped_for runs out, after more than one attempt;
// the last answer is the one reported.
func TestAccProvisionOnDemand_retrySkippedRunsOut(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      userConfig(env, fg.UserPendingAssignmentID, "retry_skipped_for = \"1s\"\n  fail_on_skip = true"),
			ExpectError: regexp.MustCompile(`(?s)Provisioning skipped.*NotEffectivelyEntitled.*fail_on_skip is true`),
		}},
	})
	if got := env.provisionCalls(); got < 2 {
		t.Errorf("%d provisionOnDemand calls, want at least 2", got)
	}
}

// Without retry_skipped_for a skip is answered after one call.
func TestAccProvisionOnDemand_noRetryByDefault(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: userConfig(env, fg.UserPendingAssignmentID, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Skipped")),
				statecheck.ExpectKnownValue(resAddr, entry(0, "error_code"), knownvalue.StringExact("NotEffectivelyEntitled")),
			},
		}},
	})
	if got := env.provisionCalls(); got != 1 {
		t.Errorf("%d provisionOnDemand calls, want 1", got)
	}
}

func TestAccProvisionOnDemand_retrySkippedForInvalid(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      userConfig(env, fg.UserAdaID, `retry_skipped_for = "soon"`),
			ExpectError: wrapped("Invalid retry_skipped_for", `"soon" is not a Go duration`),
		}},
	})
}

// The cross-tenant guide's job that never ran (timeBegan 0001-01-01, Failed, error None) reads
// as "never ran": null last-execution attributes, not a failed run.
func TestAccSynchronizationJob_neverRanAsTheGuideWritesIt(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	addr := "data.entrasync_synchronization_job.cross_tenant"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + fmt.Sprintf(`
data "entrasync_synchronization_job" "cross_tenant" {
  service_principal_id   = %q
  synchronization_job_id = %q
}`, fg.CrossTenantServicePrincipalID, fg.CrossTenantJobID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, str("status").AtMapKey("code"), knownvalue.StringExact("Active")),
				statecheck.ExpectKnownValue(addr, str("status").AtMapKey("last_execution_state"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, str("status").AtMapKey("last_execution_time_began"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, str("status").AtMapKey("last_execution_error_code"), knownvalue.Null()),
			},
		}},
	})
}
