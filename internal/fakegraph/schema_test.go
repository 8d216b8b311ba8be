package fakegraph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

const scimUser = "urn:ietf:params:scim:schemas:core:2.0:User"

func getSchema(t *testing.T, base, sp, jobID string) map[string]any {
	t.Helper()
	return decode(t, call(t, http.MethodGet, jobURL(base, "v1.0", sp, jobID)+"/schema", "", nil), http.StatusOK)
}

// objectMapping finds the first rule's object mapping from a source object.
func objectMapping(t *testing.T, schema map[string]any, sourceObject string) map[string]any {
	t.Helper()
	rules, _ := schema["synchronizationRules"].([]any)
	if len(rules) == 0 {
		t.Fatalf("schema has no rules: %v", schema)
	}
	for _, m := range field(rules[0], "objectMappings").([]any) {
		if str(m, "sourceObjectName") == sourceObject {
			return m.(map[string]any)
		}
	}
	t.Fatalf("no object mapping from %s", sourceObject)
	return nil
}

func mappingIn(t *testing.T, om map[string]any, target string) map[string]any {
	t.Helper()
	for _, a := range om["attributeMappings"].([]any) {
		if str(a, "targetAttributeName") == target {
			return a.(map[string]any)
		}
	}
	return nil
}

func attributeMapping(t *testing.T, base, sp, jobID, sourceObject, target string) map[string]any {
	t.Helper()
	return mappingIn(t, objectMapping(t, getSchema(t, base, sp, jobID), sourceObject), target)
}

func putSchema(t *testing.T, base, sp, jobID string, schema map[string]any) answer {
	t.Helper()
	delete(schema, "@odata.context")
	b, err := json.Marshal(schema)
	if err != nil {
		t.Fatal(err)
	}
	return call(t, http.MethodPut, jobURL(base, "v1.0", sp, jobID)+"/schema", string(b), nil)
}

func TestSchemaDocumentedShape(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	schema := getSchema(t, base, fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID)
	om := objectMapping(t, schema, "User")
	if _, ok := om["scope"]; !ok || om["scope"] != nil {
		t.Errorf("scope = %v, want null", om["scope"])
	}
	userName := mappingIn(t, om, "userName")
	for _, key := range []string{"defaultValue", "exportMissingReferences", "flowBehavior", "flowType", "matchingPriority", "source", "targetAttributeName"} {
		if _, ok := userName[key]; !ok {
			t.Errorf("attribute mapping lacks %s: %v", key, userName)
		}
	}
	if field(userName, "matchingPriority") != 1.0 || str(userName, "source", "type") != "Attribute" || str(userName, "source", "expression") != "[userPrincipalName]" {
		t.Errorf("userName mapping = %v", userName)
	}
	if active := mappingIn(t, om, "active"); str(active, "source", "type") != "Function" || str(field(active, "source", "parameters").([]any)[0], "key") != "source" {
		t.Errorf("active mapping = %v", active)
	}
	dirs := schema["directories"].([]any)
	attrs := field(dirs[0], "objects").([]any)[0].(map[string]any)["attributes"].([]any)
	for _, key := range []string{"anchor", "caseExact", "defaultValue", "flowNullValues", "metadata", "multivalued", "mutability", "name", "referencedObjects", "required", "type"} {
		if _, ok := attrs[0].(map[string]any)[key]; !ok {
			t.Errorf("attribute definition lacks %s: %v", key, attrs[0])
		}
	}
	names := map[string]bool{}
	for _, a := range attrs {
		names[str(a, "name")] = true
	}
	if !names["department"] || !names["userPrincipalName"] {
		t.Errorf("Entra User attributes = %v", names)
	}
}

func TestPutSchema(t *testing.T) {
	_, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	sp, id := fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID
	schema := getSchema(t, base, sp, id)
	version := str(schema, "version")
	noContent(t, putSchema(t, base, sp, id, schema))

	om := objectMapping(t, schema, "User")
	userName := mappingIn(t, om, "userName")
	userName["source"] = map[string]any{"type": "Function", "name": "ToLower", "expression": "ToLower([userPrincipalName])",
		"parameters": []any{map[string]any{"key": "source", "value": map[string]any{"type": "Attribute", "name": "userPrincipalName", "expression": "[userPrincipalName]", "parameters": []any{}}}}}
	mappingIn(t, om, "externalId")["matchingPriority"] = 2
	om["scope"] = map[string]any{"categoryFilterGroups": []any{}, "inputFilterGroups": []any{}, "groups": []any{
		map[string]any{"name": "Sales only", "clauses": []any{
			map[string]any{"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": map[string]any{"values": []any{"Sales"}}},
			map[string]any{"sourceOperandName": "accountEnabled", "operatorName": "ISTRUE", "targetOperand": nil},
		}},
	}}
	noContent(t, putSchema(t, base, sp, id, schema))

	after := getSchema(t, base, sp, id)
	if str(after, "version") == version || str(field(after, "synchronizationRules").([]any)[0], "id") != fakegraph.SCIMRuleID {
		t.Errorf("version %q -> %q, rule %v", version, str(after, "version"), field(after, "synchronizationRules"))
	}
	afterUser := objectMapping(t, after, "User")
	if str(mappingIn(t, afterUser, "userName"), "source", "name") != "ToLower" || field(mappingIn(t, afterUser, "externalId"), "matchingPriority") != 2.0 {
		t.Errorf("mappings not stored: %v", afterUser["attributeMappings"])
	}
	clause := field(afterUser, "scope", "groups").([]any)[0].(map[string]any)["clauses"].([]any)[0]
	if str(clause, "operatorName") != "EQUALS" || field(clause, "targetOperand", "values").([]any)[0] != "Sales" {
		t.Errorf("scope = %v", afterUser["scope"])
	}
	if result, _, _ := shapeA(t, call(t, http.MethodPost, provisionURL(base, "v1.0", sp, id), userBody(fakegraph.UserAdaID), nil)); result != "Success" {
		t.Errorf("provisioning after a schema PUT: %s", result)
	}
}

func TestPutSchemaRefusals(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	sp, id := fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID
	tests := []struct {
		name    string
		change  func(om map[string]any, mapping func(string) map[string]any)
		message string
	}{
		{"unknown target", func(_ map[string]any, m func(string) map[string]any) {
			m("displayName")["targetAttributeName"] = "displayNme"
		},
			"target attribute 'displayNme' does not exist on object '" + scimUser + "'"},
		{"unknown source", func(_ map[string]any, m func(string) map[string]any) {
			m("displayName")["source"].(map[string]any)["name"] = "nickName"
		},
			"source attribute 'nickName' does not exist on object 'User'"},
		{"unknown source in a function", func(_ map[string]any, m func(string) map[string]any) {
			field(m("active"), "source", "parameters").([]any)[0].(map[string]any)["value"].(map[string]any)["name"] = "deleted"
		}, "source attribute 'deleted'"},
		{"duplicate matching priority", func(_ map[string]any, m func(string) map[string]any) { m("displayName")["matchingPriority"] = 1 },
			"have the same matching priority 1"},
		{"no matching attribute", func(_ map[string]any, m func(string) map[string]any) { m("userName")["matchingPriority"] = 0 },
			"has no matching attribute"},
		{"flow type", func(_ map[string]any, m func(string) map[string]any) { m("displayName")["flowType"] = "Sometimes" },
			"flowType 'Sometimes' is not one of Always, ObjectAddOnly"},
		{"flow behavior", func(_ map[string]any, m func(string) map[string]any) { m("displayName")["flowBehavior"] = "Never" },
			"flowBehavior 'Never'"},
		{"source type", func(_ map[string]any, m func(string) map[string]any) {
			m("displayName")["source"].(map[string]any)["type"] = "Expression"
		},
			"source type 'Expression'"},
		{"no source", func(_ map[string]any, m func(string) map[string]any) { m("displayName")["source"] = nil }, "source is required"},
		{"scope operator", func(om map[string]any, _ func(string) map[string]any) {
			om["scope"] = scope("department", "LIKE", "Sales")
		},
			"operator 'LIKE' is not one of EQUALS"},
		{"scope attribute", func(om map[string]any, _ func(string) map[string]any) { om["scope"] = scope("dept", "EQUALS", "Sales") },
			"source attribute 'dept'"},
		{"scope without values", func(om map[string]any, _ func(string) map[string]any) { om["scope"] = scope("department", "EQUALS") },
			"needs targetOperand.values"},
		{"unknown target object", func(om map[string]any, _ func(string) map[string]any) { om["targetObjectName"] = "urn:example:Widget" },
			"'urn:example:Widget'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema := getSchema(t, base, sp, id)
			om := objectMapping(t, schema, "User")
			tt.change(om, func(target string) map[string]any { return mappingIn(t, om, target) })
			msg := checkEnvelope(t, putSchema(t, base, sp, id, schema), 400, "BadRequest")
			if !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not contain %q", msg, tt.message)
			}
		})
	}
	checkEnvelope(t, call(t, http.MethodPut, jobURL(base, "v1.0", sp, id)+"/schema", `{"directories":`, nil), 400, "BadRequest")
	if m := attributeMapping(t, base, sp, id, "User", "displayName"); field(m, "matchingPriority") != 0.0 {
		t.Errorf("a refused PUT changed the schema: %v", m)
	}
}

func scope(attribute, operator string, values ...string) map[string]any {
	var operand any
	if len(values) > 0 {
		operand = map[string]any{"values": values}
	}
	return map[string]any{"groups": []any{map[string]any{"name": "g", "clauses": []any{
		map[string]any{"sourceOperandName": attribute, "operatorName": operator, "targetOperand": operand},
	}}}}
}

func TestResetSchemaAndDrift(t *testing.T) {
	srv, base := start(t, fakegraph.Options{})
	sp, id := fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID
	if err := srv.SetAttributeMapping(sp, id, "User", scimUser, "displayName", `Join(" ", [givenName], [surname])`); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetAttributeMapping(sp, id, "User", scimUser, "title", `[jobTitle]`); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetAttributeMapping(sp, id, "User", scimUser, "externalId", ""); err != nil {
		t.Fatal(err)
	}
	om := objectMapping(t, getSchema(t, base, sp, id), "User")
	if str(mappingIn(t, om, "displayName"), "source", "name") != "Join" || str(mappingIn(t, om, "title"), "source", "name") != "jobTitle" ||
		str(mappingIn(t, om, "title"), "flowType") != "Always" || mappingIn(t, om, "externalId") != nil {
		t.Fatalf("drift not visible: %v", om["attributeMappings"])
	}
	noContent(t, call(t, http.MethodDelete, jobURL(base, "v1.0", sp, id)+"/schema", "", nil))
	om = objectMapping(t, getSchema(t, base, sp, id), "User")
	if str(mappingIn(t, om, "displayName"), "source", "name") != "displayName" || mappingIn(t, om, "title") != nil || mappingIn(t, om, "externalId") == nil {
		t.Errorf("not back to the template's default: %v", om["attributeMappings"])
	}
	if err := srv.SetAttributeMapping(sp, id, "Worker", "user", "x", "[a]"); err == nil {
		t.Error("an unknown object mapping was edited")
	}
}

func TestParseExpression(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	url := jobURL(base, "v1.0", fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID) + "/schema/parseExpression"
	input := `"testInputObject":{"definition":null,"properties":[{"key":"givenName","value":"Ada"},{"key":"surname","value":"Park"},` +
		`{"key":"appRoleAssignments","value@odata.type":"#Collection(String)","value":["Admin","User"]}]}`

	got := decode(t, call(t, http.MethodPost, url, `{"expression":"Join(\".\", [givenName], [surname])","targetAttributeDefinition":null,`+input+`}`, nil), 200)
	if got["parsingSucceeded"] != true || got["evaluationSucceeded"] != true || got["error"] != nil ||
		strings.Join(stringsOf(got["evaluationResult"]), ",") != "Ada.Park" ||
		str(got, "parsedExpression", "name") != "Join" || str(got, "parsedExpression", "type") != "Function" ||
		str(field(got, "parsedExpression", "parameters").([]any)[0], "key") != "separator" {
		t.Errorf("Join = %v", got)
	}
	got = decode(t, call(t, http.MethodPost, url, `{"expression":"SingleAppRoleAssignment([appRoleAssignments])",`+input+`}`, nil), 200)
	if strings.Join(stringsOf(got["evaluationResult"]), ",") != "Admin" {
		t.Errorf("SingleAppRoleAssignment = %v", got)
	}
	got = decode(t, call(t, http.MethodPost, url, `{"expression":"ToLower([mail])",`+input+`}`, nil), 200)
	if r, ok := got["evaluationResult"].([]any); !ok || len(r) != 0 || got["evaluationSucceeded"] != true {
		t.Errorf("a missing attribute evaluates to no value: %v", got)
	}

	a := call(t, http.MethodPost, url, `{"expression":"ToLower([mail])"}`, nil)
	if got := decode(t, a, 200); got["parsingSucceeded"] != true || got["evaluationSucceeded"] != false || !strings.Contains(string(a.body), `"evaluationResult":null`) {
		t.Errorf("without a test input = %s", a.body)
	}
	a = call(t, http.MethodPost, url, `{"expression":"Replace([preferredLanguage], \"-\", , , \"_\", , )",`+input+`}`, nil)
	got = decode(t, a, 200)
	for _, want := range []string{`"parsingSucceeded":false`, `"parsedExpression":null`, `"evaluationSucceeded":false`, `"evaluationResult":null`} {
		if !strings.Contains(string(a.body), want) {
			t.Errorf("parse failure lacks %s: %s", want, a.body)
		}
	}
	if str(got, "error", "code") != fakegraph.ErrorCodeExpressionParse || !strings.Contains(str(got, "error", "message"), "unknown function 'Replace'") {
		t.Errorf("parse error = %v", got["error"])
	}
	checkEnvelope(t, call(t, http.MethodPost, url, `{"expr":"x"}`, nil), 400, "BadRequest")
	checkEnvelope(t, call(t, http.MethodPost, url, `{"expression":"[a]","testInputObject":{"properties":[{"key":"a","value":{}}]}}`, nil), 400, "BadRequest")
	checkEnvelope(t, call(t, http.MethodGet, url, "", nil), 405, "Request_BadRequest")
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, len(list))
	for i, s := range list {
		out[i], _ = s.(string)
	}
	return out
}

func TestConcurrentSchemaWritesAndProvisioning(t *testing.T) {
	srv, base := start(t, fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	sp, id := fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID
	schema := getSchema(t, base, sp, id)
	delete(schema, "@odata.context")
	b, _ := json.Marshal(schema)
	errs := make(chan string, 40)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, err := callContext(context.Background(), http.MethodPut, jobURL(base, "v1.0", sp, id)+"/schema", string(b), nil); err != nil || a.status != 204 {
				errs <- fmt.Sprintf("PUT %d: %v %s", i, err, a.body)
			}
			if a, err := callContext(context.Background(), http.MethodPost, provisionURL(base, "v1.0", sp, id), userBody(fakegraph.UserBenID), nil); err != nil || a.status != 200 {
				errs <- fmt.Sprintf("provision %d: %v %s", i, err, a.body)
			}
			if err := srv.SetAttributeMapping(sp, id, "User", scimUser, "title", "[jobTitle]"); err != nil {
				errs <- err.Error()
			}
			if a, err := callContext(context.Background(), http.MethodGet, jobURL(base, "v1.0", sp, id), "", nil); err != nil || a.status != 200 {
				errs <- fmt.Sprintf("GET %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
