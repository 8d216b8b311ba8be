package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// invalidCase is a configuration that must fail at plan, before any API call.
type invalidCase struct {
	name string
	// attrs replaces the resource body; %[1]s..%[4]s are the SCIM service principal, job, user rule and a user.
	body string
	// provider, when set, replaces the provider block's extra settings.
	provider string
	want     string
}

var invalidConfigs = []invalidCase{
	{name: "service principal not a GUID", body: `service_principal_id = "my-app"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `"my-app" is not a service principal object ID`},
	{name: "service principal blank", body: `service_principal_id = "   "
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `is not a service principal object ID`},
	{name: "service principal wrong path", body: `service_principal_id = "/applications/%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `/servicePrincipals/\{GUID\}`},
	{name: "job empty", body: `service_principal_id = "%[1]s"
  synchronization_job_id = ""
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `synchronization job ID must not be empty`},
	{name: "job whitespace", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "  "
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `synchronization job ID must not be empty`},
	{name: "job path with other service principal", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "/servicePrincipals/11111111-2222-3333-4444-555555555555/synchronization/jobs/%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `(?s)Service principal mismatch.*11111111-2222-3333-4444-555555555555`},
	{name: "job malformed path", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "/servicePrincipals/%[1]s/jobs/%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `is not a synchronization job path`},
	{name: "no parameters", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = []`,
		want: `(?s)parameters.*at least 1`},
	{name: "rule id empty", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `rule_id must not be empty`},
	{name: "rule id whitespace", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "  ", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `rule_id must not be empty`},
	{name: "no subjects", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [] }]`,
		want: `(?s)subjects.*at least 1`},
	{name: "unknown object type", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "Device" }] }]`,
		want: `(?s)"Device" is not an object type.*"Worker"`},
	{name: "object type wrong case", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "group" }] }]`,
		want: `did you mean "Group"`},
	{name: "object type worker case", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "21001", object_type_name = "worker" }] }]`,
		want: `did you mean "Worker"`},
	{name: "user object id not a GUID", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "ada@example.com", object_type_name = "User" }] }]`,
		want: `(?s)User subject is an Entra object.*must be a GUID`},
	{name: "object id empty", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "", object_type_name = "Worker" }] }]`,
		want: `object_id must not be empty`},
	{name: "object id whitespace", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "   ", object_type_name = "user" }] }]`,
		want: `object_id must not be empty`},
	{name: "links on a user", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User",
    links = { members = [{ object_id = "%[4]s", object_type_name = "User" }] } }] }]`,
		want: `links \(members, owners, manager\) are allowed\s+only on "Group"`},
	{name: "six members per call", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  members_per_call = 6
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "Group",
    links = { members = [for i in range(12) : { object_id = format("00000000-0000-0000-0000-%%012d", i), object_type_name = "User" }] } }] }]`,
		want: `(?s)members_per_call.*between 1 and 5, got: 6`},
	{name: "six members per call in the provider", provider: `members_per_call = 6`, want: `(?s)members_per_call.*between 1 and 5, got: 6`},
	{name: "all_members with links.members", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "Group", all_members = true,
    links = { members = [{ object_id = "%[4]s", object_type_name = "User" }] } }] }]`,
		want: `(?s)Invalid all_members: with links.members.*parameters\[0\]\.subjects\[0\]\.all_members: all_members reads`},
	{name: "all_members on a user", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User", all_members = true }] }]`,
		want: `(?s)Invalid all_members: not a Group.*this subject is "User"`},
	{name: "transitive_members without all_members", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "Group", transitive_members = true }] }]`,
		want: `(?s)Invalid transitive_members: without all_members`},
	{name: "member is a group", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "Group",
    links = { members = [{ object_id = "%[4]s", object_type_name = "Group" }] } }] }]`,
		want: `must be "User" objects, not "Group"`},
	{name: "member not a GUID", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "Group",
    links = { members = [{ object_id = "ada", object_type_name = "User" }] } }] }]`,
		want: `object_id "ada" is not a GUID`},
	{name: "duplicate subjects", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [
    { object_id = "%[4]s", object_type_name = "User" },
    { object_id = "%[4]s", object_type_name = "User" },
  ] }]`,
		want: `(?s)Invalid object_id: duplicate subject.*list each subject once`},
	{name: "two groups in one call", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [
    { rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "Group" }] },
    { rule_id = "%[3]s", subjects = [{ object_id = "11111111-2222-3333-4444-555555555555", object_type_name = "Group" }] },
  ]`,
		want: `(?s)more than one group in one call.*parameters\[0\]\.subjects\[0\] is already\s+a Group`},
	{name: "bad create timeout", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]
  timeouts = { create = "soon" }`,
		want: `(?i)duration`},
	{name: "zero create timeout", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]
  timeouts = { create = "0s" }`,
		want: `(?s)Invalid timeouts.create.*"0s" is not longer than zero`},
	{name: "negative create timeout", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]
  timeouts = { create = "-5m" }`,
		want: `(?s)Invalid timeouts.create.*"-5m" is not longer than zero`},
	{name: "job id with a no-break space", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s\u00a0"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `(?s)Invalid synchronization_job_id.*space\s+character\s+\(U\+00A0\)\s+at\s+position\s+38`},
	{name: "job id with a query", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s?x=1"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] }]`,
		want: `(?s)Invalid synchronization_job_id.*has\s+'\?'\s+at\s+position\s+38`},
	{name: "nested error names its path", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }, { object_id = "%[4]s", object_type_name = "Users" }] }]`,
		want: `(?s)Invalid object_type_name.*parameters\[0\]\.subjects\[1\]\.object_type_name:\s+"Users"`},
	{name: "same user twice, GUIDs differing in case", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "%[4]s", object_type_name = "User" }] },
    { rule_id = "%[3]s", subjects = [{ object_id = upper("%[4]s"), object_type_name = "User" }] }]`,
		want: `(?s)Invalid object_id: duplicate subject.*already listed at\s+parameters\[0\]\.subjects\[0\]`},
	{name: "same member twice", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "11111111-2222-3333-4444-555555555555", object_type_name = "Group",
    links = { members = [{ object_id = "%[4]s", object_type_name = "User" }, { object_id = upper("%[4]s"), object_type_name = "User" }] } }] }]`,
		want: `(?s)Invalid object_id: duplicate member.*links\.members\[1\]\.object_id`},
	{name: "group as its own member", body: `service_principal_id = "%[1]s"
  synchronization_job_id = "%[2]s"
  parameters = [{ rule_id = "%[3]s", subjects = [{ object_id = "11111111-2222-3333-4444-555555555555", object_type_name = "Group",
    links = { members = [{ object_id = "11111111-2222-3333-4444-555555555555", object_type_name = "User" }] } }] }]`,
		want: `(?s)Invalid object_id: the group itself`},
	{name: "endpoint with the version", provider: `graph_endpoint = "http://127.0.0.1:18080/v1.0"`, want: `(?s)graph_endpoint.*has the API version "v1.0" in its path`},
	{name: "unknown environment", provider: `environment = "azurestack"`, want: `(?s)environment.*value must be one of`},
	{name: "negative rate limit", provider: `rate_limit_requests = -1`, want: `(?s)rate_limit_requests.*at least 0`},
	{name: "unparsable interval", provider: `rate_limit_interval = "ten seconds"`, want: `"ten seconds" is not a Go duration`},
	{name: "zero interval", provider: `rate_limit_interval = "0s"`, want: `must be longer than zero`},
	{name: "negative retries", provider: `max_retries = -2`, want: `(?s)max_retries.*between 0 and 100, got: -2`},
	{name: "too many retries", provider: `max_retries = 1000`, want: `(?s)max_retries.*between 0 and 100, got: 1000`},
	{name: "http on a public host", provider: `graph_endpoint = "http://graph.example.com"`, want: `uses plain http on a non-loopback host`},
	{name: "endpoint not a URL", provider: `graph_endpoint = "graph.microsoft.com"`, want: `is not an absolute URL`},
	{name: "api version v2", provider: `api_version = "v2"`, want: `(?s)api_version.*"v1.0".*"beta"`},
}

func TestAccProvisionOnDemand_invalidConfigsFailAtPlan(t *testing.T) {
	env := newFakeEnv(t, fg.Options{}, "")
	valid := fmt.Sprintf(`service_principal_id = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = "User" }] }]`,
		fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, fg.UserAdaID)
	var steps []resource.TestStep
	for _, c := range invalidConfigs {
		body := valid
		if c.body != "" {
			body = fmt.Sprintf(c.body, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, fg.UserAdaID)
		}
		providerBlock := env.provider
		if c.provider != "" {
			// The provider's own settings come later in the block and win over the harness's.
			providerBlock = overrideProviderSetting(env.provider, c.provider)
		}
		steps = append(steps, resource.TestStep{
			Config:      providerBlock + "\nresource \"entrasync_provision_on_demand\" \"test\" {\n  " + body + "\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(strings.ReplaceAll(c.want, " ", `\s+`)), // Terraform wraps long lines
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
	if n := len(env.srv.Requests()); n != 0 {
		t.Errorf("invalid configurations reached Graph %d times; validation must happen at plan", n)
	}
}

// overrideProviderSetting replaces (or adds) one "name = value" line in a provider block.
func overrideProviderSetting(block, setting string) string {
	name := strings.TrimSpace(strings.SplitN(setting, "=", 2)[0])
	re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=.*$`)
	if re.MatchString(block) {
		return re.ReplaceAllString(block, "  "+setting)
	}
	return strings.Replace(block, "provider \"entrasync\" {", "provider \"entrasync\" {\n  "+setting, 1)
}
