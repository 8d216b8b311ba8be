package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The synchronizationSchema types of the v1.0 reference pages "synchronizationSchema resource
// type", "directoryDefinition", "objectDefinition", "attributeDefinition", "objectMapping",
// "attributeMapping", "attributeMappingSource", "filter", "filterGroup" and "filterClause"
// (learn.microsoft.com/graph/api/resources/synchronization-*). PUT .../schema replaces the
// whole document, so the client keeps the JSON Graph sent (raw) and a write changes only the
// object mapping it edits: fields the client does not model travel back untouched.

// DirectoryDefinition is one directory of a schema (source or target of a rule).
type DirectoryDefinition struct {
	ID      string
	Name    string
	Objects []ObjectDefinition
}

// ObjectDefinition is an object type of a directory, such as User or urn:…:User.
type ObjectDefinition struct {
	Name       string
	Attributes []AttributeDefinition
	raw        json.RawMessage // as Graph sent it, for parseExpression's testInputObject.definition
}

// AttributeDefinition is one attribute of an object type.
type AttributeDefinition struct {
	Name        string
	Type        string // String, Integer, Reference, Binary, Boolean, DateTime
	Mutability  string // ReadWrite, ReadOnly, Immutable, WriteOnly
	Multivalued bool
	Required    bool
	Anchor      bool
	CaseExact   bool
}

// AttributeMapping says how one target attribute gets its value.
type AttributeMapping struct {
	TargetAttributeName     string
	Source                  AttributeMappingSource
	FlowType                string // Always, ObjectAddOnly, MultiValueAddOnly, ValueAddOnly, AttributeAddOnly
	FlowBehavior            string // FlowWhenChanged, FlowAlways
	MatchingPriority        int64  // 0: not a matching attribute; the lowest other value matches first
	DefaultValue            string
	ExportMissingReferences bool
	raw                     json.RawMessage
}

// AttributeMappingSource is the value of a mapping: an attribute of the source object, a
// constant, or a function (its expression, with the parsed arguments Graph keeps in raw).
type AttributeMappingSource struct {
	Type       string // Attribute, Constant, Function
	Name       string // the attribute's name, the constant's value or the function's name
	Expression string
	raw        json.RawMessage
}

// Filter is an object mapping's scope; Groups is the scoping filter of the portal. The
// experimental categoryFilterGroups and inputFilterGroups are kept as Graph sent them.
type Filter struct {
	Groups []FilterGroup
	raw    json.RawMessage
}

// FilterGroup is in scope when all its clauses are; a filter when any group is.
type FilterGroup struct {
	Name    string
	Clauses []FilterClause
}

// FilterClause tests one source attribute with an operator such as EQUALS or ISNOTNULL.
type FilterClause struct {
	SourceOperandName string
	OperatorName      string
	Values            []string // targetOperand.values
}

// ObjectMappingByNames finds the object mapping of rule ruleID from sourceObject to
// targetObject, compared without case as Graph does.
func (s *SynchronizationSchema) ObjectMappingByNames(ruleID, sourceObject, targetObject string) (*SynchronizationRule, *ObjectMapping) {
	for i := range s.Rules {
		r := &s.Rules[i]
		if r.ID != ruleID {
			continue
		}
		for k := range r.ObjectMappings {
			m := &r.ObjectMappings[k]
			if strings.EqualFold(m.SourceObjectName, sourceObject) && strings.EqualFold(m.TargetObjectName, targetObject) {
				return r, m
			}
		}
		return r, nil
	}
	return nil, nil
}

// Object finds an object type of a directory, compared without case.
func (s *SynchronizationSchema) Object(directory, object string) *ObjectDefinition {
	for i := range s.Directories {
		if !strings.EqualFold(s.Directories[i].Name, directory) {
			continue
		}
		for k := range s.Directories[i].Objects {
			if o := &s.Directories[i].Objects[k]; strings.EqualFold(o.Name, object) {
				return o
			}
		}
	}
	return nil
}

// WithObjectMapping returns the schema document as Graph sent it, with the object mapping of
// rule ruleID that has m's source and target object replaced by m: the body of a PUT that
// changes nothing else.
func (s *SynchronizationSchema) WithObjectMapping(ruleID string, m ObjectMapping) (json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(s.raw, &doc); err != nil {
		return nil, errors.New("graph: the schema was not read from Graph, so it cannot be written back")
	}
	for k := range doc {
		if strings.HasPrefix(k, "@odata.") {
			delete(doc, k) // annotations of the answer, not properties of the schema
		}
	}
	var rules []map[string]json.RawMessage
	if err := json.Unmarshal(doc["synchronizationRules"], &rules); err != nil {
		return nil, fmt.Errorf("graph: reading the schema's synchronizationRules: %w", err)
	}
	for _, r := range rules {
		var id string
		if json.Unmarshal(r["id"], &id) != nil || id != ruleID {
			continue
		}
		mappings, err := replaceObjectMapping(r["objectMappings"], m)
		if err != nil {
			return nil, err
		}
		r["objectMappings"] = mappings
		doc["synchronizationRules"] = mustMarshal(rules)
		return mustMarshal(doc), nil
	}
	return nil, fmt.Errorf("graph: the schema has no synchronization rule %q", ruleID)
}

func replaceObjectMapping(list json.RawMessage, m ObjectMapping) (json.RawMessage, error) {
	var mappings []json.RawMessage
	if err := json.Unmarshal(list, &mappings); err != nil {
		return nil, fmt.Errorf("graph: reading the rule's objectMappings: %w", err)
	}
	for i, raw := range mappings {
		var names struct {
			Source string `json:"sourceObjectName"`
			Target string `json:"targetObjectName"`
		}
		if json.Unmarshal(raw, &names) == nil && strings.EqualFold(names.Source, m.SourceObjectName) && strings.EqualFold(names.Target, m.TargetObjectName) {
			mappings[i] = m.marshal()
			return mustMarshal(mappings), nil
		}
	}
	return nil, fmt.Errorf("graph: the rule has no object mapping from %q to %q", m.SourceObjectName, m.TargetObjectName)
}

// marshal writes the object mapping over the JSON Graph sent for it.
func (m ObjectMapping) marshal() json.RawMessage {
	attributes := make([]json.RawMessage, len(m.AttributeMappings))
	for i, a := range m.AttributeMappings {
		attributes[i] = a.marshal()
	}
	fields := map[string]any{
		"name":              m.Name,
		"enabled":           m.Enabled,
		"flowTypes":         m.FlowTypes,
		"sourceObjectName":  m.SourceObjectName,
		"targetObjectName":  m.TargetObjectName,
		"attributeMappings": attributes,
		"scope":             m.Scope.marshal(),
	}
	return overlay(m.raw, fields)
}

func (a AttributeMapping) marshal() json.RawMessage {
	if a.raw != nil && a.equal(decodeAttributeMapping(a.raw)) {
		return a.raw
	}
	var defaultValue any
	if a.DefaultValue != "" {
		defaultValue = a.DefaultValue
	}
	return overlay(a.raw, map[string]any{
		"targetAttributeName":     a.TargetAttributeName,
		"source":                  a.Source.marshal(),
		"flowType":                a.FlowType,
		"flowBehavior":            a.FlowBehavior,
		"matchingPriority":        a.MatchingPriority,
		"defaultValue":            defaultValue,
		"exportMissingReferences": a.ExportMissingReferences,
	})
}

// equal compares the modelled fields, so an unchanged mapping is written back byte for byte.
func (a AttributeMapping) equal(b AttributeMapping) bool {
	return a.TargetAttributeName == b.TargetAttributeName && a.FlowType == b.FlowType && a.FlowBehavior == b.FlowBehavior &&
		a.MatchingPriority == b.MatchingPriority && a.DefaultValue == b.DefaultValue &&
		a.ExportMissingReferences == b.ExportMissingReferences && a.Source.sameAs(b.Source)
}

func (s AttributeMappingSource) sameAs(o AttributeMappingSource) bool {
	return s.Type == o.Type && s.Name == o.Name && s.Expression == o.Expression
}

// marshal keeps Graph's source (with its parsed parameters) while type, name and expression
// are unchanged; a new source is sent without parameters unless it came from ParseExpression.
func (s AttributeMappingSource) marshal() json.RawMessage {
	if s.raw != nil && s.sameAs(decodeSource(s.raw)) {
		return s.raw
	}
	expression := s.Expression
	switch s.Type {
	case "Attribute":
		expression = "[" + s.Name + "]"
	case "Constant":
		expression = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s.Name) + `"`
	}
	return mustMarshal(map[string]any{"type": s.Type, "name": s.Name, "expression": expression, "parameters": []any{}})
}

func (f *Filter) marshal() json.RawMessage {
	if f == nil || (len(f.Groups) == 0 && f.raw == nil) {
		return json.RawMessage("null")
	}
	groups := make([]map[string]any, len(f.Groups))
	for i, g := range f.Groups {
		clauses := make([]map[string]any, len(g.Clauses))
		for k, c := range g.Clauses {
			values := c.Values
			if values == nil {
				values = []string{}
			}
			clauses[k] = map[string]any{
				"sourceOperandName": c.SourceOperandName,
				"operatorName":      c.OperatorName,
				"targetOperand":     map[string]any{"values": values},
			}
		}
		groups[i] = map[string]any{"name": g.Name, "clauses": clauses}
	}
	return overlay(f.raw, map[string]any{"groups": groups})
}

// overlay sets fields on the JSON object raw (nil: a new object) and keeps its other fields.
func overlay(raw json.RawMessage, fields map[string]any) json.RawMessage {
	object := map[string]json.RawMessage{}
	if raw != nil {
		_ = json.Unmarshal(raw, &object)
	}
	for k, v := range fields {
		object[k] = mustMarshal(v)
	}
	return mustMarshal(object)
}

func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("graph: encoding %T: %w", v, err)) // only maps, slices and strings reach here
	}
	return b
}

// PutSynchronizationSchema replaces the job's schema with document (Graph answers 204). It is
// a write, but not provisioning: it never waits for the provisionOnDemand rate limit.
func (c *Client) PutSynchronizationSchema(ctx context.Context, servicePrincipalID, jobID string, document json.RawMessage) error {
	if servicePrincipalID == "" || jobID == "" {
		return errors.New("graph: writing a synchronization schema needs a service principal id and a job id")
	}
	_, _, err := c.do(ctx, http.MethodPut, jobsPath(servicePrincipalID)+"/"+url.PathEscape(jobID)+"/schema", document, nil)
	return err
}

// GetSynchronizationTemplateSchema returns the default schema of a synchronization template
// ("Get synchronizationSchema" of templates/{id}): what a job made from it starts with.
func (c *Client) GetSynchronizationTemplateSchema(ctx context.Context, servicePrincipalID, templateID string) (*SynchronizationSchema, error) {
	if servicePrincipalID == "" || templateID == "" {
		return nil, errors.New("graph: reading a template schema needs a service principal id and a template id")
	}
	p := "/servicePrincipals/" + url.PathEscape(servicePrincipalID) + "/synchronization/templates/" + url.PathEscape(templateID) + "/schema"
	payload, requestID, err := c.do(ctx, http.MethodGet, p, nil, nil)
	if err != nil {
		return nil, err
	}
	s, err := decodeSchema(payload)
	if err != nil {
		return nil, fmt.Errorf("graph: reading the schema of synchronization template %s of service principal %s (request-id: %s): %w", templateID, servicePrincipalID, requestID, err)
	}
	return s, nil
}

// decodeSchema reads a schema leniently and keeps the document for a later write.
func decodeSchema(payload []byte) (*SynchronizationSchema, error) {
	var w wireSchema
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, err
	}
	s := w.schema()
	s.raw = bytes.Clone(payload)
	for _, d := range w.Directories.v {
		if d.ok {
			s.Directories = append(s.Directories, d.v.directory())
		}
	}
	return s, nil
}

// ParsedExpression is a parseExpressionResponse: whether the expression parsed (else Graph's
// error), the attributeMappingSource it parses into, and, with a test input, what it evaluates to.
type ParsedExpression struct {
	ParsingSucceeded    bool
	ErrorCode           string
	ErrorMessage        string
	Source              AttributeMappingSource // with the parsed parameters, ready to write
	EvaluationSucceeded bool
	EvaluationResult    []string
}

// ParseExpression asks Graph to parse expression ("synchronizationSchema: parseExpression")
// and, when input is not nil, to evaluate it against a test object of type definition (nil:
// none sent) with those attribute values. A parse failure is a result, not an error. It is a
// read: it never waits for the provisionOnDemand rate limit.
func (c *Client) ParseExpression(ctx context.Context, servicePrincipalID, jobID, expression string, input map[string]string, definition *ObjectDefinition) (*ParsedExpression, error) {
	if servicePrincipalID == "" || jobID == "" {
		return nil, errors.New("graph: parsing an expression needs a service principal id and a job id")
	}
	body := map[string]any{"expression": expression, "testInputObject": nil, "targetAttributeDefinition": nil}
	if input != nil {
		properties := make([]map[string]string, 0, len(input))
		for _, k := range sortedKeys(input) {
			properties = append(properties, map[string]string{"key": k, "value": input[k]})
		}
		var def json.RawMessage
		if definition != nil {
			def = definition.raw
		}
		body["testInputObject"] = map[string]any{"definition": def, "properties": properties}
	}
	p := jobsPath(servicePrincipalID) + "/" + url.PathEscape(jobID) + "/schema/parseExpression"
	payload, requestID, err := c.do(ctx, http.MethodPost, p, body, nil)
	if err != nil {
		return nil, err
	}
	var w struct {
		ParsingSucceeded    lenient[bool]       `json:"parsingSucceeded"`
		EvaluationSucceeded lenient[bool]       `json:"evaluationSucceeded"`
		EvaluationResult    lenient[[]jsonText] `json:"evaluationResult"`
		ParsedExpression    json.RawMessage     `json:"parsedExpression"`
		Error               lenient[struct {
			Code    jsonText `json:"code"`
			Message jsonText `json:"message"`
		}] `json:"error"`
	}
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, fmt.Errorf("graph: reading the parseExpression answer of job %s (request-id: %s): %w", jobID, requestID, err)
	}
	r := &ParsedExpression{
		ParsingSucceeded: w.ParsingSucceeded.v, EvaluationSucceeded: w.EvaluationSucceeded.v,
		ErrorCode: string(w.Error.v.Code), ErrorMessage: string(w.Error.v.Message),
	}
	for _, v := range w.EvaluationResult.v {
		r.EvaluationResult = append(r.EvaluationResult, string(v))
	}
	if len(w.ParsedExpression) > 0 && string(w.ParsedExpression) != "null" {
		r.Source = decodeSource(w.ParsedExpression)
	}
	return r, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
