package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// Defaults of the budget of plan-time reads: a plan against a Graph that cannot be reached ends
// in seconds with a warning, instead of retrying for minutes as an apply would.
const (
	defaultPlanReadMaxRetries = 2
	defaultPlanReadTimeout    = 30 * time.Second
)

// planReads is the budget of the reads a plan makes to check the configuration (a job's schema,
// its service principal's jobs); reads of data sources and apply keep max_retries.
type planReads struct {
	maxRetries int
	timeout    time.Duration
}

// planReadAttributes are the provider settings of the plan-time reads.
func planReadAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"plan_read_max_retries": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Retries of a read made during plan to check the configuration (the job's schema for `rule_id`): "+
				"0 to %d. Default `%d`. When the check cannot be made, the plan warns and goes on. Defaults to `ENTRASYNC_PLAN_READ_MAX_RETRIES`.",
				graph.MaxRetriesLimit, defaultPlanReadMaxRetries),
			Validators: []validator.Int64{int64validator.Between(0, graph.MaxRetriesLimit)},
		},
		"plan_read_timeout": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Time a plan-time read may take in all, retries included, as a Go duration. Default `30s`. " +
				"Defaults to `ENTRASYNC_PLAN_READ_TIMEOUT`.",
			Validators: []validator.String{stringCheck("a positive Go duration such as \"30s\"", func(v string) error {
				_, err := parseInterval(v)
				return err
			})},
		},
	}
}

// withPlanBudget runs read with the plan-time budget: its own retries and one timeout for all of them.
func withPlanBudget[T any](ctx context.Context, budget planReads, read func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(graph.WithMaxRetries(ctx, budget.maxRetries), budget.timeout)
	defer cancel()
	out, err := read(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within plan_read_timeout (%s): %w", budget.timeout, err)
	}
	return out, err
}

// planSchema is the job's schema read with the plan-time budget, shared through the schema cache.
func (d *providerData) planSchema(ctx context.Context, servicePrincipalID, jobID string) (*graph.SynchronizationSchema, error) {
	return d.schemas.get(ctx, schemaKey(servicePrincipalID, jobID), func(ctx context.Context) (*graph.SynchronizationSchema, error) {
		return withPlanBudget(ctx, d.planReads, func(ctx context.Context) (*graph.SynchronizationSchema, error) {
			return d.client.GetSynchronizationSchema(ctx, servicePrincipalID, jobID)
		})
	})
}

// schemaReadDiagnostics says why the job's schema could not be read at plan: a job that does not
// exist is an error, anything else a warning that the check was not made.
func (d *providerData) schemaReadDiagnostics(ctx context.Context, servicePrincipalID, jobID string, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	at := path.Root("synchronization_job_id")
	var gerr *graph.Error
	switch {
	case errors.As(err, &gerr) && gerr.StatusCode == http.StatusNotFound:
		diags.AddAttributeError(at, "Synchronization job not found",
			fmt.Sprintf("Synchronization job %q not found on service principal %s. %s\n%s",
				jobID, servicePrincipalID, d.describeJobs(ctx, servicePrincipalID), err))
	case errors.As(err, &gerr) && gerr.StatusCode == http.StatusForbidden:
		diags.AddAttributeWarning(at, "rule_id not checked at plan: no permission to read the job",
			fmt.Sprintf("The signed-in identity may not read synchronization job %q of service principal %s, so the plan could not "+
				"check rule_id against the job's schema. Reading it needs Synchronization.Read.All (or Synchronization.ReadWrite.All). "+
				"The apply sends the call and reports Graph's answer.\n%s", jobID, servicePrincipalID, err))
	default:
		diags.AddAttributeWarning(at, "rule_id not checked at plan: Microsoft Graph could not be read",
			fmt.Sprintf("The plan could not read the schema of synchronization job %q of service principal %s, so rule_id was not "+
				"checked: %s.\nPlan-time reads make at most plan_read_max_retries (%d) retries within plan_read_timeout (%s). "+
				"The apply sends the call with max_retries and reports Graph's answer.",
				jobID, servicePrincipalID, err, d.planReads.maxRetries, d.planReads.timeout))
	}
	return diags
}

// describeJobs lists the service principal's jobs for an error about a missing one, or says
// why they cannot be listed.
func (d *providerData) describeJobs(ctx context.Context, servicePrincipalID string) string {
	jobs, err := withPlanBudget(ctx, d.planReads, func(ctx context.Context) ([]graph.SynchronizationJob, error) {
		return d.client.ListSynchronizationJobs(ctx, servicePrincipalID)
	})
	var gerr *graph.Error
	switch {
	case errors.As(err, &gerr) && gerr.StatusCode == http.StatusNotFound:
		return "Graph found no service principal " + servicePrincipalID + ": check service_principal_id (the object id of the " +
			"enterprise application, not its application (client) id)."
	case err != nil:
		tflog.Debug(ctx, "the service principal's jobs cannot be listed", map[string]any{"error": err.Error()})
		return "Its jobs could not be listed (data source entrasync_synchronization_jobs lists them)."
	case len(jobs) == 0:
		return "The service principal has no synchronization job: provisioning is not set up for this application."
	}
	var b strings.Builder
	b.WriteString("Its jobs:\n")
	for _, j := range jobs {
		fmt.Fprintf(&b, "  - %s (template %s)\n", j.ID, j.TemplateID)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
