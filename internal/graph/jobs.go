package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Job management as the v1.0 reference describes it: "Create synchronizationJob" (POST
// .../synchronization/jobs with templateId, 201 and the job), "Delete synchronizationJob",
// "synchronizationJob: start", "synchronizationJob: pause" and "synchronizationJob: restart"
// (learn.microsoft.com/graph/api/synchronization-synchronizationjob-*), each 204 No Content.
// None of them provisions, so none takes a slot of the provisionOnDemand limiter.

// RestartScopes are the flags of synchronizationJobRestartScope ("synchronizationJobRestartCriteria
// resource type"); criteria.resetScope lists them comma-separated.
var RestartScopes = []string{"None", "ConnectorDataStore", "Escrows", "Watermark", "QuarantineState", "Full", "ForceDeletes"}

// CreateSynchronizationJob creates a job of the service principal from one of its templates.
// Graph answers with the new job, disabled and never run.
func (c *Client) CreateSynchronizationJob(ctx context.Context, servicePrincipalID, templateID string) (*SynchronizationJob, error) {
	if servicePrincipalID == "" || templateID == "" {
		return nil, errors.New("graph: creating a synchronization job needs a service principal id and a template id")
	}
	body := map[string]string{"templateId": templateID}
	payload, requestID, err := c.do(ctx, http.MethodPost, jobsPath(servicePrincipalID), body, nil)
	if err != nil {
		return nil, err
	}
	var w wireJob
	if err := json.Unmarshal(payload, &w); err != nil || w.ID == "" {
		return nil, fmt.Errorf("graph: the answer to creating a synchronization job from template %s of service principal %s has no job id (request-id: %s)",
			templateID, servicePrincipalID, requestID)
	}
	job := w.job()
	return &job, nil
}

// DeleteSynchronizationJob deletes a job; its schema and runs go with it.
func (c *Client) DeleteSynchronizationJob(ctx context.Context, servicePrincipalID, jobID string) error {
	return c.jobCall(ctx, http.MethodDelete, servicePrincipalID, jobID, "", nil)
}

// StartSynchronizationJob starts a job, or resumes a paused one; Graph clears a quarantine.
func (c *Client) StartSynchronizationJob(ctx context.Context, servicePrincipalID, jobID string) error {
	return c.jobCall(ctx, http.MethodPost, servicePrincipalID, jobID, "/start", nil)
}

// PauseSynchronizationJob stops the job's schedule; a running cycle stops where it is.
func (c *Client) PauseSynchronizationJob(ctx context.Context, servicePrincipalID, jobID string) error {
	return c.jobCall(ctx, http.MethodPost, servicePrincipalID, jobID, "/pause", nil)
}

// RestartSynchronizationJob restarts a job, resetting what resetScope names (values of
// RestartScopes); an empty resetScope sends no criteria, which Graph reads as a plain restart.
func (c *Client) RestartSynchronizationJob(ctx context.Context, servicePrincipalID, jobID string, resetScope []string) error {
	var body any
	if len(resetScope) > 0 {
		body = map[string]any{"criteria": map[string]string{"resetScope": strings.Join(resetScope, ", ")}}
	}
	return c.jobCall(ctx, http.MethodPost, servicePrincipalID, jobID, "/restart", body)
}

// jobCall sends one call to a job (or an action of it) that answers no content.
func (c *Client) jobCall(ctx context.Context, method, servicePrincipalID, jobID, action string, body any) error {
	if servicePrincipalID == "" || jobID == "" {
		return errors.New("graph: a synchronization job call needs a service principal id and a job id")
	}
	_, _, err := c.do(ctx, method, jobsPath(servicePrincipalID)+"/"+url.PathEscape(jobID)+action, body, nil)
	return err
}
