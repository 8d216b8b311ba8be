package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// steadyStatePollInterval is how often a wait for steady state reads the job. The reads are
// plain GETs: they never wait for the provisioning limiter.
var steadyStatePollInterval = 500 * time.Millisecond

// checkWaitDuration accepts a positive Go duration such as "5m".
func checkWaitDuration(v string) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration; use a Go duration such as \"5m\" or \"90s\"", v)
	}
	return nil
}

// steadySince is what a wait compares steadyStateLastAchievedTime with: Graph writes it to the
// second, so the start of the call is cut to the second before it.
func steadySince(t time.Time) time.Time { return t.Truncate(time.Second) }

// waitForSteadyState reads the job until a cycle has ended in steady state at or after since
// (zero: any steady state so far), and fails when the job is in quarantine or within is over.
// at is the attribute the wait was asked by.
func waitForSteadyState(ctx context.Context, client *graph.Client, sp, jobID string, since time.Time, within time.Duration, at path.Path) (*graph.SynchronizationJob, diag.Diagnostics) {
	var diags diag.Diagnostics
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		job, err := client.GetSynchronizationJob(ctx, sp, jobID)
		switch {
		case errors.Is(err, context.DeadlineExceeded) || (err == nil && ctx.Err() != nil):
			diags.AddAttributeError(at, "Synchronization job not steady in time",
				fmt.Sprintf("Synchronization job %q of service principal %s did not reach steady state within %s. Its first cycle may take longer "+
					"on a large directory: raise %s, or leave it out and watch status.steady_state_last_achieved.", jobID, sp, within, at))
			return nil, diags
		case err != nil:
			diags.Append(readErrorDiagnostic(err, fmt.Sprintf("synchronization job %q of service principal %s", jobID, sp), path.Root("id")))
			return nil, diags
		case job.Status.Code == "Quarantine" || job.Status.Quarantine != nil:
			diags.AddAttributeError(at, "Synchronization job in quarantine", quarantineDetail(jobID, sp, job.Status))
			return job, diags
		case steadyAt(job.Status, since):
			return job, diags
		}
		tflog.Debug(ctx, "waiting for the synchronization job's steady state", map[string]any{"job_id": jobID, "status": job.Status.Code})
		timer := time.NewTimer(steadyStatePollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C:
		}
	}
}

// steadyAt reports a steady state reached at or after since.
func steadyAt(s graph.SynchronizationStatus, since time.Time) bool {
	at, err := time.Parse(time.RFC3339, s.SteadyStateLastAchievedTime)
	if err != nil || at.Year() <= 1 {
		return false
	}
	return !at.Before(since)
}

// quarantineDetail is Graph's reason for a quarantine and what to do about it.
func quarantineDetail(jobID, sp string, s graph.SynchronizationStatus) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Microsoft Entra put synchronization job %q of service principal %s into quarantine", jobID, sp)
	q := s.Quarantine
	if q == nil {
		b.WriteString(".\n")
	} else {
		fmt.Fprintf(&b, " (reason %s", q.Reason)
		if q.NextAttempt != "" {
			fmt.Fprintf(&b, ", next attempt %s", q.NextAttempt)
		}
		b.WriteString(").\n")
		if q.ErrorCode != "" || q.ErrorMessage != "" {
			fmt.Fprintf(&b, "Graph: %s %s\n", q.ErrorCode, q.ErrorMessage)
		}
	}
	if q != nil && q.Reason == "TooManyDeletes" {
		b.WriteString("The cycle would delete more objects than the accidental deletions threshold allows: check the job's scope " +
			"and assignments, then restart it with reset_scope = [\"ForceDeletes\"] if the deletions are intended.")
		return b.String()
	}
	b.WriteString("Fix the cause Graph names (for rejected or missing credentials: set them with entrasync_synchronization_credentials, " +
		"which checks them before saving), then start the job again: a start, or a restart with reset_scope = [\"QuarantineState\"], " +
		"lifts the quarantine.")
	return b.String()
}
