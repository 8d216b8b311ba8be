package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// SynchronizationTemplate is a template a service principal's application offers for its jobs
// ("synchronizationTemplate resource type"); its id is the templateId of a new job.
type SynchronizationTemplate struct {
	ID          string
	FactoryTag  string
	Description string
	Default     bool
	Metadata    map[string]string // key -> value
}

// ListSynchronizationTemplates returns the templates of the service principal ("List
// synchronizationTemplates", GET .../synchronization/templates). Their schemas are left out:
// Graph sends them only with $expand=schema, and a job reads its own.
func (c *Client) ListSynchronizationTemplates(ctx context.Context, servicePrincipalID string) ([]SynchronizationTemplate, error) {
	if servicePrincipalID == "" {
		return nil, errors.New("graph: listing synchronization templates needs a service principal id")
	}
	path := "/servicePrincipals/" + url.PathEscape(servicePrincipalID) + "/synchronization/templates"
	payload, requestID, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	var answer struct {
		Value lenient[[]lenient[struct {
			ID          jsonText                         `json:"id"`
			FactoryTag  jsonText                         `json:"factoryTag"`
			Description jsonText                         `json:"description"`
			Default     lenient[bool]                    `json:"default"`
			Metadata    lenient[[]lenient[wireKeyValue]] `json:"metadata"`
		}]] `json:"value"`
	}
	if err := json.Unmarshal(payload, &answer); err != nil {
		return nil, fmt.Errorf("graph: reading the synchronization templates of service principal %s (request-id: %s): %w", servicePrincipalID, requestID, err)
	}
	templates := make([]SynchronizationTemplate, 0, len(answer.Value.v))
	for _, t := range answer.Value.v {
		if !t.ok || t.v.ID == "" {
			continue
		}
		templates = append(templates, SynchronizationTemplate{
			ID:          string(t.v.ID),
			FactoryTag:  string(t.v.FactoryTag),
			Description: string(t.v.Description),
			Default:     t.v.Default.v,
			Metadata:    keyValues(t.v.Metadata.v),
		})
	}
	return templates, nil
}
