package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

const resAddr = "entrasync_provision_on_demand.test"

var (
	uuidPattern    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	graphTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)
)

// userConfig provisions one SCIM user through the user rule.
func userConfig(env *fakeEnv, objectID, extra string) string {
	return env.provider + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{
    rule_id  = %q
    subjects = [{ object_id = %q, object_type_name = "User" }]
  }]
  %s
}
`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, objectID, extra)
}

func str(attr string) tfjsonpath.Path { return tfjsonpath.New(attr) }

func entry(i int, attr string) tfjsonpath.Path {
	return tfjsonpath.New("results").AtSliceIndex(i).AtMapKey(attr)
}

func TestAccProvisionOnDemand_userSuccess(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: userConfig(env, fg.UserAdaID, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionCreate),
				plancheck.ExpectUnknownValue(resAddr, str("id")),
				plancheck.ExpectUnknownValue(resAddr, str("status")),
				plancheck.ExpectUnknownValue(resAddr, str("results")),
				plancheck.ExpectUnknownValue(resAddr, str("request_id")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("id"), knownvalue.StringRegexp(uuidPattern)),
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue(resAddr, str("request_id"), knownvalue.StringRegexp(uuidPattern)),
				statecheck.ExpectKnownValue(resAddr, str("provisioned_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
				statecheck.ExpectKnownValue(resAddr, str("fail_on_skip"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(resAddr, str("result_key"), knownvalue.StringRegexp(regexp.MustCompile(`"result"\s*:\s*"Success"`))),
				statecheck.ExpectKnownValue(resAddr, str("result_value"), knownvalue.StringRegexp(regexp.MustCompile(`ada\.park@example\.com`))),
				statecheck.ExpectKnownValue(resAddr, str("results"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"batch":                 knownvalue.Int64Exact(1),
						"action":                knownvalue.StringExact("Create"),
						"change_id":             knownvalue.StringRegexp(uuidPattern),
						"reportable_identifier": knownvalue.StringExact("ada.park@example.com"),
						"status":                knownvalue.StringExact("Success"),
						"error_code":            knownvalue.Null(),
						"error_message":         knownvalue.Null(),
						"recommended_action":    knownvalue.Null(),
						"source_identity_id":    knownvalue.StringExact(fg.UserAdaID),
						"source_identity_type":  knownvalue.StringExact("User"),
						"target_identity_id":    knownvalue.NotNull(),
						"target_identity_type":  knownvalue.StringExact("urn:ietf:params:scim:schemas:core:2.0:User"),
						"source_system":         knownvalue.StringExact("Azure Active Directory"),
						"target_system":         knownvalue.StringExact("customappsso"),
						"start_time":            knownvalue.StringRegexp(graphTimestamp),
						"end_time":              knownvalue.StringRegexp(graphTimestamp),
						"steps": knownvalue.ListExact([]knownvalue.Check{
							stepCheck("EntryImport", "Import"),
							stepCheck("EntrySynchronizationScoping", "Scoping"),
							stepCheck("EntryImport", "Matching"),
							stepCheck("EntryExportAdd", "Export"),
						}),
						"modified_properties": knownvalue.ListPartial(map[int]knownvalue.Check{
							0: knownvalue.ObjectExact(map[string]knownvalue.Check{
								"name":      knownvalue.NotNull(),
								"old_value": knownvalue.Null(),
								"new_value": knownvalue.NotNull(),
							}),
						}),
					}),
				})),
			},
		}},
	})
	if got := env.provisionCalls(); got != 1 {
		t.Errorf("provision calls = %d, want 1 (plan, refresh and destroy make none)", got)
	}
}

func stepCheck(name, typ string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name":        knownvalue.StringExact(name),
		"type":        knownvalue.StringExact(typ),
		"status":      knownvalue.StringExact("Success"),
		"description": knownvalue.NotNull(),
		"timestamp":   knownvalue.StringRegexp(graphTimestamp),
		"details":     knownvalue.NotNull(),
	})
}

func TestAccProvisionOnDemand_groupWithMembers(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	config := env.provider + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = "/servicePrincipals/%[1]s"
  synchronization_job_id = "/servicePrincipals/%[1]s/synchronization/jobs/%[2]s"
  parameters = [{
    rule_id = %[3]q
    subjects = [{
      object_id        = %[4]q
      object_type_name = "Group"
      links = {
        members = [
          { object_id = %[5]q, object_type_name = "User" },
          { object_id = %[6]q, object_type_name = "User" },
        ]
      }
    }]
  }]
}
`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMGroupRuleID, fg.GroupEngineeringID, fg.UserMember1ID, fg.UserMember2ID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
				// One entry per member plus one for the group.
				statecheck.ExpectKnownValue(resAddr, str("results"), knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue(resAddr, entry(0, "status"), knownvalue.StringExact("Success")),
			},
		}},
	})
	var reqs []fg.LoggedRequest // plan also reads the job's schema to check the rule
	for _, r := range env.srv.Requests() {
		if r.Operation == fg.OperationProvisionOnDemand {
			reqs = append(reqs, r)
		}
	}
	if len(reqs) != 1 {
		t.Fatalf("provision requests = %d, want 1", len(reqs))
	}
	// The path-form ids must reach Graph as bare ids, and the members as links.members.
	wantPath := fmt.Sprintf("/v1.0/servicePrincipals/%s/synchronization/jobs/%s/provisionOnDemand", fg.SCIMServicePrincipalID, fg.SCIMJobID)
	if reqs[0].Path != wantPath {
		t.Errorf("path = %s, want %s", reqs[0].Path, wantPath)
	}
	for _, want := range []string{`"members":[{"objectId":"` + fg.UserMember1ID + `","objectTypeName":"User"}`, `"objectTypeName":"Group"`} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(reqs[0].Body) {
			t.Errorf("request body %s lacks %s", reqs[0].Body, want)
		}
	}
}

func TestAccProvisionOnDemand_redundantSecondRunAndTriggers(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: userConfig(env, fg.UserBenID, `triggers = { run = "1" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resAddr, entry(0, "action"), knownvalue.StringExact("Create")),
				},
			},
			{
				// A changed trigger provisions again; already in sync is success, not a warning.
				Config: userConfig(env, fg.UserBenID, `triggers = { run = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectUnknownValue(resAddr, str("status")),
					plancheck.ExpectUnknownValue(resAddr, str("results")),
					plancheck.ExpectUnknownValue(resAddr, str("id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Skipped")),
					statecheck.ExpectKnownValue(resAddr, entry(0, "error_code"), knownvalue.StringExact("RedundantExport")),
				},
			},
			{
				// fail_on_skip and timeouts change in place, without provisioning.
				Config: userConfig(env, fg.UserBenID, `
  triggers     = { run = "2" }
  fail_on_skip = true
  timeouts     = { create = "5m" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Skipped")),
				}},
			},
		},
	})
	if got := env.provisionCalls(); got != 2 {
		t.Errorf("provision calls = %d, want 2 (one per trigger value)", got)
	}
}

func TestAccProvisionOnDemand_outOfScope(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Out of scope is a warning by default: the apply succeeds and state records the skip.
				Config: userConfig(env, fg.UserOutOfScopeID, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Skipped")),
					statecheck.ExpectKnownValue(resAddr, entry(0, "error_code"), knownvalue.NotNull()),
				},
			},
			{
				Config:      userConfig(env, fg.UserOutOfScopeID, `fail_on_skip = true`+"\n"+`triggers = { run = "strict" }`),
				ExpectError: regexp.MustCompile(`(?s)Provisioning skipped.*fail_on_skip is true`),
			},
		},
	})
}

func TestAccProvisionOnDemand_failureTaintsAndRetries(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	config := userConfig(env, fg.UserFailingID, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Provisioning failed for .*Step EntryExport.*Error code: \S+.*Recommended action: .*Request ID: [0-9a-f-]{36}`),
			},
			{
				// The failed run was saved tainted: the same configuration provisions again.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(resAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ExpectError: regexp.MustCompile(`Provisioning failed`),
			},
		},
	})
	if got := env.provisionCalls(); got != 2 {
		t.Errorf("provision calls = %d, want 2", got)
	}
}

func TestAccProvisionOnDemand_graphErrors(t *testing.T) {
	env := newFakeEnv(t, fg.Options{ForbiddenToken: "forbidden-token"}, "")
	forbidden := newFakeEnvWithToken(t, "forbidden-token")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: env.provider + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = "not-a-rule-of-this-job", subjects = [{ object_id = %q, object_type_name = "User" }] }]
}`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.UserAdaID),
				// A foreign rule now fails at plan, against the job's schema; the apply-time mapping of Graph's
				// RequestParameterInvalid stays covered by TestGraphErrorDiagnosticsPointAtTheAttribute.
				ExpectError: wrapped("Invalid rule_id: not in the synchronization job", `has no rule "not-a-rule-of-this-job"`, "- "+fg.SCIMRuleID),
			},
			{
				Config: env.provider + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = %q
  synchronization_job_id = "scim.00000000000000000000000000000000"
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = "User" }] }]
}`, fg.SCIMServicePrincipalID, fg.SCIMUserRuleID, fg.UserAdaID),
				ExpectError: regexp.MustCompile(`(?s)not found.*synchronization_job_id = "scim\.0{32}".*404 Request_ResourceNotFound`),
			},
			{
				Config:      forbidden(fg.UserAdaID),
				ExpectError: regexp.MustCompile(`(?s)Permission denied.*Synchronization\.ReadWrite\.All.*Application\.ReadWrite\.OwnedBy.*Authorization_RequestDenied`),
			},
		},
	})
}

// newFakeEnvWithToken signs in with the given token, returning a user config builder.
func newFakeEnvWithToken(t *testing.T, token string) func(objectID string) string {
	env := newFakeEnv(t, fg.Options{ForbiddenToken: token}, "")
	env.provider = regexp.MustCompile(regexp.QuoteMeta(testTokenValue)).ReplaceAllString(env.provider, token)
	return func(objectID string) string { return userConfig(env, objectID, "") }
}

func TestAccProvisionOnDemand_rateLimitNoThrottling(t *testing.T) {
	// The fake enforces 5 calls per second as a strict sliding window; so does the provider.
	env := newFakeEnv(t, fg.Options{RateLimitRequests: 5, RateLimitInterval: time.Second}, "")
	const n = 12
	config := env.provider + fmt.Sprintf(`
locals {
  users = [%q, %q, %q]
}
resource "entrasync_provision_on_demand" "test" {
  count                  = %d
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = local.users[count.index %% 3], object_type_name = "User" }] }]
  triggers = { n = count.index }
}`, fg.UserAdaID, fg.UserBenID, fg.UserMember1ID, n, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    []resource.TestStep{{Config: config}},
	})
	if got := env.provisionCalls(); got != n {
		t.Errorf("provision calls = %d, want %d", got, n)
	}
	if got := env.throttled(); got != 0 {
		t.Errorf("the fake answered %d calls with 429; the client-side limiter must keep it at 0", got)
	}
}

func TestAccProvisionOnDemand_withoutClientLimitRetries429(t *testing.T) {
	// With client-side limiting off the provider still finishes, by honouring 429 + Retry-After.
	env := newFakeEnv(t, fg.Options{RateLimitRequests: 2, RateLimitInterval: 500 * time.Millisecond}, "")
	env.provider = regexp.MustCompile(`rate_limit_requests = \d+`).ReplaceAllString(env.provider, "rate_limit_requests = 0")
	config := env.provider + fmt.Sprintf(`
resource "entrasync_provision_on_demand" "test" {
  count                  = 4
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = "User" }] }]
  triggers = { n = count.index }
}`, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, fg.UserAdaID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    []resource.TestStep{{Config: config}},
	})
	if env.throttled() == 0 {
		t.Error("expected the fake to throttle an unlimited client; the test no longer exercises 429 handling")
	}
}

func TestAccProvisionOnDemand_unknownAtPlan(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	config := env.provider + fmt.Sprintf(`
resource "terraform_data" "user" {
  input = %q
}
resource "entrasync_provision_on_demand" "test" {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = terraform_data.user.output, object_type_name = "User" }] }]
}`, fg.UserAdaID, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(resAddr, tfjsonpath.New("parameters").AtSliceIndex(0).AtMapKey("subjects").AtSliceIndex(0).AtMapKey("object_id")),
				plancheck.ExpectUnknownValue(resAddr, str("results")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(resAddr, entry(0, "source_identity_id"), knownvalue.StringExact(fg.UserAdaID)),
			},
		}},
	})
}

func TestAccProvisionOnDemand_importRefused(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:        userConfig(env, fg.UserAdaID, ""),
			ResourceName:  resAddr,
			ImportState:   true,
			ImportStateId: "anything",
			ExpectError:   regexp.MustCompile(`(?s)Import is not supported.*nothing\s+that could be read back`),
		}},
	})
}
