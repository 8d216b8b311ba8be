package provider

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// membersHCL renders ids as a links.members list.
func membersHCL(ids []string) string {
	items := make([]string, len(ids))
	for i, id := range ids {
		items[i] = fmt.Sprintf("{ object_id = %q, object_type_name = \"User\" }", id)
	}
	return "[\n      " + strings.Join(items, ",\n      ") + ",\n    ]"
}

// teamConfig provisions a group through the group rule; subject is the rest of its subject
// (links or all_members), extra the rest of the resource.
func teamConfig(env *fakeEnv, name, groupID, subject, extra string) string {
	return fmt.Sprintf(`
resource "entrasync_provision_on_demand" %q {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{
    rule_id  = %q
    subjects = [{
      object_id        = %q
      object_type_name = "Group"
      %s
    }]
  }]
  %s
}
`, name, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMGroupRuleID, groupID, subject, extra)
}

// platformWithoutFailures is 12 Platform members none of which fails (member 9 is left out):
// 3 and 13 are already in sync, 7 is out of scope.
func platformWithoutFailures(from int) []string {
	all := fg.SeededMemberIDs(fg.GroupPlatformID)
	var ids []string
	for n := from; len(ids) < 12; n++ {
		if fg.SeededMemberOutcome(all[n-1]) != fg.OutcomeFailure {
			ids = append(ids, all[n-1])
		}
	}
	return ids
}

// chunks splits ids into lists of size.
func chunks(ids []string, size int) [][]string {
	var out [][]string
	for start := 0; start < len(ids); start += size {
		out = append(out, ids[start:min(start+size, len(ids))])
	}
	return out
}

func requireCallMembers(t *testing.T, env *fakeEnv, want [][]string) {
	t.Helper()
	if got := env.srv.ProvisionCallMembers(fg.SCIMJobID); !reflect.DeepEqual(got, want) {
		t.Fatalf("members per provisionOnDemand call:\n got %v\nwant %v", got, want)
	}
}

// memberReads lists the paths of the group member reads the fake received.
func (e *fakeEnv) memberReads() []string {
	var out []string
	for _, r := range e.srv.Requests() {
		if r.Operation == fg.OperationListGroupMembers || r.Operation == fg.OperationListGroupTransitiveMembers {
			out = append(out, r.Path)
		}
	}
	return out
}

func TestAccProvisionOnDemand_teamInBatchesOfFive(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	ids := platformWithoutFailures(1)
	config := env.provider + teamConfig(env, "test", fg.GroupPlatformID, "links = { members = "+membersHCL(ids)+" }", "")
	batchOf := func(k int) knownvalue.Check { return knownvalue.Int64Exact(int64(k)) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(resAddr, str("planned_calls"), knownvalue.Int64Exact(3)),
				plancheck.ExpectUnknownValue(resAddr, str("request_ids")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				// In sync (RedundantExport) is success; member 7 out of scope warns.
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Skipped")),
				statecheck.ExpectKnownValue(resAddr, str("planned_calls"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue(resAddr, str("request_ids"), knownvalue.ListSizeExact(3)),
				statecheck.CompareValuePairs(resAddr, str("request_id"), resAddr, str("request_ids").AtSliceIndex(0), sameValue{}),
				// The group's entry once, then every member in order, each with its batch.
				statecheck.ExpectKnownValue(resAddr, str("results"), knownvalue.ListSizeExact(13)),
				statecheck.ExpectKnownValue(resAddr, entry(0, "source_identity_id"), knownvalue.StringExact(fg.GroupPlatformID)),
				statecheck.ExpectKnownValue(resAddr, entry(0, "batch"), batchOf(1)),
				statecheck.ExpectKnownValue(resAddr, entry(1, "source_identity_id"), knownvalue.StringExact(ids[0])),
				statecheck.ExpectKnownValue(resAddr, entry(5, "batch"), batchOf(1)),
				statecheck.ExpectKnownValue(resAddr, entry(6, "source_identity_id"), knownvalue.StringExact(ids[5])),
				statecheck.ExpectKnownValue(resAddr, entry(6, "batch"), batchOf(2)),
				statecheck.ExpectKnownValue(resAddr, entry(12, "source_identity_id"), knownvalue.StringExact(ids[11])),
				statecheck.ExpectKnownValue(resAddr, entry(12, "batch"), batchOf(3)),
			},
		}},
	})
	requireCallMembers(t, env, chunks(ids, 5))
}

// sameValue passes when the two values compared are equal.
type sameValue struct{}

func (sameValue) CompareValues(values ...any) error {
	if len(values) != 2 || values[0] != values[1] {
		return fmt.Errorf("values differ: %v", values)
	}
	return nil
}

// priorState checks the prior state of a plan: the resource's answers kept from the last apply.
type priorState struct {
	check func(values map[string]any) error
}

func (c priorState) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan.PriorState == nil || req.Plan.PriorState.Values == nil {
		resp.Error = fmt.Errorf("the plan has no prior state")
		return
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address == resAddr {
			resp.Error = c.check(r.AttributeValues)
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the prior state", resAddr)
}

// keptAnswers checks that state kept results and request-ids of calls calls.
func keptAnswers(results, calls int) priorState {
	return priorState{check: func(v map[string]any) error {
		res, _ := v["results"].([]any)
		ids, _ := v["request_ids"].([]any)
		if len(res) != results || len(ids) != calls {
			return fmt.Errorf("state kept %d results and %d request ids, want %d and %d", len(res), len(ids), results, calls)
		}
		last, _ := res[len(res)-1].(map[string]any)
		if fmt.Sprint(last["batch"]) != fmt.Sprint(calls) {
			return fmt.Errorf("the last result is of batch %v, want %d", last["batch"], calls)
		}
		return nil
	}}
}

func TestAccProvisionOnDemand_teamFailureInBatchTwo(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	ids := fg.SeededMemberIDs(fg.GroupPaymentsID)
	config := env.provider + teamConfig(env, "test", fg.GroupPaymentsID, "links = { members = "+membersHCL(ids)+" }", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Member 9 fails in batch 2; batch 3 is still sent.
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Provisioning failed for payments09\.member@example\.com \(batch 2 of\s+3\).*Request ID: [0-9a-f-]{36}`),
			},
			{
				// Tainted with every batch's answers: the next apply provisions again.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionDestroyBeforeCreate),
					keptAnswers(13, 3),
				}},
				ExpectError: regexp.MustCompile(`Provisioning failed for payments09\.member@example\.com`),
			},
		},
	})
	want := chunks(ids, 5)
	requireCallMembers(t, env, append(want, want...))
}

func TestAccProvisionOnDemand_teamStopOnFailure(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	ids := fg.SeededMemberIDs(fg.GroupPaymentsID)
	config := env.provider + teamConfig(env, "test", fg.GroupPaymentsID, "links = { members = "+membersHCL(ids)+" }", "stop_on_failure = true")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ExpectError: wrapped("Provisioning stopped after 2 of 3 batches", "Batch 2 failed and stop_on_failure is true.",
					"1 batch(es) with 2 member(s) were not sent"),
			},
			{
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionDestroyBeforeCreate),
					keptAnswers(11, 2),
				}},
			},
		},
	})
	requireCallMembers(t, env, chunks(ids, 5)[:2])
}

func TestAccProvisionOnDemand_teamTimeoutAfterBatchOne(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	// One call per hour for the job: batch 2 cannot be sent before the create timeout, so the
	// limiter gives up at once instead of waiting.
	env.provider = overrideProviderSetting(overrideProviderSetting(env.provider, "rate_limit_requests = 1"), `rate_limit_interval = "1h"`)
	ids := platformWithoutFailures(1)
	config := env.provider + teamConfig(env, "test", fg.GroupPlatformID, "links = { members = "+membersHCL(ids)+" }", `timeouts = { create = "10m" }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: wrapped("Throttled by Microsoft Graph", "Provisioning stopped after 1 of 3 batches", "2 batch(es) with 7 member(s) were not sent"),
			},
			{
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionDestroyBeforeCreate),
					keptAnswers(6, 1),
				}},
			},
		},
	})
	requireCallMembers(t, env, chunks(ids, 5)[:1])
}

func TestAccProvisionOnDemand_allMembersTwoPages(t *testing.T) {
	env := newFakeEnv(t, fg.Options{MembersPageSize: 2}, "")
	// Product Division's direct members: 3 users and the nested group Payments, on two pages.
	users := fg.SeededMemberIDs(fg.GroupDivisionID)[:fg.DivisionUserCount]
	config := env.provider + teamConfig(env, "test", fg.GroupDivisionID, "all_members = true", "members_per_call = 2")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(resAddr, str("planned_calls")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("planned_calls"), knownvalue.Int64Exact(2)),
				statecheck.ExpectKnownValue(resAddr, str("request_ids"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
			},
		}},
	})
	requireCallMembers(t, env, chunks(users, 2))
	if reads := env.memberReads(); len(reads) != 2 || !strings.HasSuffix(reads[0], "/groups/"+fg.GroupDivisionID+"/members") {
		t.Errorf("member reads %v, want two pages of /members", reads)
	}
}

func TestAccProvisionOnDemand_allMembersTransitive(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	// 3 users of the division, then the 12 of Payments; Payments' member 9 fails in batch 3.
	users := append(fg.SeededMemberIDs(fg.GroupDivisionID)[:fg.DivisionUserCount], fg.SeededMemberIDs(fg.GroupPaymentsID)...)
	config := env.provider + teamConfig(env, "test", fg.GroupDivisionID, "all_members = true\n      transitive_members = true", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: wrapped("Provisioning failed for the request (batch 3 of 3)"),
		}},
	})
	requireCallMembers(t, env, chunks(users, 5))
	if reads := env.memberReads(); len(reads) != 1 || !strings.HasSuffix(reads[0], "/transitiveMembers") {
		t.Errorf("member reads %v, want one page of /transitiveMembers", reads)
	}
}

func TestAccProvisionOnDemand_allMembersForbidden(t *testing.T) {
	env := newFakeEnv(t, fg.Options{GroupMemberForbiddenToken: "no-group-read"}, "")
	env.provider = strings.ReplaceAll(env.provider, testTokenValue, "no-group-read")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.provider + teamConfig(env, "test", fg.GroupPaymentsID, "all_members = true", ""),
			ExpectError: wrapped("Permission denied reading the group's members", "parameters[0].subjects[0].all_members",
				"needs the Microsoft Graph permission GroupMember.Read.All", "Authorization_RequestDenied"),
		}},
	})
	if n := env.provisionCalls(); n != 0 {
		t.Errorf("provision calls = %d, want none when the members cannot be read", n)
	}
}

// TestAccProvisionOnDemand_teamsShareTheJobLimit: two teams in batches and ten single users of
// the same job in one apply stay within a strict sliding window: no 429. The provider's window is 1.5 s against the fake's 1 s: on a loaded machine
// (load average 25 on 2 cores) a request reached the fake 130 ms after the client wrote it,
// beyond the limiter's 50 ms margin at a 1 s interval (200 ms at Graph's 10 s).
func TestAccProvisionOnDemand_teamsShareTheJobLimit(t *testing.T) {
	env := newFakeEnv(t, fg.Options{RateLimitRequests: 5, RateLimitInterval: time.Second}, "")
	env.provider = overrideProviderSetting(env.provider, `rate_limit_interval = "1500ms"`)
	a, b := platformWithoutFailures(1), platformWithoutFailures(14)
	config := env.provider +
		teamConfig(env, "a", fg.GroupPlatformID, "links = { members = "+membersHCL(a)+" }", "") +
		teamConfig(env, "b", fg.GroupPlatformID, "links = { members = "+membersHCL(b)+" }", "") + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "user" {
  count                  = 10
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = "User" }] }]
  triggers = { n = count.index }
}`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, fg.UserAdaID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    []resource.TestStep{{Config: config}},
	})
	if got := env.provisionCalls(); got != 16 {
		t.Errorf("provision calls = %d, want 16 (3 + 3 batches and 10 users)", got)
	}
	if got := env.throttled(); got != 0 {
		for _, r := range env.provisionRequests() {
			t.Logf("%s %d", r.Time.Format("15:04:05.000"), r.Status)
		}
		t.Errorf("the fake answered %d calls with 429; batches must go through the job's limiter", got)
	}
}

func TestActionInvokeReportsBatches(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	config := scimConfig(false, map[string]any{
		"object_id": fg.GroupPlatformID, "object_type_name": "Group",
		"links": map[string]any{"members": memberList(platformWithoutFailures(1))},
	})
	config["parameters"].([]any)[0].(map[string]any)["rule_id"] = fg.SCIMGroupRuleID
	progress, diags := invokeAction(t, actionServer(t, env), config)
	requireNoErrors(t, "invoke", diags)
	requireProgress(t, progress, "batch 1/3: 5 members, Skipped", "batch 2/3: 5 members, Skipped", "batch 3/3: 2 members, Skipped")
}

func memberList(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"object_id": id, "object_type_name": "User"}
	}
	return out
}

func TestPlanCallsWarnsOfWaits(t *testing.T) {
	d := &providerData{membersPerCall: 5, rateLimitRequests: 5, rateLimitInterval: 10 * time.Second}
	for _, tc := range []struct {
		members int
		calls   int64
		warning string
	}{
		{members: 0, calls: 1},
		{members: 25, calls: 5},
		{members: 40, calls: 8, warning: "40 members: 8 calls, about 10s at 5 per 10s"},
		{members: 100, calls: 20, warning: "100 members: 20 calls, about 30s at 5 per 10s"},
	} {
		calls, diags := planCalls(context.Background(), d, groupPlan(t, tc.members))
		if calls.ValueInt64() != tc.calls {
			t.Errorf("%d members: planned_calls = %s, want %d", tc.members, calls, tc.calls)
		}
		switch {
		case tc.warning == "" && len(diags) != 0:
			t.Errorf("%d members: unexpected diagnostics %v", tc.members, diags)
		case tc.warning != "" && (len(diags) != 1 || !strings.Contains(diags[0].Detail(), tc.warning)):
			t.Errorf("%d members: diagnostics %v, want a warning with %q", tc.members, diags, tc.warning)
		}
	}
}

// groupPlan is a plan that provisions a group with members members.
func groupPlan(t *testing.T, members int) provisionOnDemandModel {
	t.Helper()
	var rs fwresource.SchemaResponse
	(&provisionOnDemandResource{}).Schema(context.Background(), fwresource.SchemaRequest{}, &rs)
	parameterType := rs.Schema.Attributes["parameters"].GetType().(types.ListType).ElemType.(types.ObjectType)
	subjectType := parameterType.AttrTypes["subjects"].(types.ListType).ElemType.(types.ObjectType)
	linksType := subjectType.AttrTypes["links"].(types.ObjectType)
	memberType := linksType.AttrTypes["members"].(types.ListType).ElemType
	ctx := context.Background()
	list := make([]linkModel, members)
	for i := range list {
		list[i] = linkModel{ObjectID: types.StringValue(fmt.Sprintf("00000000-0000-0000-0000-%012d", i)), ObjectTypeName: types.StringValue("User")}
	}
	memberList, _ := types.ListValueFrom(ctx, memberType, list)
	links, _ := types.ObjectValueFrom(ctx, linksType.AttrTypes, linksModel{
		Members: memberList, Owners: types.ListNull(memberType), Manager: types.ObjectNull(memberType.(types.ObjectType).AttrTypes),
	})
	subjects, _ := types.ListValueFrom(ctx, subjectType, []subjectModel{{
		ObjectID: types.StringValue(fg.GroupPlatformID), ObjectTypeName: types.StringValue("Group"), Links: links,
	}})
	params, diags := types.ListValueFrom(ctx, parameterType, []parameterModel{{RuleID: types.StringValue(fg.SCIMGroupRuleID), Subjects: subjects}})
	if diags.HasError() {
		t.Fatal(diags)
	}
	return provisionOnDemandModel{Parameters: params}
}
