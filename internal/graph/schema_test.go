package graph

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// schemaWithUnknowns is a schema whose parts carry fields the client does not model; a write
// must send every one of them back.
const schemaWithUnknowns = `{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#x",
  "id": "scim.1", "version": "date=2026;ver=3", "futureTopLevel": {"a": 1},
  "directories": [
    {"id": "d1", "name": "Azure Active Directory", "discoverabilities": "None",
     "objects": [{"name": "User", "flowNullValues": true, "attributes": [{"name": "mail", "type": "String", "multivalued": false, "apiExpressions": [1]}, {"name": "department"}]}]},
    {"id": "d2", "name": "customappsso", "objects": [{"name": "urn:ietf:params:scim:schemas:core:2.0:User", "attributes": [{"name": "userName", "required": true}, {"name": "title"}]}]}
  ],
  "synchronizationRules": [{
    "id": "rule#V2", "name": "USER_TO_SCIM", "containerFilter": {"includedContainers": ["x"]},
    "sourceDirectoryName": "Azure Active Directory", "targetDirectoryName": "customappsso",
    "objectMappings": [
      {"name": "Users", "enabled": true, "flowTypes": "Add, Update, Delete", "sourceObjectName": "User",
       "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:User", "metadata": [{"key": "k", "value": "v"}], "futureMappingField": 7,
       "scope": {"categoryFilterGroups": [{"name": "cat", "clauses": []}], "groups": [{"name": "g", "clauses": [{"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": {"values": ["Sales"]}}]}], "inputFilterGroups": []},
       "attributeMappings": [
         {"targetAttributeName": "userName", "flowType": "Always", "flowBehavior": "FlowWhenChanged", "matchingPriority": 1, "defaultValue": "", "exportMissingReferences": false, "futureAttributeField": "keep",
          "source": {"type": "Attribute", "name": "mail", "expression": "[mail]", "parameters": []}},
         {"targetAttributeName": "title", "flowType": "Always", "flowBehavior": "FlowWhenChanged", "matchingPriority": 0, "defaultValue": null, "exportMissingReferences": false,
          "source": {"type": "Function", "name": "ToLower", "expression": "ToLower([department])", "parameters": [{"key": "source", "value": {"type": "Attribute", "name": "department", "expression": "[department]", "parameters": []}}]}}
       ]},
      {"name": "Groups", "enabled": false, "sourceObjectName": "Group", "targetObjectName": "urn:ietf:params:scim:schemas:core:2.0:Group", "attributeMappings": []}
    ]
  }]
}`

func TestSchemaDecodesMappingsScopeAndDirectories(t *testing.T) {
	s, err := decodeSchema([]byte(schemaWithUnknowns))
	if err != nil {
		t.Fatal(err)
	}
	rule, m := s.ObjectMappingByNames("rule#V2", "user", "URN:ietf:params:scim:schemas:core:2.0:User")
	if rule == nil || m == nil {
		t.Fatal("object mapping User not found by names compared without case")
	}
	if _, none := s.ObjectMappingByNames("rule#V2", "Device", "x"); none != nil {
		t.Error("found an object mapping that does not exist")
	}
	want := []AttributeMapping{
		{TargetAttributeName: "userName", FlowType: "Always", FlowBehavior: "FlowWhenChanged", MatchingPriority: 1, Source: AttributeMappingSource{Type: "Attribute", Name: "mail", Expression: "[mail]"}},
		{TargetAttributeName: "title", FlowType: "Always", FlowBehavior: "FlowWhenChanged", Source: AttributeMappingSource{Type: "Function", Name: "ToLower", Expression: "ToLower([department])"}},
	}
	for i := range want {
		if !m.AttributeMappings[i].equal(want[i]) {
			t.Errorf("attribute mapping %d: %+v, want %+v", i, m.AttributeMappings[i], want[i])
		}
	}
	wantScope := []FilterGroup{{Name: "g", Clauses: []FilterClause{{SourceOperandName: "department", OperatorName: "EQUALS", Values: []string{"Sales"}}}}}
	if m.Scope == nil || !reflect.DeepEqual(m.Scope.Groups, wantScope) {
		t.Errorf("scope %+v, want %+v", m.Scope, wantScope)
	}
	if o := s.Object("customappsso", "urn:ietf:params:scim:schemas:core:2.0:user"); o == nil || len(o.Attributes) != 2 || !o.Attributes[0].Required {
		t.Errorf("target object %+v, want userName (required) and title", o)
	}
}

// TestWithObjectMappingKeepsWhatItDoesNotModel edits one attribute mapping and checks that the
// document written differs from the one read only there.
func TestWithObjectMappingKeepsWhatItDoesNotModel(t *testing.T) {
	s, err := decodeSchema([]byte(schemaWithUnknowns))
	if err != nil {
		t.Fatal(err)
	}
	_, m := s.ObjectMappingByNames("rule#V2", "User", "urn:ietf:params:scim:schemas:core:2.0:User")
	edited := *m
	edited.AttributeMappings = append([]AttributeMapping(nil), m.AttributeMappings...)
	edited.AttributeMappings[1].Source = AttributeMappingSource{Type: "Attribute", Name: "department"}
	doc, err := s.WithObjectMapping("rule#V2", edited)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(schemaWithUnknowns), &want)
	delete(want, "@odata.context")
	mappings := want["synchronizationRules"].([]any)[0].(map[string]any)["objectMappings"].([]any)[0].(map[string]any)["attributeMappings"].([]any)
	mappings[1].(map[string]any)["source"] = map[string]any{"type": "Attribute", "name": "department", "expression": "[department]", "parameters": []any{}}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("written document differs from the read one beyond the edited source:\n%s", g)
	}

	if _, err := s.WithObjectMapping("other#V2", edited); err == nil || !strings.Contains(err.Error(), "other#V2") {
		t.Errorf("unknown rule: %v, want an error naming it", err)
	}
	edited.TargetObjectName = "Device"
	if _, err := s.WithObjectMapping("rule#V2", edited); err == nil || !strings.Contains(err.Error(), "Device") {
		t.Errorf("unknown object mapping: %v, want an error naming it", err)
	}
	if _, err := (&SynchronizationSchema{}).WithObjectMapping("rule#V2", edited); err == nil {
		t.Error("a schema not read from Graph was written")
	}
}

func TestPutSynchronizationSchemaAndTemplateSchema(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_, _ = io.WriteString(w, schemaWithUnknowns)
	})
	c, _ := newTestClient(t, g, nil)
	if err := c.PutSynchronizationSchema(context.Background(), testSP, "scim.1", json.RawMessage(`{"id":"scim.1"}`)); err != nil {
		t.Fatal(err)
	}
	s, err := c.GetSynchronizationTemplateSchema(context.Background(), testSP, "scim")
	if err != nil || len(s.Rules) != 1 {
		t.Fatalf("template schema %+v, %v", s, err)
	}
	seen := g.seen()
	if seen[0].path != "/v1.0/servicePrincipals/"+testSP+"/synchronization/jobs/scim.1/schema" || seen[0].body != `{"id":"scim.1"}` {
		t.Errorf("PUT %s %s", seen[0].path, seen[0].body)
	}
	if seen[1].path != "/v1.0/servicePrincipals/"+testSP+"/synchronization/templates/scim/schema" {
		t.Errorf("template read %s", seen[1].path)
	}
}

func TestParseExpression(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			_, _ = io.WriteString(w, `{"parsingSucceeded": true, "evaluationSucceeded": true, "evaluationResult": ["sales"], "error": null,
			  "parsedExpression": {"type": "Function", "name": "ToLower", "expression": "ToLower([department])", "parameters": [{"key": "source", "value": {"type": "Attribute", "name": "department"}}]}}`)
			return
		}
		_, _ = io.WriteString(w, `{"parsingSucceeded": false, "evaluationSucceeded": false, "evaluationResult": null, "parsedExpression": null,
		  "error": {"code": "ExpressionParsingFailed", "message": "Syntax error at position 7."}}`)
	})
	c, _ := newTestClient(t, g, nil)
	s, _ := decodeSchema([]byte(schemaWithUnknowns))
	r, err := c.ParseExpression(context.Background(), testSP, "scim.1", "ToLower([department])", map[string]string{"department": "Sales", "mail": "a@b"}, s.Object("Azure Active Directory", "User"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.ParsingSucceeded || !r.EvaluationSucceeded || !reflect.DeepEqual(r.EvaluationResult, []string{"sales"}) || r.Source.Name != "ToLower" {
		t.Errorf("result %+v", r)
	}
	if !strings.Contains(string(r.Source.marshal()), `"key": "source"`) {
		t.Errorf("the parsed source %s lost its parameters", r.Source.marshal())
	}
	var body struct {
		Expression      string `json:"expression"`
		TestInputObject struct {
			Definition map[string]any      `json:"definition"`
			Properties []map[string]string `json:"properties"`
		} `json:"testInputObject"`
	}
	seen := g.seen()
	if err := json.Unmarshal([]byte(seen[0].body), &body); err != nil {
		t.Fatal(err)
	}
	wantProps := []map[string]string{{"key": "department", "value": "Sales"}, {"key": "mail", "value": "a@b"}}
	if seen[0].path != "/v1.0/servicePrincipals/"+testSP+"/synchronization/jobs/scim.1/schema/parseExpression" ||
		body.Expression != "ToLower([department])" || !reflect.DeepEqual(body.TestInputObject.Properties, wantProps) || body.TestInputObject.Definition["name"] != "User" {
		t.Errorf("request %s %s", seen[0].path, seen[0].body)
	}
	r, err = c.ParseExpression(context.Background(), testSP, "scim.1", "ToLower(", nil, nil)
	if err != nil || r.ParsingSucceeded || r.ErrorMessage != "Syntax error at position 7." || r.ErrorCode != "ExpressionParsingFailed" {
		t.Errorf("parse failure: %+v, %v", r, err)
	}
	if !strings.Contains(seen[0].body, `"targetAttributeDefinition":null`) {
		t.Errorf("body %s", seen[0].body)
	}
}

// TestSchemaCallsNeverWaitForTheProvisioningLimit spends the job's provisioning budget, then
// reads, parses and writes the schema under a deadline that a limiter wait would outlast.
func TestSchemaCallsNeverWaitForTheProvisioningLimit(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/provisionOnDemand"):
			_, _ = io.WriteString(w, `{"key": "k", "value": "[]"}`)
		case strings.HasSuffix(r.URL.Path, "/parseExpression"):
			_, _ = io.WriteString(w, `{"parsingSucceeded": true}`)
		default:
			_, _ = io.WriteString(w, schemaWithUnknowns)
		}
	})
	c, _ := newTestClient(t, g, func(cfg *Config) { cfg.RateLimitRequests, cfg.RateLimitInterval = 1, time.Hour })
	if _, err := c.ProvisionOnDemand(context.Background(), testSP, "scim.1", ProvisionRequest{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var throttled *ThrottledError
	if _, err := c.ProvisionOnDemand(ctx, testSP, "scim.1", ProvisionRequest{}); !errors.As(err, &throttled) {
		t.Fatalf("second provisioning call: %v, want *ThrottledError (the budget is spent)", err)
	}
	s, err := c.GetSynchronizationSchema(ctx, testSP, "scim.1")
	if err != nil {
		t.Fatalf("schema read waited for the limiter: %v", err)
	}
	if _, err := c.ParseExpression(ctx, testSP, "scim.1", "[mail]", nil, nil); err != nil {
		t.Fatalf("parseExpression waited for the limiter: %v", err)
	}
	doc, _ := s.WithObjectMapping("rule#V2", s.Rules[0].ObjectMappings[0])
	if err := c.PutSynchronizationSchema(ctx, testSP, "scim.1", doc); err != nil {
		t.Fatalf("schema write waited for the limiter: %v", err)
	}
}
