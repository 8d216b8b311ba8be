package fakegraph

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestExpressionEvaluation(t *testing.T) {
	input := map[string][]string{
		"givenName":          {"Ada"},
		"surname":            {"Park"},
		"userPrincipalName":  {"Ada.Park@Example.com"},
		"department":         {"Sales"},
		"appRoleAssignments": {"Admin", "User"},
		"proxyAddresses":     {"SMTP:ada@example.com", "smtp:ap@example.com"},
	}
	tests := []struct {
		expression string
		want       []string
	}{
		{`[givenName]`, []string{"Ada"}},
		{`[missing]`, nil},
		{`"United States"`, []string{"United States"}},
		{`"Company name: \"Contoso\""`, []string{`Company name: "Contoso"`}},
		{`"back\\slash"`, []string{`back\slash`}},
		{`ToLower([userPrincipalName])`, []string{"ada.park@example.com"}},
		{`ToLower([userPrincipalName], "en-US")`, []string{"ada.park@example.com"}},
		{`ToLower([missing])`, nil},
		{`Append([givenName], "@example.com")`, []string{"Ada@example.com"}},
		{`Append([missing], "@example.com")`, nil},
		{`Join(".", [givenName], [surname])`, []string{"Ada.Park"}},
		{`Join(",", [proxyAddresses])`, []string{"SMTP:ada@example.com,smtp:ap@example.com"}},
		{`Join(".", [missing], [surname])`, []string{"Park"}},
		{`Join(".", [missing])`, nil},
		{`Switch([department], "Other", "Sales", "S", "Engineering", "E")`, []string{"S"}},
		{`Switch([givenName], "Other", "Sales", "S")`, []string{"Other"}},
		{`Switch([missing], "Other", "", "Empty")`, []string{"Other"}},
		{`SingleAppRoleAssignment([appRoleAssignments])`, []string{"Admin"}},
		{`ToLower(Join(".", [givenName], [surname]))`, []string{"ada.park"}},
		{` Append( ToLower([givenName]) , "@x" ) `, []string{"ada@x"}},
	}
	for _, tt := range tests {
		t.Run(tt.expression, func(t *testing.T) {
			src, err := parseExpression(tt.expression)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got := evaluate(src, input)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || (got == nil) != (tt.want == nil) {
				t.Errorf("= %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExpressionParseTree(t *testing.T) {
	src, err := parseExpression(`Switch([department], "Other", "Sales", ToLower([givenName]))`)
	if err != nil {
		t.Fatal(err)
	}
	got := string(marshal(src))
	want := `{"expression":"Switch([department], \"Other\", \"Sales\", ToLower([givenName]))","name":"Switch","parameters":[` +
		`{"key":"source","value":{"expression":"[department]","name":"department","parameters":[],"type":"Attribute"}},` +
		`{"key":"defaultValue","value":{"expression":"\"Other\"","name":"Other","parameters":[],"type":"Constant"}},` +
		`{"key":"key1","value":{"expression":"\"Sales\"","name":"Sales","parameters":[],"type":"Constant"}},` +
		`{"key":"value1","value":{"expression":"ToLower([givenName])","name":"ToLower","parameters":[` +
		`{"key":"source","value":{"expression":"[givenName]","name":"givenName","parameters":[],"type":"Attribute"}}],"type":"Function"}}],"type":"Function"}`
	if got != want {
		t.Errorf("parsed\n%s\nwant\n%s", got, want)
	}
	var keys []string
	join, _ := parseExpression(`Join(",", [a], [b])`)
	for _, p := range join.Parameters {
		keys = append(keys, p.Key)
	}
	if strings.Join(keys, ",") != "separator,source1,source2" {
		t.Errorf("Join keys = %v", keys)
	}
	if !json.Valid([]byte(got)) {
		t.Error("not JSON")
	}
}

func TestExpressionParseErrors(t *testing.T) {
	tests := []struct{ expression, message string }{
		{``, "expected an attribute"},
		{`Replace([mail], "@", "_")`, "unknown function 'Replace'"},
		{`IIF([a] = "x", "1", "2")`, "unknown function 'IIF'"},
		{`[mail`, "not closed with ']'"},
		{`[]`, "empty attribute name"},
		{`"open`, "not closed"},
		{`"bad \n escape"`, "backslash"},
		{`"doubled "" quote"`, "after the end"},
		{`ToLower`, "expected '('"},
		{`ToLower([a]`, "expected ',' or ')'"},
		{`ToLower([a] [b])`, "found '['"},
		{`ToLower()`, "takes 1 to 2 arguments, not 0"},
		{`Append([a])`, "takes 2 arguments, not 1"},
		{`Switch([a])`, "at least 2"},
		{`[a] [b]`, "after the end"},
		{`toLower([a])`, "unknown function 'toLower'"},
		{`ToLower([a],)`, "unexpected ')'"},
		{`#`, "unexpected '#'"},
	}
	for _, tt := range tests {
		t.Run(tt.expression, func(t *testing.T) {
			_, err := parseExpression(tt.expression)
			if err == nil {
				t.Fatal("parsed, want an error")
			}
			if !strings.Contains(err.Error(), tt.message) || !strings.HasPrefix(err.Error(), "Syntax error at position ") {
				t.Errorf("error %q does not contain %q", err, tt.message)
			}
		})
	}
}
