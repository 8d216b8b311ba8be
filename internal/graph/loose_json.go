package graph

import (
	"bytes"
	"encoding/json"
	"strings"
)

// jsonText accepts any JSON value: a string as is, null as "", anything else as its compact JSON
// text, always valid UTF-8 as Terraform state requires.
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*t = jsonText(s)
		}
	default:
		var buf bytes.Buffer
		if json.Compact(&buf, b) == nil {
			*t = jsonText(strings.ToValidUTF8(buf.String(), "\uFFFD"))
		}
	}
	return nil
}

// lenient decodes a T when the JSON fits and otherwise stays zero (ok false, as for null),
// without failing its parent.
type lenient[T any] struct {
	v  T
	ok bool
}

func (l *lenient[T]) UnmarshalJSON(b []byte) error {
	var v T
	if string(b) != "null" && json.Unmarshal(b, &v) == nil {
		l.v, l.ok = v, true
	}
	return nil
}
