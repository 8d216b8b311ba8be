package fakegraph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// ErrorCodeExpressionParse is the publicError code of a parseExpression answer whose
// expression does not parse; Graph documents the error's shape, not its codes.
const ErrorCodeExpressionParse = "ExpressionParsingFailed"

// The job schema endpoints, from the v1.0 pages "Get synchronizationSchema", "Update
// synchronizationSchema" (PUT replaces the whole schema, 204 No Content), "Delete
// synchronizationSchema" (back to the template's default, 204) and "synchronizationSchema:
// parseExpression" (200 with a parseExpressionResponse).

func (s *Server) serveSchema(x *exchange, rt route, j *job) {
	s.mu.Lock()
	body := schemaBody(j.schema)
	s.mu.Unlock()
	body["@odata.context"] = odataBase(x.r, rt.version) + "#servicePrincipals('" + rt.servicePrincipalID + "')/synchronization/jobs('" + j.id + "')/schema/$entity"
	s.writeJSON(x, http.StatusOK, body)
}

func (s *Server) servePutSchema(x *exchange, j *job, body []byte) {
	var d schemaDoc
	if err := json.Unmarshal(body, &d); err != nil {
		s.writeError(x, http.StatusBadRequest, "BadRequest", unreadablePayload+" "+err.Error())
		return
	}
	d.normalise()
	if apiErr := d.validate(); apiErr != nil {
		s.writeError(x, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	s.mu.Lock()
	s.replaceSchema(j, &d)
	s.mu.Unlock()
	x.writeHeader(http.StatusNoContent)
}

// replaceSchema stores a new schema with a new version. Callers hold s.mu.
func (s *Server) replaceSchema(j *job, d *schemaDoc) {
	j.run.schemaVersion++
	d.ID = j.id
	d.Version = fmt.Sprintf("date=%s;ver=%d", s.now().UTC().Format(time.RFC3339), j.run.schemaVersion+1)
	j.schema = d
	j.rule = d.rule()
}

func (s *Server) serveResetSchema(x *exchange, j *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.template(j.servicePrincipalID, j.templateID); t != nil {
		s.replaceSchema(j, t.schema.clone())
	}
	x.writeHeader(http.StatusNoContent)
}

func (s *Server) serveParseExpression(x *exchange, rt route, body []byte) {
	fields, apiErr := decodeObject(body, "", "expression", "testInputObject", "targetAttributeDefinition")
	var expression string
	if apiErr == nil {
		expression, apiErr = decodeString(fields, "expression")
	}
	var input map[string][]string
	if apiErr == nil {
		input, apiErr = decodeTestInput(fields["testInputObject"])
	}
	if apiErr != nil {
		s.writeError(x, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	answer := parseExpressionResponse(expression, input)
	answer["@odata.context"] = odataBase(x.r, rt.version) + "#microsoft.graph.parseExpressionResponse"
	s.writeJSON(x, http.StatusOK, answer)
}

// parseExpressionResponse is the "parseExpressionResponse resource type": a parse failure is a
// 200 answer with parsingSucceeded false and a publicError; without a test input nothing is
// evaluated.
func parseExpressionResponse(expression string, input map[string][]string) map[string]any {
	answer := map[string]any{
		"error":               nil,
		"evaluationResult":    nil,
		"evaluationSucceeded": false,
		"parsedExpression":    nil,
		"parsingSucceeded":    false,
	}
	src, err := parseExpression(expression)
	if err != nil {
		answer["error"] = map[string]any{
			"code": ErrorCodeExpressionParse, "message": err.Error(), "target": "expression",
			"details": []any{}, "innerError": nil,
		}
		return answer
	}
	answer["parsedExpression"], answer["parsingSucceeded"] = src, true
	if input != nil {
		answer["evaluationResult"] = nonNil(evaluate(src, input))
		answer["evaluationSucceeded"] = true
	}
	return answer
}

// decodeTestInput reads an expressionInputObject: {definition, properties: [{key, value}]},
// where a value is a string or, with value@odata.type "#Collection(String)", a string array.
func decodeTestInput(raw json.RawMessage) (map[string][]string, *apiError) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	var object struct {
		Properties []map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &object); err != nil {
		return nil, badRequest("BadRequest", "Cannot read testInputObject: %s.", err.Error())
	}
	input := map[string][]string{}
	for _, p := range object.Properties {
		var key string
		if err := json.Unmarshal(p["key"], &key); err != nil || key == "" {
			return nil, badRequest("BadRequest", "Every testInputObject property needs a string key.")
		}
		var one string
		var many []string
		switch {
		case len(p["value"]) == 0 || isNull(p["value"]):
		case json.Unmarshal(p["value"], &one) == nil:
			if one != "" {
				input[key] = []string{one}
			}
		case json.Unmarshal(p["value"], &many) == nil:
			input[key] = many
		default:
			return nil, badRequest("BadRequest", "testInputObject property '%s': value must be a string or an array of strings.", key)
		}
	}
	return input, nil
}

// SetAttributeMapping changes one attribute mapping of a job's schema from outside Graph, as
// an edit in the portal would (drift for tests). expression is the new source ("[mail]",
// "\"constant\"", "Join(...)"); "" removes the mapping. A target attribute not mapped yet
// is added with flowType Always.
func (s *Server) SetAttributeMapping(servicePrincipalID, jobID, sourceObject, targetObject, targetAttribute, expression string) error {
	var src *mappingSource
	if expression != "" {
		var err error
		if src, err = parseExpression(expression); err != nil {
			return fmt.Errorf("fakegraph: expression %q: %w", expression, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, err := s.lookupJob(servicePrincipalID, jobID)
	if err != nil {
		return err
	}
	d := j.schema.clone()
	i, ok := d.objectMappingIndex(sourceObject, targetObject)
	if !ok {
		return fmt.Errorf("fakegraph: job %q has no object mapping from %q to %q", jobID, sourceObject, targetObject)
	}
	m := &d.SynchronizationRules[0].ObjectMappings[i]
	m.AttributeMappings = editMappings(m.AttributeMappings, targetAttribute, src)
	s.replaceSchema(j, d)
	return nil
}

func editMappings(mappings []attributeMappingDef, target string, src *mappingSource) []attributeMappingDef {
	for i, a := range mappings {
		if a.TargetAttributeName != target {
			continue
		}
		if src == nil {
			return append(mappings[:i:i], mappings[i+1:]...)
		}
		mappings[i].Source = src
		return mappings
	}
	if src == nil {
		return mappings
	}
	return append(mappings, attributeMappingDef{
		DefaultValue: ptr(""), FlowBehavior: "FlowWhenChanged", FlowType: "Always",
		TargetAttributeName: target, Source: src,
	})
}
