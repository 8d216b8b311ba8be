package fakegraph

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

func (s *Server) serveListJobs(x *exchange, rt route) {
	s.mu.Lock()
	jobs := s.byPrincipal[strings.ToLower(rt.servicePrincipalID)]
	value := make([]map[string]any, len(jobs))
	for i, j := range jobs {
		s.advance(j)
		value[i] = j.jobJSON()
	}
	s.mu.Unlock()
	s.writeJSON(x, http.StatusOK, map[string]any{
		"@odata.context": odataBase(x.r, rt.version) + "#servicePrincipals('" + rt.servicePrincipalID + "')/synchronization/jobs",
		"value":          value,
	})
}

func (s *Server) serveJob(x *exchange, rt route, j *job) {
	s.mu.Lock()
	s.advance(j)
	body := j.jobJSON()
	s.mu.Unlock()
	body["@odata.context"] = odataBase(x.r, rt.version) + "#servicePrincipals('" + rt.servicePrincipalID + "')/synchronization/jobs/$entity"
	s.writeJSON(x, http.StatusOK, body)
}

// jobJSON renders a synchronizationJob as the "synchronizationJob resource type" and
// "synchronizationStatus resource type" pages describe it; a job that never ran has
// lastExecution null, as in the "Create synchronizationJob" example.
func (j *job) jobJSON() map[string]any {
	return map[string]any{
		"id":         j.id,
		"templateId": j.templateID,
		"schedule": map[string]any{
			"expiration": nil,
			"interval":   j.scheduleInterval,
			"state":      j.scheduleState,
		},
		"status":                     j.statusJSON(),
		"synchronizationJobSettings": j.settings,
	}
}

func (j *job) schemaJSON() map[string]any {
	mappings := make([]map[string]any, len(j.rule.mappings))
	for i, m := range j.rule.mappings {
		attributes := make([]map[string]any, len(m.attributes))
		for k, a := range m.attributes {
			attributes[k] = map[string]any{
				"defaultValue":            "",
				"exportMissingReferences": false,
				"flowBehavior":            "FlowWhenChanged",
				"flowType":                "Always",
				"matchingPriority":        a.matching,
				"targetAttributeName":     a.target,
				"source":                  a.sourceJSON(),
			}
		}
		mappings[i] = map[string]any{
			"name":              m.name,
			"enabled":           true,
			"flowTypes":         "Add, Update, Delete",
			"sourceObjectName":  m.source,
			"targetObjectName":  m.target,
			"scope":             nil,
			"metadata":          []any{},
			"attributeMappings": attributes,
		}
	}
	return map[string]any{
		"id":      j.id,
		"version": "date=" + j.lastChanged() + ";ver=1",
		"directories": []map[string]any{
			j.directoryJSON(j.rule.sourceDirectory, true),
			j.directoryJSON(j.rule.targetDirectory, false),
		},
		"synchronizationRules": []map[string]any{{
			"id":                  j.rule.id,
			"name":                j.rule.name,
			"priority":            1,
			"editable":            true,
			"containerFilter":     map[string]any{"includedContainers": []any{}},
			"groupFilter":         map[string]any{"includedGroups": []any{}},
			"sourceDirectoryName": j.rule.sourceDirectory,
			"targetDirectoryName": j.rule.targetDirectory,
			"metadata": []map[string]string{
				{"key": "defaultSourceObjectMappings", "value": "false"},
				{"key": "supportsProvisionOnDemand", "value": "true"},
			},
			"objectMappings": mappings,
		}},
	}
}

func (j *job) lastChanged() string {
	if began, ok := j.lastExecution["timeBegan"].(string); ok {
		return began
	}
	return "2026-01-05T08:00:00Z"
}

func (a attributeMapping) sourceJSON() map[string]any {
	attribute := map[string]any{"expression": "[" + a.source + "]", "name": a.source, "type": "Attribute", "parameters": []any{}}
	if a.function == "" {
		return attribute
	}
	return map[string]any{
		"expression": a.function + "([" + a.source + "])",
		"name":       a.function,
		"type":       "Function",
		"parameters": []map[string]any{{"key": "source", "value": attribute}},
	}
}

// directoryJSON describes the objects and attributes the rule's mappings read (source) or
// write (target).
func (j *job) directoryJSON(name string, source bool) map[string]any {
	objects := make([]map[string]any, len(j.rule.mappings))
	for i, m := range j.rule.mappings {
		objectName := m.target
		if source {
			objectName = m.source
		}
		attributes := make([]map[string]any, len(m.attributes))
		for k, a := range m.attributes {
			attributeName := a.target
			if source {
				attributeName = a.source
			}
			attributes[k] = map[string]any{
				"anchor":            a.matching == 1 && !source,
				"caseExact":         false,
				"flowNullValues":    false,
				"metadata":          []any{},
				"multivalued":       attributeName == "members",
				"mutability":        "ReadWrite",
				"name":              attributeName,
				"referencedObjects": []any{},
				"required":          a.matching == 1,
				"type":              "String",
			}
		}
		objects[i] = map[string]any{"name": objectName, "attributes": attributes, "metadata": []any{}, "supportedApis": []any{}}
	}
	return map[string]any{
		"id":                uuid.NewSHA1(uuid.NameSpaceURL, []byte(j.id+"/"+name)).String(),
		"name":              name,
		"discoverabilities": "None",
		"discoveryDateTime": nil,
		"readOnly":          source,
		"version":           nil,
		"objects":           objects,
	}
}
