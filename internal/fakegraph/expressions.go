package fakegraph

import (
	"fmt"
	"strings"
)

// A subset of the attribute-mapping expression language, from Entra's "Reference for writing
// expressions for attribute mappings in Microsoft Entra ID"
// (learn.microsoft.com/entra/identity/app-provisioning/functions-for-customizing-application-data):
// attributes in square brackets ([mail]), string constants in double quotes with \" and \\
// escaped by a backslash, and the functions below, nested freely. Everything else is a parse
// error.
//
// Parameter keys are the argument names of the reference's function tables, as parsedExpression
// names them in the "synchronizationSchema: parseExpression" example (source, Find, ...).
var expressionFunctions = map[string]struct {
	min, max int // argument counts; max -1: unbounded
	keys     func(i int) string
}{
	"Append":                  {2, 2, fixedKeys("source", "suffix")},
	"Join":                    {1, -1, func(i int) string { return numbered("separator", "source", i) }},
	"Not":                     {1, 1, fixedKeys("source")},
	"SingleAppRoleAssignment": {1, 1, fixedKeys("appRoleAssignments")},
	"Switch":                  {2, -1, switchKey},
	"ToLower":                 {1, 2, fixedKeys("source", "culture")},
}

func fixedKeys(keys ...string) func(int) string {
	return func(i int) string { return keys[i] }
}

func numbered(first, rest string, i int) string {
	if i == 0 {
		return first
	}
	return fmt.Sprintf("%s%d", rest, i)
}

// switchKey names Switch(source, defaultValue, key1, value1, key2, value2, ...).
func switchKey(i int) string {
	switch {
	case i == 0:
		return "source"
	case i == 1:
		return "defaultValue"
	case i%2 == 0:
		return fmt.Sprintf("key%d", i/2)
	default:
		return fmt.Sprintf("value%d", i/2)
	}
}

// expressionError is a parse or evaluation failure with the position it was found at.
type expressionError struct {
	message string
}

func (e *expressionError) Error() string { return e.message }

type expressionParser struct {
	text string
	pos  int
}

// parseExpression parses text into an attributeMappingSource.
func parseExpression(text string) (*mappingSource, error) {
	p := &expressionParser{text: text}
	src, err := p.parse()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.text) {
		return nil, p.fail("unexpected '%s' after the end of the expression", p.text[p.pos:])
	}
	return src, nil
}

func (p *expressionParser) fail(format string, args ...any) error {
	return &expressionError{message: fmt.Sprintf("Syntax error at position %d: ", p.pos) + fmt.Sprintf(format, args...) + "."}
}

func (p *expressionParser) skipSpace() {
	for p.pos < len(p.text) && (p.text[p.pos] == ' ' || p.text[p.pos] == '\t' || p.text[p.pos] == '\n' || p.text[p.pos] == '\r') {
		p.pos++
	}
}

func (p *expressionParser) parse() (*mappingSource, error) {
	p.skipSpace()
	if p.pos >= len(p.text) {
		return nil, p.fail("expected an attribute, a string constant or a function")
	}
	switch c := p.text[p.pos]; {
	case c == '[':
		return p.attribute()
	case c == '"':
		return p.constant()
	case isNameByte(c):
		return p.function()
	default:
		return nil, p.fail("unexpected '%c'", c)
	}
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func (p *expressionParser) attribute() (*mappingSource, error) {
	start := p.pos
	end := strings.IndexByte(p.text[start:], ']')
	if end < 0 {
		return nil, p.fail("attribute name not closed with ']'")
	}
	name := p.text[start+1 : start+end]
	if strings.TrimSpace(name) == "" {
		return nil, p.fail("empty attribute name")
	}
	p.pos = start + end + 1
	return &mappingSource{Expression: ptr(p.text[start:p.pos]), Name: name, Type: "Attribute", Parameters: []sourceParameter{}}, nil
}

func (p *expressionParser) constant() (*mappingSource, error) {
	start := p.pos
	var b strings.Builder
	for p.pos++; p.pos < len(p.text); p.pos++ {
		switch c := p.text[p.pos]; c {
		case '\\':
			if p.pos+1 >= len(p.text) || (p.text[p.pos+1] != '"' && p.text[p.pos+1] != '\\') {
				return nil, p.fail(`only \" and \\ may follow a backslash in a string constant`)
			}
			p.pos++
			b.WriteByte(p.text[p.pos])
		case '"':
			p.pos++
			return &mappingSource{Expression: ptr(p.text[start:p.pos]), Name: b.String(), Type: "Constant", Parameters: []sourceParameter{}}, nil
		default:
			b.WriteByte(c)
		}
	}
	p.pos = start
	return nil, p.fail("string constant not closed with '\"'")
}

func (p *expressionParser) function() (*mappingSource, error) {
	start := p.pos
	for p.pos < len(p.text) && isNameByte(p.text[p.pos]) {
		p.pos++
	}
	name := p.text[start:p.pos]
	spec, ok := expressionFunctions[name]
	if !ok {
		p.pos = start
		return nil, p.fail("unknown function '%s'", name)
	}
	p.skipSpace()
	if p.pos >= len(p.text) || p.text[p.pos] != '(' {
		return nil, p.fail("expected '(' after '%s'", name)
	}
	p.pos++
	args, err := p.arguments()
	if err != nil {
		return nil, err
	}
	if len(args) < spec.min || spec.max >= 0 && len(args) > spec.max {
		p.pos = start
		return nil, p.fail("function '%s' takes %s arguments, not %d", name, arity(spec.min, spec.max), len(args))
	}
	params := make([]sourceParameter, len(args))
	for i, a := range args {
		params[i] = sourceParameter{Key: spec.keys(i), Value: a}
	}
	return &mappingSource{Expression: ptr(p.text[start:p.pos]), Name: name, Type: "Function", Parameters: params}, nil
}

func arity(low, high int) string {
	switch {
	case high < 0:
		return fmt.Sprintf("at least %d", low)
	case low == high:
		return fmt.Sprint(low)
	default:
		return fmt.Sprintf("%d to %d", low, high)
	}
}

// arguments reads "a, b, c)" after the opening parenthesis.
func (p *expressionParser) arguments() ([]*mappingSource, error) {
	var args []*mappingSource
	p.skipSpace()
	if p.pos < len(p.text) && p.text[p.pos] == ')' {
		p.pos++
		return args, nil
	}
	for {
		arg, err := p.parse()
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
		p.skipSpace()
		if p.pos >= len(p.text) {
			return nil, p.fail("expected ',' or ')'")
		}
		switch p.text[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return args, nil
		default:
			return nil, p.fail("expected ',' or ')', found '%c'", p.text[p.pos])
		}
	}
}

// evaluate computes an expression's values against a test input object: a missing or empty
// attribute is null, and functions of a null source are null, except Join (which skips it)
// and Switch (which answers its default).
func evaluate(src *mappingSource, input map[string][]string) []string {
	switch src.Type {
	case "Attribute":
		return input[src.Name]
	case "Constant":
		return []string{src.Name}
	}
	args := make([][]string, len(src.Parameters))
	for i, p := range src.Parameters {
		args[i] = evaluate(p.Value, input)
	}
	switch src.Name {
	case "Append":
		if len(args[0]) == 0 {
			return nil
		}
		return []string{args[0][0] + first(args[1])}
	case "Join":
		return join(args)
	case "SingleAppRoleAssignment":
		if len(args[0]) == 0 {
			return nil
		}
		return args[0][:1]
	case "Switch":
		return switchValue(args)
	case "Not": // the seeded SCIM schema's active = Not([IsSoftDeleted])
		if len(args[0]) == 0 {
			return nil
		}
		return []string{map[bool]string{true: "False", false: "True"}[strings.EqualFold(args[0][0], "true")]}
	default: // ToLower
		if len(args[0]) == 0 {
			return nil
		}
		return []string{strings.ToLower(args[0][0])}
	}
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// join puts the separator between every value of the sources, multi-valued ones included.
func join(args [][]string) []string {
	var values []string
	for _, a := range args[1:] {
		values = append(values, a...)
	}
	if len(values) == 0 {
		return nil
	}
	return []string{strings.Join(values, first(args[0]))}
}

func switchValue(args [][]string) []string {
	source := first(args[0])
	for i := 2; i+1 < len(args); i += 2 {
		if len(args[0]) > 0 && first(args[i]) == source {
			return args[i+1]
		}
	}
	return args[1]
}
