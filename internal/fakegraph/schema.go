package fakegraph

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The synchronizationSchema document in Graph's documented shape, as GET/PUT
// .../jobs/{jobId}/schema read and write it. Property names and enums come from the v1.0
// reference pages "synchronizationSchema resource type", "directoryDefinition",
// "objectDefinition", "attributeDefinition", "synchronizationRule", "objectMapping",
// "attributeMapping", "attributeMappingSource", "filter", "filterGroup", "filterClause" and
// "filterOperand" (learn.microsoft.com/graph/api/resources/synchronization-*).
type schemaDoc struct {
	ID                   string               `json:"id"`
	Version              string               `json:"version"`
	Directories          []directoryDef       `json:"directories"`
	SynchronizationRules []synchronizationDef `json:"synchronizationRules"`
}

type directoryDef struct {
	ID                string      `json:"id"`
	Name              string      `json:"name"`
	Discoverabilities string      `json:"discoverabilities"`
	DiscoveryDateTime *string     `json:"discoveryDateTime"`
	ReadOnly          bool        `json:"readOnly"`
	Version           *string     `json:"version"`
	Objects           []objectDef `json:"objects"`
}

type objectDef struct {
	Name          string         `json:"name"`
	Attributes    []attributeDef `json:"attributes"`
	Metadata      []keyValue     `json:"metadata"`
	SupportedApis []string       `json:"supportedApis"`
}

// attributeDef is an attributeDefinition; mutability is ReadWrite, ReadOnly, Immutable or
// WriteOnly and type is String, Integer, Reference, Binary, Boolean or DateTime.
type attributeDef struct {
	Anchor            bool             `json:"anchor"`
	CaseExact         bool             `json:"caseExact"`
	DefaultValue      *string          `json:"defaultValue"`
	FlowNullValues    bool             `json:"flowNullValues"`
	Metadata          []keyValue       `json:"metadata"`
	Multivalued       bool             `json:"multivalued"`
	Mutability        string           `json:"mutability"`
	Name              string           `json:"name"`
	ReferencedObjects []map[string]any `json:"referencedObjects"`
	Required          bool             `json:"required"`
	Type              string           `json:"type"`
}

type synchronizationDef struct {
	ID                  string             `json:"id"`
	Name                string             `json:"name"`
	Priority            int                `json:"priority"`
	Editable            bool               `json:"editable"`
	ContainerFilter     map[string]any     `json:"containerFilter"`
	GroupFilter         map[string]any     `json:"groupFilter"`
	SourceDirectoryName string             `json:"sourceDirectoryName"`
	TargetDirectoryName string             `json:"targetDirectoryName"`
	Metadata            []keyValue         `json:"metadata"`
	ObjectMappings      []objectMappingDef `json:"objectMappings"`
}

// objectMappingDef is an objectMapping; flowTypes is a comma-separated combination of Add,
// Update and Delete.
type objectMappingDef struct {
	Name              string                `json:"name"`
	Enabled           bool                  `json:"enabled"`
	FlowTypes         string                `json:"flowTypes"`
	SourceObjectName  string                `json:"sourceObjectName"`
	TargetObjectName  string                `json:"targetObjectName"`
	Scope             *filterDef            `json:"scope"`
	Metadata          []keyValue            `json:"metadata"`
	AttributeMappings []attributeMappingDef `json:"attributeMappings"`
}

// attributeMappingDef is an attributeMapping; matchingPriority 0 means "not a matching
// attribute", the lowest other value is the primary matching attribute.
type attributeMappingDef struct {
	DefaultValue            *string        `json:"defaultValue"`
	ExportMissingReferences bool           `json:"exportMissingReferences"`
	FlowBehavior            string         `json:"flowBehavior"`
	FlowType                string         `json:"flowType"`
	MatchingPriority        int            `json:"matchingPriority"`
	TargetAttributeName     string         `json:"targetAttributeName"`
	Source                  *mappingSource `json:"source"`
}

// mappingSource is an attributeMappingSource (type Attribute, Constant or Function); a
// function's arguments are parameters of {key, value: attributeMappingSource}.
type mappingSource struct {
	Expression *string           `json:"expression"`
	Name       string            `json:"name"`
	Parameters []sourceParameter `json:"parameters"`
	Type       string            `json:"type"`
}

type sourceParameter struct {
	Key   string         `json:"key"`
	Value *mappingSource `json:"value"`
}

// filterDef is the scope of an object mapping: an object is in scope when it satisfies any of
// the groups, and a group when it satisfies all of its clauses.
type filterDef struct {
	CategoryFilterGroups []filterGroup `json:"categoryFilterGroups"`
	Groups               []filterGroup `json:"groups"`
	InputFilterGroups    []filterGroup `json:"inputFilterGroups"`
}

type filterGroup struct {
	Name    string         `json:"name"`
	Clauses []filterClause `json:"clauses"`
}

type filterClause struct {
	OperatorName      string         `json:"operatorName"`
	SourceOperandName string         `json:"sourceOperandName"`
	TargetOperand     *filterOperand `json:"targetOperand"`
}

type filterOperand struct {
	Values []string `json:"values"`
}

type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Enum values the fake accepts in a schema PUT, from the attributeMapping reference page.
var (
	FlowTypes     = []string{"Always", "ObjectAddOnly", "MultiValueAddOnly", "ValueAddOnly", "AttributeAddOnly"}
	FlowBehaviors = []string{"FlowWhenChanged", "FlowAlways"}
	SourceTypes   = []string{"Attribute", "Constant", "Function"}
	// ScopeOperators are the scoping filter operators. The filterOperators reference example
	// shows "EQUALS"; the rest follow the operators of Entra's "Scoping users or groups to be
	// provisioned with scoping filters" guide, spelled the same way.
	ScopeOperators = []string{
		"EQUALS", "NOT_EQUALS", "ISTRUE", "ISFALSE", "ISNULL", "ISNOTNULL",
		"REGEX_MATCH", "NOT_REGEX_MATCH", "GREATER_THAN", "GREATER_THAN_OR_EQUALS", "INCLUDES",
	}
)

// unaryScopeOperators take no target operand values.
var unaryScopeOperators = []string{"ISTRUE", "ISFALSE", "ISNULL", "ISNOTNULL"}

// clone deep-copies the document through JSON, so a stored schema never aliases a request's.
func (d *schemaDoc) clone() *schemaDoc {
	var c schemaDoc
	if err := json.Unmarshal(marshal(d), &c); err != nil {
		panic(fmt.Errorf("fakegraph: copying a schema: %w", err))
	}
	c.normalise()
	return &c
}

// normalise turns absent collections into empty ones, as Graph answers them.
func (d *schemaDoc) normalise() {
	d.Directories = nonNil(d.Directories)
	d.SynchronizationRules = nonNil(d.SynchronizationRules)
	for i := range d.Directories {
		dir := &d.Directories[i]
		dir.Objects = nonNil(dir.Objects)
		for k := range dir.Objects {
			o := &dir.Objects[k]
			o.Attributes, o.Metadata, o.SupportedApis = nonNil(o.Attributes), nonNil(o.Metadata), nonNil(o.SupportedApis)
			for a := range o.Attributes {
				o.Attributes[a].Metadata = nonNil(o.Attributes[a].Metadata)
				o.Attributes[a].ReferencedObjects = nonNil(o.Attributes[a].ReferencedObjects)
			}
		}
	}
	for i := range d.SynchronizationRules {
		r := &d.SynchronizationRules[i]
		r.Metadata, r.ObjectMappings = nonNil(r.Metadata), nonNil(r.ObjectMappings)
		for k := range r.ObjectMappings {
			m := &r.ObjectMappings[k]
			m.Metadata, m.AttributeMappings = nonNil(m.Metadata), nonNil(m.AttributeMappings)
			for a := range m.AttributeMappings {
				m.AttributeMappings[a].Source.normalise()
			}
		}
	}
}

func (s *mappingSource) normalise() {
	if s == nil {
		return
	}
	s.Parameters = nonNil(s.Parameters)
	for _, p := range s.Parameters {
		p.Value.normalise()
	}
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func (d *schemaDoc) directory(name string) *directoryDef {
	for i := range d.Directories {
		if d.Directories[i].Name == name {
			return &d.Directories[i]
		}
	}
	return nil
}

func (dir *directoryDef) object(name string) *objectDef {
	if dir == nil {
		return nil
	}
	for i := range dir.Objects {
		if strings.EqualFold(dir.Objects[i].Name, name) {
			return &dir.Objects[i]
		}
	}
	return nil
}

func (o *objectDef) attribute(name string) *attributeDef {
	if o == nil {
		return nil
	}
	for i := range o.Attributes {
		if strings.EqualFold(o.Attributes[i].Name, name) {
			return &o.Attributes[i]
		}
	}
	return nil
}

// validate checks a schema PUT as the synchronization engine does before accepting it. The
// messages are the fake's; Graph answers such schemas 400 BadRequest.
func (d *schemaDoc) validate() *apiError {
	for _, r := range d.SynchronizationRules {
		source, target := d.directory(r.SourceDirectoryName), d.directory(r.TargetDirectoryName)
		if source == nil || target == nil {
			return badRequest("BadRequest", "Synchronization rule '%s' refers to directory '%s' or '%s', which the schema does not define.",
				r.ID, r.SourceDirectoryName, r.TargetDirectoryName)
		}
		for _, m := range r.ObjectMappings {
			if err := validateObjectMapping(m, source.object(m.SourceObjectName), target.object(m.TargetObjectName)); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateObjectMapping(m objectMappingDef, source, target *objectDef) *apiError {
	if source == nil || target == nil {
		return badRequest("BadRequest", "Object mapping '%s': object '%s' or '%s' is not defined in the schema's directories.",
			m.Name, m.SourceObjectName, m.TargetObjectName)
	}
	priorities := map[int]string{}
	for _, a := range m.AttributeMappings {
		where := fmt.Sprintf("Object mapping '%s', attribute mapping for '%s'", m.Name, a.TargetAttributeName)
		if target.attribute(a.TargetAttributeName) == nil {
			return badRequest("BadRequest", "%s: target attribute '%s' does not exist on object '%s'.", where, a.TargetAttributeName, target.Name)
		}
		if err := validateMappingEnums(where, a); err != nil {
			return err
		}
		if err := validateSource(where, a.Source, source); err != nil {
			return err
		}
		if a.MatchingPriority == 0 {
			continue
		}
		if other, ok := priorities[a.MatchingPriority]; ok {
			return badRequest("BadRequest", "Object mapping '%s': attributes '%s' and '%s' have the same matching priority %d; matching priorities must be unique.",
				m.Name, other, a.TargetAttributeName, a.MatchingPriority)
		}
		priorities[a.MatchingPriority] = a.TargetAttributeName
	}
	if len(priorities) == 0 && m.Enabled {
		return badRequest("BadRequest", "Object mapping '%s' has no matching attribute: give one attribute mapping a matchingPriority of 1.", m.Name)
	}
	return validateScope(m, source)
}

func validateMappingEnums(where string, a attributeMappingDef) *apiError {
	if !slices.Contains(FlowTypes, a.FlowType) {
		return badRequest("BadRequest", "%s: flowType '%s' is not one of %s.", where, a.FlowType, strings.Join(FlowTypes, ", "))
	}
	if !slices.Contains(FlowBehaviors, a.FlowBehavior) {
		return badRequest("BadRequest", "%s: flowBehavior '%s' is not one of %s.", where, a.FlowBehavior, strings.Join(FlowBehaviors, ", "))
	}
	if a.MatchingPriority < 0 {
		return badRequest("BadRequest", "%s: matchingPriority %d is negative.", where, a.MatchingPriority)
	}
	return nil
}

// validateSource checks the source type and that every attribute it reads exists on the
// source object.
func validateSource(where string, src *mappingSource, object *objectDef) *apiError {
	if src == nil {
		return badRequest("BadRequest", "%s: source is required.", where)
	}
	if !slices.Contains(SourceTypes, src.Type) {
		return badRequest("BadRequest", "%s: source type '%s' is not one of %s.", where, src.Type, strings.Join(SourceTypes, ", "))
	}
	if src.Type == "Attribute" && object.attribute(src.Name) == nil {
		return badRequest("BadRequest", "%s: source attribute '%s' does not exist on object '%s'.", where, src.Name, object.Name)
	}
	for _, p := range src.Parameters {
		if err := validateSource(where, p.Value, object); err != nil {
			return err
		}
	}
	return nil
}

func validateScope(m objectMappingDef, source *objectDef) *apiError {
	if m.Scope == nil {
		return nil
	}
	for _, groups := range [][]filterGroup{m.Scope.CategoryFilterGroups, m.Scope.Groups, m.Scope.InputFilterGroups} {
		for _, g := range groups {
			for _, c := range g.Clauses {
				where := fmt.Sprintf("Object mapping '%s', scoping filter group '%s'", m.Name, g.Name)
				if !slices.Contains(ScopeOperators, c.OperatorName) {
					return badRequest("BadRequest", "%s: operator '%s' is not one of %s.", where, c.OperatorName, strings.Join(ScopeOperators, ", "))
				}
				if source.attribute(c.SourceOperandName) == nil {
					return badRequest("BadRequest", "%s: source attribute '%s' does not exist on object '%s'.", where, c.SourceOperandName, source.Name)
				}
				binary := !slices.Contains(unaryScopeOperators, c.OperatorName)
				if binary && (c.TargetOperand == nil || len(c.TargetOperand.Values) == 0) {
					return badRequest("BadRequest", "%s: operator '%s' needs targetOperand.values.", where, c.OperatorName)
				}
			}
		}
	}
	return nil
}

// rule derives the provisioning view of the schema that provisionOnDemand checks: the first
// rule's id and, per object mapping, which attributes flow and which one matches.
func (d *schemaDoc) rule() synchronizationRule {
	if len(d.SynchronizationRules) == 0 {
		return synchronizationRule{}
	}
	r := d.SynchronizationRules[0]
	rule := synchronizationRule{id: r.ID, name: r.Name, sourceDirectory: r.SourceDirectoryName, targetDirectory: r.TargetDirectoryName}
	for _, m := range r.ObjectMappings {
		om := objectMapping{name: m.Name, source: m.SourceObjectName, target: m.TargetObjectName}
		for _, a := range m.AttributeMappings {
			am := attributeMapping{target: a.TargetAttributeName, matching: a.MatchingPriority}
			if a.Source != nil {
				am.source = a.Source.Name
			}
			om.attributes = append(om.attributes, am)
		}
		rule.mappings = append(rule.mappings, om)
	}
	return rule
}

// objectMappingIndex finds an object mapping of the first rule by its source and target object.
func (d *schemaDoc) objectMappingIndex(sourceObject, targetObject string) (int, bool) {
	if len(d.SynchronizationRules) == 0 {
		return 0, false
	}
	for i, m := range d.SynchronizationRules[0].ObjectMappings {
		if strings.EqualFold(m.SourceObjectName, sourceObject) && strings.EqualFold(m.TargetObjectName, targetObject) {
			return i, true
		}
	}
	return 0, false
}
