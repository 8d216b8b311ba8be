package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// progressKey is the context key of the progress messages of one provisioning call.
type progressKey struct{}

// withProgress lets the Graph client's events on the call made with the returned context (waits
// for the job's rate limit, retries) reach the caller's progress messages.
func withProgress(ctx context.Context, progress func(string)) context.Context {
	return context.WithValue(ctx, progressKey{}, progress)
}

// graphEvents is the provider's graph.Config.OnEvent: each event of the client is one debug log
// line, with the sign-in secrets masked, and a progress message when the call asked for them.
func graphEvents(secrets []string) func(context.Context, graph.Event) {
	return func(ctx context.Context, e graph.Event) {
		ctx = tflog.MaskMessageStrings(ctx, secrets...)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
		msg, fields := logLine(e)
		tflog.Debug(ctx, msg, fields)
		if progress, _ := ctx.Value(progressKey{}).(func(string)); progress != nil {
			if text := progressMessage(e); text != "" {
				progress(text)
			}
		}
	}
}

// progressMessage says what a waiting or retried call is doing; other events say nothing.
func progressMessage(e graph.Event) string {
	switch e := e.(type) {
	case graph.WaitEvent:
		return fmt.Sprintf("Waited %s for the job's rate limit", e.Waited.Truncate(time.Millisecond))
	case graph.RetryEvent:
		if e.Final {
			return ""
		}
		what := "Graph could not be reached"
		if e.StatusCode != 0 {
			what = fmt.Sprintf("Graph answered HTTP %d", e.StatusCode)
		}
		return fmt.Sprintf("%s: retrying after %s...", what, retryDelay(e))
	}
	return ""
}

// retryDelay is Graph's Retry-After, else the backoff that azcore applies.
func retryDelay(e graph.RetryEvent) string {
	if e.HasRetryAfter {
		return e.RetryAfter.String()
	}
	return "exponential backoff"
}

// logLine is the message and fields of the debug line of e.
func logLine(e graph.Event) (string, map[string]any) {
	switch e := e.(type) {
	case graph.AnswerEvent:
		fields := map[string]any{
			"method": e.Method, "url": e.URL, "client_request_id": e.ClientRequestID,
			"attempt": e.Attempt, "duration_ms": e.Duration.Milliseconds(),
		}
		if e.Error != "" {
			fields["error"] = e.Error
		} else {
			fields["status"], fields["request_id"] = e.StatusCode, e.RequestID
		}
		return "Graph request", fields
	case graph.WaitEvent:
		return "Graph call waited for the job's rate limit", map[string]any{
			"service_principal_id": e.ServicePrincipalID, "job_id": e.JobID, "attempt": e.Attempt, "waited_ms": e.Waited.Milliseconds(),
		}
	case graph.RetryEvent:
		fields := map[string]any{"attempt": e.Attempt}
		if e.StatusCode != 0 {
			fields["status"] = e.StatusCode
		} else {
			fields["error"] = e.Reason
		}
		if e.Final {
			return "Graph call failed, no retries left", fields
		}
		fields["retry_after"] = retryDelay(e)
		return "Graph call will be retried", fields
	case graph.ThrottledEvent:
		return "Graph call throttled beyond the caller's deadline", map[string]any{
			"service_principal_id": e.Throttled.ServicePrincipalID, "job_id": e.Throttled.JobID,
			"retry_after": e.Throttled.RetryAfter.String(), "status": e.Throttled.StatusCode, "request_id": e.Throttled.RequestID,
		}
	case graph.UnreadableAnswerEvent:
		return "provisionOnDemand answer is not a key/value object", map[string]any{"request_id": e.RequestID, "error": e.Error}
	}
	return fmt.Sprintf("Graph event %T", e), nil
}
