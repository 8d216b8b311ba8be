package graph

import (
	"bytes"
	"encoding/json"
)

// Lenient wire forms of the schema's parts, with the JSON of each part kept for a write.

type wireDirectory struct {
	ID      jsonText                                 `json:"id"`
	Name    jsonText                                 `json:"name"`
	Objects lenient[[]lenient[wireObjectDefinition]] `json:"objects"`
}

type wireObjectDefinition struct {
	Name       jsonText                                    `json:"name"`
	Attributes lenient[[]lenient[wireAttributeDefinition]] `json:"attributes"`
	raw        json.RawMessage
}

func (w *wireObjectDefinition) UnmarshalJSON(b []byte) error {
	type plain wireObjectDefinition
	if err := json.Unmarshal(b, (*plain)(w)); err != nil {
		return err
	}
	w.raw = bytes.Clone(b)
	return nil
}

type wireAttributeDefinition struct {
	Name        jsonText      `json:"name"`
	Type        jsonText      `json:"type"`
	Mutability  jsonText      `json:"mutability"`
	Multivalued lenient[bool] `json:"multivalued"`
	Required    lenient[bool] `json:"required"`
	Anchor      lenient[bool] `json:"anchor"`
	CaseExact   lenient[bool] `json:"caseExact"`
}

func (w wireDirectory) directory() DirectoryDefinition {
	d := DirectoryDefinition{ID: string(w.ID), Name: string(w.Name)}
	for _, o := range w.Objects.v {
		if !o.ok {
			continue
		}
		object := ObjectDefinition{Name: string(o.v.Name), raw: o.v.raw}
		for _, a := range o.v.Attributes.v {
			if a.ok {
				object.Attributes = append(object.Attributes, AttributeDefinition{
					Name: string(a.v.Name), Type: string(a.v.Type), Mutability: string(a.v.Mutability),
					Multivalued: a.v.Multivalued.v, Required: a.v.Required.v, Anchor: a.v.Anchor.v, CaseExact: a.v.CaseExact.v,
				})
			}
		}
		d.Objects = append(d.Objects, object)
	}
	return d
}

type wireAttributeMapping struct {
	TargetAttributeName     jsonText                   `json:"targetAttributeName"`
	Source                  lenient[wireMappingSource] `json:"source"`
	FlowType                jsonText                   `json:"flowType"`
	FlowBehavior            jsonText                   `json:"flowBehavior"`
	MatchingPriority        lenient[int64]             `json:"matchingPriority"`
	DefaultValue            jsonText                   `json:"defaultValue"`
	ExportMissingReferences lenient[bool]              `json:"exportMissingReferences"`
}

type wireMappingSource struct {
	Type       jsonText `json:"type"`
	Name       jsonText `json:"name"`
	Expression jsonText `json:"expression"`
}

func decodeAttributeMapping(raw json.RawMessage) AttributeMapping {
	var w wireAttributeMapping
	_ = json.Unmarshal(raw, &w) // lenient: a part that does not fit stays empty
	a := AttributeMapping{
		TargetAttributeName:     string(w.TargetAttributeName),
		FlowType:                string(w.FlowType),
		FlowBehavior:            string(w.FlowBehavior),
		MatchingPriority:        w.MatchingPriority.v,
		DefaultValue:            string(w.DefaultValue),
		ExportMissingReferences: w.ExportMissingReferences.v,
		raw:                     bytes.Clone(raw),
	}
	if w.Source.ok {
		var src struct {
			Source json.RawMessage `json:"source"`
		}
		_ = json.Unmarshal(raw, &src)
		a.Source = decodeSource(src.Source)
	}
	return a
}

func decodeSource(raw json.RawMessage) AttributeMappingSource {
	var w wireMappingSource
	_ = json.Unmarshal(raw, &w)
	return AttributeMappingSource{Type: string(w.Type), Name: string(w.Name), Expression: string(w.Expression), raw: bytes.Clone(raw)}
}

type wireFilterGroup struct {
	Name    jsonText `json:"name"`
	Clauses lenient[[]lenient[struct {
		SourceOperandName jsonText `json:"sourceOperandName"`
		OperatorName      jsonText `json:"operatorName"`
		TargetOperand     lenient[struct {
			Values lenient[[]jsonText] `json:"values"`
		}] `json:"targetOperand"`
	}]] `json:"clauses"`
}

func decodeFilter(raw json.RawMessage) *Filter {
	var w struct {
		Groups lenient[[]lenient[wireFilterGroup]] `json:"groups"`
	}
	if len(raw) == 0 || string(raw) == "null" || json.Unmarshal(raw, &w) != nil {
		return nil
	}
	f := &Filter{raw: bytes.Clone(raw)}
	for _, g := range w.Groups.v {
		if !g.ok {
			continue
		}
		group := FilterGroup{Name: string(g.v.Name)}
		for _, c := range g.v.Clauses.v {
			if !c.ok {
				continue
			}
			clause := FilterClause{SourceOperandName: string(c.v.SourceOperandName), OperatorName: string(c.v.OperatorName)}
			for _, v := range c.v.TargetOperand.v.Values.v {
				clause.Values = append(clause.Values, string(v))
			}
			group.Clauses = append(group.Clauses, clause)
		}
		f.Groups = append(f.Groups, group)
	}
	return f
}
