package provider

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// adaDisplayName is in the fake's answer for Ada only in step details, modified properties and the raw value.
const adaDisplayName = "Ada Park"

// stateMentions checks whether the whole saved state, as JSON, contains s (want) or not.
type stateMentions struct {
	s    string
	want bool
}

func (c stateMentions) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	raw, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	if got := strings.Contains(string(raw), c.s); got != c.want {
		resp.Error = &stateMentionError{c}
	}
}

type stateMentionError struct{ stateMentions }

func (e *stateMentionError) Error() string {
	if e.want {
		return "state does not contain " + e.s
	}
	return "state contains " + e.s
}

func redactedChecks() []statecheck.StateCheck {
	redactedStep := knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name": knownvalue.NotNull(), "type": knownvalue.NotNull(), "status": knownvalue.StringExact("Success"),
		"description": knownvalue.NotNull(), "timestamp": knownvalue.NotNull(), "details": knownvalue.Null(),
	})
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(resAddr, str("status"), knownvalue.StringExact("Success")),
		statecheck.ExpectKnownValue(resAddr, str("result_key"), knownvalue.StringRegexp(regexp.MustCompile(`"result"\s*:\s*"Success"`))),
		statecheck.ExpectKnownValue(resAddr, str("result_value"), knownvalue.StringExact("")),
		statecheck.ExpectKnownValue(resAddr, entry(0, "status"), knownvalue.StringExact("Success")),
		statecheck.ExpectKnownValue(resAddr, entry(0, "action"), knownvalue.StringExact("Create")),
		statecheck.ExpectKnownValue(resAddr, entry(0, "reportable_identifier"), knownvalue.StringExact(fg.UserAdaID)),
		statecheck.ExpectKnownValue(resAddr, entry(0, "steps"), knownvalue.ListExact([]knownvalue.Check{
			redactedStep, redactedStep, redactedStep, redactedStep,
		})),
		statecheck.ExpectKnownValue(resAddr, entry(0, "modified_properties"), knownvalue.ListExact(nil)),
		stateMentions{adaDisplayName, false},
		stateMentions{fg.UserAdaPrincipalName, false},
	}
}

func TestAccRedactPersonalData_attribute(t *testing.T) {
	t.Parallel()
	env := newFakeEnv(t, fg.Options{}, "redact_personal_data = true")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    []resource.TestStep{{Config: userConfig(env, fg.UserAdaID, ""), ConfigStateChecks: redactedChecks()}},
	})
}

// TestAccRedactPersonalData_offByDefault is the control: without the setting the same answer
// puts the display name into state, so the redacted test above can fail.
func TestAccRedactPersonalData_offByDefault(t *testing.T) {
	t.Parallel()
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: userConfig(env, fg.UserAdaID, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				stateMentions{adaDisplayName, true},
				stateMentions{fg.UserAdaPrincipalName, true},
				statecheck.ExpectKnownValue(resAddr, entry(0, "modified_properties"), knownvalue.ListSizeExact(7)),
			},
		}},
	})
}

func TestAccRedactPersonalData_environment(t *testing.T) {
	t.Setenv("ENTRASYNC_REDACT_PERSONAL_DATA", "true")
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    []resource.TestStep{{Config: userConfig(env, fg.UserAdaID, ""), ConfigStateChecks: redactedChecks()}},
	})
}

func TestAccRedactPersonalData_invalidEnvironment(t *testing.T) {
	t.Setenv("ENTRASYNC_REDACT_PERSONAL_DATA", "sometimes")
	env := newFakeEnv(t, fg.Options{}, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config:      userConfig(env, fg.UserAdaID, ""),
			ExpectError: regexp.MustCompile(`(?s)Invalid redact_personal_data.*ENTRASYNC_REDACT_PERSONAL_DATA: "sometimes" is not true`),
		}},
	})
	if n := env.provisionCalls(); n != 0 {
		t.Errorf("provision calls = %d, want 0", n)
	}
}

func TestRedactPersonalDataKeepsOutcome(t *testing.T) {
	r := graph.DecodeProvisionResult(`{"result":"Failure","details":{"errorCode":"X"}}`, `{"statusInfo":{"status":"Failure","errorCode":"SCIMBadRequest",`+
		`"additionalDetails":"The target refused ada.park@example.com (Ada Park)"},"sourceIdentity":{"id":"8213fd99-d6b6-417b-8e13-af6334856215"},`+
		`"reportableIdentifier":"ada.park@example.com","modifiedProperties":[{"displayName":"displayName","newValue":"Ada Park"}],`+
		`"provisioningSteps":[{"name":"EntryExportAdd","status":"Failure","description":"Export of ada.park@example.com failed",`+
		`"details":{"displayName":"Ada Park"}}]}`)
	redactPersonalData(r)
	e := r.Entries[0]
	if r.Value != "" || e.ModifiedProperties != nil || e.Steps[0].Details != nil {
		t.Errorf("personal data kept: %+v", r)
	}
	const id = "8213fd99-d6b6-417b-8e13-af6334856215"
	if e.ReportableIdentifier != id || e.ErrorMessage != "The target refused "+id+" ("+id+")" ||
		e.Steps[0].Description != "Export of "+id+" failed" {
		t.Errorf("names kept or subject not named by its object id: %+v", e)
	}
	if r.Status != graph.StatusFailure || e.ErrorCode != "SCIMBadRequest" || e.Steps[0].Status != graph.StatusFailure ||
		r.KeyErrorCode != "X" || !strings.Contains(r.Key, "Failure") {
		t.Errorf("outcome lost: %+v", r)
	}
}

func TestRedactPersonalDataSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		attr types.Bool
		env  string
		want bool
	}{
		{"default", types.BoolNull(), "", false},
		{"environment", types.BoolNull(), "1", true},
		{"attribute wins over the environment", types.BoolValue(false), "true", false},
		{"attribute", types.BoolValue(true), "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(name string) string {
				if name == "ENTRASYNC_REDACT_PERSONAL_DATA" {
					return tc.env
				}
				return ""
			}
			s, diags := resolveSettings(providerModel{RedactPersonalData: tc.attr}, getenv)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if s.RedactPersonalData != tc.want {
				t.Errorf("RedactPersonalData = %v, want %v", s.RedactPersonalData, tc.want)
			}
		})
	}
}
