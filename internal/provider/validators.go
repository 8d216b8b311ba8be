package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// stringCheck adapts a func(string) error into a plan-time validator that skips null and unknown values.
func stringCheck(allowed string, check func(string) error) validator.String {
	return stringCheckValidator{allowed: allowed, check: check}
}

type stringCheckValidator struct {
	allowed string
	check   func(string) error
}

func (v stringCheckValidator) Description(context.Context) string {
	return "value must be " + v.allowed
}

func (v stringCheckValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v stringCheckValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		addAttributeError(&resp.Diagnostics, req.Path, "Invalid "+attributeName(req.Path), err.Error())
	}
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isGUID(s string) bool { return guidPattern.MatchString(s) }

// checkGUID refuses what is not a GUID, naming the attribute.
func checkGUID(attr string) func(string) error {
	return func(v string) error {
		if !isGUID(v) {
			return fmt.Errorf("%s %q is not a GUID; Entra object IDs look like \"8213fd99-d6b6-417b-8e13-af6334856215\"", attr, v)
		}
		return nil
	}
}

// checkNotBlank refuses an empty or whitespace-only value, naming the attribute.
func checkNotBlank(attr string) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s must not be empty or only whitespace", attr)
		}
		return nil
	}
}

// objectTypeNames are the subject types Graph accepts; Graph compares them case-sensitively.
var objectTypeNames = []string{"User", "Group", "user", "Worker", "computer"}

// checkObjectTypeName accepts the exact spellings and, for a wrong case, names the likely one.
func checkObjectTypeName(v string) error {
	var sameLetters []string
	for _, name := range objectTypeNames {
		if v == name {
			return nil
		}
		if strings.EqualFold(v, name) {
			sameLetters = append(sameLetters, fmt.Sprintf("%q", name))
		}
	}
	msg := fmt.Sprintf("%q is not an object type Graph accepts. Allowed (case-sensitive): "+
		"\"User\" and \"Group\" (Entra ID to an app), \"user\" (Active Directory to Entra ID, Cloud Sync), "+
		"\"Worker\" (Workday or SuccessFactors inbound), \"computer\" (Cloud Sync devices).", v)
	if len(sameLetters) > 0 {
		msg += fmt.Sprintf(" Only the case differs: did you mean %s?", strings.Join(sameLetters, " or "))
	}
	return fmt.Errorf("%s", msg)
}

// checkServicePrincipalID accepts a GUID or the path form /servicePrincipals/{GUID}.
func checkServicePrincipalID(v string) error {
	if _, ok := parseServicePrincipalID(v); !ok {
		return fmt.Errorf("%q is not a service principal object ID; use a GUID such as "+
			"\"0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d\" or the path form \"/servicePrincipals/{GUID}\"", v)
	}
	return nil
}

// checkSynchronizationJobID accepts any non-blank job id (they are not GUIDs) or the path form.
func checkSynchronizationJobID(v string) error {
	if _, _, err := parseSynchronizationJobID(v); err != nil {
		return err
	}
	return nil
}

// parseServicePrincipalID returns the bare GUID of a service principal id in either form.
func parseServicePrincipalID(v string) (string, bool) {
	id := strings.TrimPrefix(v, "/servicePrincipals/")
	return id, isGUID(id)
}

// maxJobIDLength bounds a job id: real ones are under 100 characters.
const maxJobIDLength = 256

// parseSynchronizationJobID returns the bare job id and, for the path form, the service principal in it.
func parseSynchronizationJobID(v string) (jobID, servicePrincipalID string, err error) {
	if strings.TrimSpace(v) == "" {
		return "", "", fmt.Errorf("the synchronization job ID must not be empty; use the job's id, such as " +
			"\"scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c\", or the path form \"/servicePrincipals/{GUID}/synchronization/jobs/{jobId}\"")
	}
	if !strings.HasPrefix(v, "/") {
		if err := checkJobIDCharacters(v); err != nil {
			return "", "", fmt.Errorf("%q is not a synchronization job ID: %w; use the id alone, such as "+
				"\"scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c\", or the path form \"/servicePrincipals/{GUID}/synchronization/jobs/{jobId}\"", v, err)
		}
		return v, "", nil
	}
	parts := strings.Split(v, "/")
	if len(parts) != 6 || parts[1] != "servicePrincipals" || parts[3] != "synchronization" || parts[4] != "jobs" ||
		!isGUID(parts[2]) || parts[5] == "" {
		return "", "", fmt.Errorf("%q is not a synchronization job path; the path form is "+
			"\"/servicePrincipals/{GUID}/synchronization/jobs/{jobId}\"", v)
	}
	if err := checkJobIDCharacters(parts[5]); err != nil {
		return "", "", fmt.Errorf("%q is not a synchronization job path: its job ID %w", v, err)
	}
	return parts[5], parts[2], nil
}

// checkJobIDCharacters refuses what cannot be part of a job id in a URL path: spaces of any kind,
// control characters, '/', '?', '#', '%' and '\\', naming the first one and its position (counted
// in characters from 1), and ids longer than maxJobIDLength.
func checkJobIDCharacters(id string) error {
	if n := utf8.RuneCountInString(id); n > maxJobIDLength {
		return fmt.Errorf("is %d characters long, more than the %d a job ID can have", n, maxJobIDLength)
	}
	position := 0
	for _, r := range id {
		position++
		switch {
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			return fmt.Errorf("has a space character (%U) at position %d", r, position)
		case unicode.IsControl(r) || !unicode.IsPrint(r):
			return fmt.Errorf("has a control or invisible character (%U) at position %d", r, position)
		case strings.ContainsRune("/?#%\\", r):
			return fmt.Errorf("has %q at position %d, which a job ID never has", r, position)
		}
	}
	return nil
}

// jobIDs reads service_principal_id and synchronization_job_id in any accepted form and returns
// the bare ids; a path-form job of another service principal is an error on the job id.
func jobIDs(servicePrincipal, job types.String) (sp, jobID string, diags diag.Diagnostics) {
	sp, _ = parseServicePrincipalID(servicePrincipal.ValueString())
	jobID, pathSP, err := parseSynchronizationJobID(job.ValueString())
	switch {
	case err != nil:
		diags.AddAttributeError(path.Root("synchronization_job_id"), "Invalid synchronization job ID", err.Error())
	default:
		diags.Append(checkSameServicePrincipal(sp, pathSP)...)
	}
	return sp, jobID, diags
}

// checkSameServicePrincipal refuses a job in the path form of another service principal than sp;
// pathSP is empty for a bare job id.
func checkSameServicePrincipal(sp, pathSP string) diag.Diagnostics {
	var diags diag.Diagnostics
	if pathSP != "" && !strings.EqualFold(pathSP, sp) {
		diags.AddAttributeError(path.Root("synchronization_job_id"), "Service principal mismatch",
			fmt.Sprintf("synchronization_job_id is the path of a job of service principal %s, but service_principal_id is %s. "+
				"Use the same service principal in both, or give the job ID alone.", pathSP, sp))
	}
	return diags
}

// checkPositiveTimeout refuses a zero or negative duration in a timeouts block (the timeouts
// library checks only that it parses): "0s" would fail every run before it sends anything.
func checkPositiveTimeout(timeouts types.Object, name string) diag.Diagnostics {
	var diags diag.Diagnostics
	if timeouts.IsNull() || timeouts.IsUnknown() {
		return diags
	}
	v, ok := timeouts.Attributes()[name].(types.String)
	if !ok || v.IsNull() || v.IsUnknown() {
		return diags
	}
	if d, err := time.ParseDuration(v.ValueString()); err == nil && d <= 0 {
		addAttributeError(&diags, path.Root("timeouts").AtName(name), "Invalid timeouts."+name,
			fmt.Sprintf("%q is not longer than zero; give a positive duration such as \"15m\" (the default), or leave it out.", v.ValueString()))
	}
	return diags
}
