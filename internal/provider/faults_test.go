package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// provisionRequests is the fake's log of provisionOnDemand requests, oldest first.
func (e *fakeEnv) provisionRequests() []fg.LoggedRequest {
	var out []fg.LoggedRequest
	for _, r := range e.srv.Requests() {
		if r.Operation == fg.OperationProvisionOnDemand {
			out = append(out, r)
		}
	}
	return out
}

// statuses lists the HTTP status of each provisionOnDemand request, in order.
func (e *fakeEnv) provisionStatuses() []int {
	var out []int
	for _, r := range e.provisionRequests() {
		out = append(out, r.Status)
	}
	return out
}

func TestAccFault_transientErrorsAreRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults []fg.Fault
		want   []int
	}{
		{"503 three times", []fg.Fault{{Kind: fg.FaultStatus, StatusCode: 503, Count: 3, RetryAfter: "0"}}, []int{503, 503, 503, 200}},
		{"500 once", []fg.Fault{{Kind: fg.FaultStatus, StatusCode: 500}}, []int{500, 200}},
		{"504 once", []fg.Fault{{Kind: fg.FaultStatus, StatusCode: 504}}, []int{504, 200}},
		{"connection reset once", []fg.Fault{{Kind: fg.FaultReset}}, []int{0, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newFakeEnv(t, fg.Options{}, "")
			for _, f := range tc.faults {
				env.srv.InjectFault(f)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config: userConfig(env, fg.UserAdaID, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
						statecheck.ExpectKnownValue(resAddr, entry(0, "action"), knownvalue.StringExact("Create")),
						statecheck.ExpectKnownValue(resAddr, str("result_value"), knownvalue.StringRegexp(regexp.MustCompile(`ada\.park@example\.com`))),
						// State holds the final answer: the request-id of the successful attempt.
						statecheck.ExpectKnownValue(resAddr, str("request_id"), lastRequestID{env}),
					},
				}},
			})
			if fmt.Sprint(env.provisionStatuses()) != fmt.Sprint(tc.want) {
				t.Fatalf("provision answers %v, want %v", env.provisionStatuses(), tc.want)
			}
		})
	}
}

// TestAccFault_retryAfterIsWaitedFor: each form of Retry-After holds the retry back at least as
// long as it says. The upper bound is loose on purpose: a loaded CI machine may be slow, never fast.
func TestAccFault_retryAfterIsWaitedFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		retryAfter func() (header string, notBefore func(sent time.Time) time.Time)
	}{
		{"integer seconds", func() (string, func(time.Time) time.Time) {
			return "2", func(sent time.Time) time.Time { return sent.Add(2 * time.Second) }
		}},
		{"fractional seconds", func() (string, func(time.Time) time.Time) {
			return "1.5", func(sent time.Time) time.Time { return sent.Add(1500 * time.Millisecond) }
		}},
		{"HTTP date", func() (string, func(time.Time) time.Time) {
			// whole seconds, 7 to 8 s from now: plan and apply start well before on any machine; if
			// they did not, the date would be past when the 429 is sent and the check merely weaker.
			at := time.Now().Add(8 * time.Second).Truncate(time.Second)
			return at.UTC().Format(http.TimeFormat), func(sent time.Time) time.Time {
				if at.Before(sent) {
					return sent
				}
				return at
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newFakeEnv(t, fg.Options{}, "")
			header, notBefore := tc.retryAfter()
			env.srv.InjectFault(fg.Fault{Kind: fg.FaultStatus, StatusCode: 429, RetryAfter: header})
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config: userConfig(env, fg.UserAdaID, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
					},
				}},
			})
			reqs := env.provisionRequests()
			if fmt.Sprint(env.provisionStatuses()) != "[429 200]" {
				t.Fatalf("provision answers %v, want [429 200]", env.provisionStatuses())
			}
			earliest := notBefore(reqs[0].Time)
			if reqs[1].Time.Before(earliest) {
				t.Errorf("Retry-After %q: retry arrived %v too early", header, earliest.Sub(reqs[1].Time))
			}
			if late := reqs[1].Time.Sub(earliest); late > 10*time.Second {
				t.Errorf("Retry-After %q: retry arrived %v after the wait ended", header, late)
			}
		})
	}
}

// TestAccFault_retryAfterPausesTheWholeJob: with one call per 2 s, the second resource's call is
// due 2 s after the first; a 429 asking for 5 s must hold it back too, not only the retry.
func TestAccFault_retryAfterPausesTheWholeJob(t *testing.T) {
	t.Parallel()
	env := newFakeEnv(t, fg.Options{RateLimitRequests: 1, RateLimitInterval: 2 * time.Second}, "")
	env.srv.InjectFault(fg.Fault{Kind: fg.FaultStatus, StatusCode: 429, RetryAfter: "5"})
	config := env.provider
	for _, u := range []struct{ name, id string }{{"ada", fg.UserAdaID}, {"ben", fg.UserBenID}} {
		config += fmt.Sprintf(`
resource "entrasync_provision_on_demand" %q {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{
    rule_id  = %q
    subjects = [{ object_id = %q, object_type_name = "User" }]
  }]
}
`, u.name, fg.SCIMServicePrincipalID, fg.SCIMJobID, fg.SCIMUserRuleID, u.id)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("entrasync_provision_on_demand.ada", str("status"), knownvalue.StringExact("Success")),
				statecheck.ExpectKnownValue("entrasync_provision_on_demand.ben", str("status"), knownvalue.StringExact("Success")),
			},
		}},
	})
	reqs := env.provisionRequests()
	if fmt.Sprint(env.provisionStatuses()) != "[429 200 200]" {
		t.Fatalf("provision answers %v, want [429 200 200]", env.provisionStatuses())
	}
	for i, r := range reqs[1:] {
		if wait := r.Time.Sub(reqs[0].Time); wait < 5*time.Second {
			t.Errorf("request %d arrived %v after the 429, before its Retry-After of 5s", i+2, wait)
		}
	}
}

func TestAccFault_retryAfterBeyondTheCreateTimeout(t *testing.T) {
	t.Parallel()
	env := newFakeEnv(t, fg.Options{}, "")
	env.srv.InjectFault(fg.Fault{Kind: fg.FaultStatus, StatusCode: 429, RetryAfter: "600"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      userConfig(env, fg.UserAdaID, `timeouts = { create = "2m" }`),
			ExpectError: regexp.MustCompile(`(?s)Throttled by Microsoft Graph.*throttled, retry after`),
		}},
	})
	// The apply gave up at once instead of sleeping into the 2m timeout: only one call was sent.
	if got := env.provisionStatuses(); fmt.Sprint(got) != "[429]" {
		t.Fatalf("provision answers %v, want [429]", got)
	}
}

// TestAccFault_unansweredCallsEndInAClearError: a connection reset every time exhausts
// max_retries; a hung or slow server is cut off by the create timeout (each attempt also has a
// 60 s limit of its own, which the client unit tests cover).
func TestAccFault_unansweredCallsEndInAClearError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fault    fg.Fault
		extra    string
		wantErr  string
		attempts int
	}{
		{"connection reset", fg.Fault{Kind: fg.FaultReset, Count: -1}, "",
			`(?s)Cannot reach Microsoft Graph.*failed after 3 attempt\(s\)`, 3},
		{"hang", fg.Fault{Kind: fg.FaultHang, Count: -1}, `timeouts = { create = "3s" }`,
			`(?s)Provisioning timed out.*deadline exceeded`, 1},
		{"slower than the timeout", fg.Fault{Kind: fg.FaultSlow, Delay: time.Minute, Count: -1}, `timeouts = { create = "3s" }`,
			`(?s)Provisioning timed out.*deadline exceeded`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newFakeEnv(t, fg.Options{}, "max_retries = 2")
			env.srv.InjectFault(tc.fault)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      userConfig(env, fg.UserAdaID, tc.extra),
					ExpectError: regexp.MustCompile(tc.wantErr),
				}},
			})
			if got := len(env.provisionRequests()); got != tc.attempts {
				t.Fatalf("provision requests = %d, want %d", got, tc.attempts)
			}
		})
	}
}

func TestAccFault_maxRetriesExhausted(t *testing.T) {
	t.Parallel()
	env := newFakeEnv(t, fg.Options{}, "max_retries = 2")
	env.srv.InjectFault(fg.Fault{Kind: fg.FaultStatus, StatusCode: 503, RetryAfter: "0", Count: -1})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: userConfig(env, fg.UserAdaID, ""),
			ExpectError: regexp.MustCompile(`(?s)Graph returned 503 ServiceUnavailable: .*\(request-id:\s+` +
				`[0-9a-f-]{36},\s+after\s+3\s+attempts\)`),
		}},
	})
	if got := env.provisionStatuses(); fmt.Sprint(got) != "[503 503 503]" {
		t.Fatalf("provision answers %v, want [503 503 503]", got)
	}
}

// TestAccFault_malformedAnswers: whatever Graph answers with HTTP 200, the provider neither
// panics nor loses it; "unrecognised answer" only when no status can be read at all.
func TestAccFault_malformedAnswers(t *testing.T) {
	t.Parallel()
	re := func(pattern string) knownvalue.Check { return knownvalue.StringRegexp(regexp.MustCompile(pattern)) }
	for _, tc := range []struct {
		name    string
		fault   fg.Fault
		wantErr string // "" when the apply succeeds
		state   map[string]knownvalue.Check
	}{
		{name: "non-JSON body", fault: fg.Fault{Kind: fg.FaultNonJSON},
			wantErr: `(?s)Unrecognised answer from Microsoft Graph.*HTTP 200`,
			state:   map[string]knownvalue.Check{"status": knownvalue.Null(), "result_value": re(`^<html>.*502 Bad Gateway`)}},
		{name: "empty body", fault: fg.Fault{Kind: fg.FaultEmptyBody},
			wantErr: `(?s)Unrecognised answer from Microsoft Graph`,
			state:   map[string]knownvalue.Check{"status": knownvalue.Null(), "result_value": knownvalue.StringExact("")}},
		{name: "key and value not JSON", fault: fg.Fault{Kind: fg.FaultKeyValueNotJSON},
			wantErr: `(?s)Unrecognised answer from Microsoft Graph.*result_key and result_value`,
			state: map[string]knownvalue.Check{"status": knownvalue.Null(),
				"result_key": knownvalue.StringExact("result=Success; details=none"), "result_value": knownvalue.StringExact("<entry status='Success'/>")}},
		{name: "value of the wrong type", fault: fg.Fault{Kind: fg.FaultValueWrongType},
			state: map[string]knownvalue.Check{"status": knownvalue.StringExact("Success"), "result_key": re(`"result":"Success"`),
				"result_value": knownvalue.StringExact("42")}},
		{name: "deeply nested value", fault: fg.Fault{Kind: fg.FaultDeepNesting, Depth: 100000},
			wantErr: `(?s)Unrecognised answer from Microsoft Graph`,
			state: map[string]knownvalue.Check{"status": knownvalue.Null(), "result_key": re(`StatusInfo$`),
				"result_value": knownvalue.StringExact(strings.Repeat("[", 100000) + strings.Repeat("]", 100000))}},
		{name: "17 MiB body", fault: fg.Fault{Kind: fg.FaultHugeBody, Size: 17 << 20},
			wantErr: `(?s)Microsoft Graph's answer was too large.*Graph's answer was larger than 16 MiB, nothing was saved`},
		{name: "10 MB body", fault: fg.Fault{Kind: fg.FaultHugeBody, Size: 10 << 20},
			state: map[string]knownvalue.Check{"status": knownvalue.StringExact("Success"), "result_value": paddingString{10<<20 - 1024, 10 << 20}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newFakeEnv(t, fg.Options{}, "")
			env.srv.InjectFault(tc.fault)
			step := resource.TestStep{Config: userConfig(env, fg.UserAdaID, "")}
			if tc.wantErr != "" {
				step.ExpectError = regexp.MustCompile(tc.wantErr)
			}
			for attr, check := range tc.state {
				step.ConfigStateChecks = append(step.ConfigStateChecks, statecheck.ExpectKnownValue(resAddr, str(attr), check))
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: []resource.TestStep{step}})
			if got := env.provisionStatuses(); fmt.Sprint(got) != "[200]" {
				t.Fatalf("provision answers %v, want one [200]: a malformed answer is not retried", got)
			}
		})
	}
}

// lastRequestID checks a value against the request-id of the last provisionOnDemand request,
// read from the fake's log when the check runs (after the apply).
type lastRequestID struct{ env *fakeEnv }

func (c lastRequestID) CheckValue(v any) error {
	reqs := c.env.provisionRequests()
	if len(reqs) == 0 {
		return fmt.Errorf("no provisionOnDemand request was logged")
	}
	if want := reqs[len(reqs)-1].RequestID; v != want {
		return fmt.Errorf("expected the last request's id %s, got %v", want, v)
	}
	return nil
}

func (c lastRequestID) String() string { return "request-id of the last provisionOnDemand request" }

// paddingString checks a value made only of 'x', of min to max bytes, without printing it on failure.
type paddingString struct{ min, max int }

func (p paddingString) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok || len(s) < p.min || len(s) > p.max || strings.Trim(s, "x") != "" {
		return fmt.Errorf("expected %d to %d bytes of padding, got %T of %d bytes", p.min, p.max, v, len(s))
	}
	return nil
}

func (p paddingString) String() string { return fmt.Sprintf("%d to %d bytes of padding", p.min, p.max) }

// TestAccFault_refusedStaticToken: Graph refuses access_token (revoked or expired). Asking a static
// token again returns the same token, so the call is not resent: the apply fails at once with an
// error that names the sign-in method. (Other methods get one new token: see internal/graph.)
func TestAccFault_refusedStaticToken(t *testing.T) {
	t.Parallel()
	env := newFakeEnv(t, fg.Options{AcceptToken: func(string) bool { return false }}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      userConfig(env, fg.UserAdaID, ""),
			ExpectError: wrapped("Microsoft Graph refused the sign-in", "Graph answered 401 to the token from access token (access_token"),
		}},
	})
	reqs := env.srv.Requests()
	if env.srv.CountStatus(http.StatusUnauthorized) != len(reqs) {
		t.Fatalf("requests %+v: want every one refused", reqs)
	}
	if n := env.provisionCalls(); n != 1 {
		t.Fatalf("provision calls = %d, want 1: the refused token is not sent again", n)
	}
}
