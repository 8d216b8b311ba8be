package graph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Error is a Graph error answer: a non-2xx status that remained after all retries.
type Error struct {
	StatusCode      int
	Code            string // Graph error.code, "" when the body is not a Graph error envelope
	Message         string
	RequestID       string // request-id header, else innerError.request-id
	ClientRequestID string
	Attempts        int // attempts made in total, retries included
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Graph returned %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	b.WriteString(": " + e.Message + " (")
	if e.RequestID != "" {
		b.WriteString("request-id: " + e.RequestID + ", ")
	}
	fmt.Fprintf(&b, "after %d attempt", e.Attempts)
	if e.Attempts != 1 {
		b.WriteString("s")
	}
	b.WriteString(")")
	return b.String()
}

// maxSnippet bounds how much of a non-envelope error body ends up in Error.Message.
const maxSnippet = 512

// errorEnvelope is Graph's error body; every field is lenient so a malformed one still yields the rest.
type errorEnvelope struct {
	Error lenient[struct {
		Code       jsonText `json:"code"`
		Message    jsonText `json:"message"`
		InnerError lenient[struct {
			RequestID       jsonText `json:"request-id"`
			ClientRequestID jsonText `json:"client-request-id"`
		}] `json:"innerError"`
	}] `json:"error"`
}

// newError builds the Error of a non-2xx answer whose body (already capped) is body.
func newError(resp *http.Response, body []byte, attempts int) *Error {
	e := decodeErrorBody(resp.StatusCode, body)
	e.Attempts = attempts
	if id := resp.Header.Get("request-id"); id != "" {
		e.RequestID = id
	}
	if id := resp.Header.Get("client-request-id"); id != "" {
		e.ClientRequestID = id
	} else if e.ClientRequestID == "" && resp.Request != nil {
		e.ClientRequestID = resp.Request.Header.Get("client-request-id")
	}
	return e
}

// decodeErrorBody reads the Graph error envelope leniently: without one, Message is a snippet of
// the body, or the HTTP status text when the body is empty.
func decodeErrorBody(statusCode int, body []byte) *Error {
	e := &Error{StatusCode: statusCode}
	var env errorEnvelope
	if json.Unmarshal(body, &env) == nil && env.Error.ok {
		e.Code = string(env.Error.v.Code)
		e.Message = string(env.Error.v.Message)
		e.RequestID = string(env.Error.v.InnerError.v.RequestID)
		e.ClientRequestID = string(env.Error.v.InnerError.v.ClientRequestID)
	} else {
		e.Message = snippet(body)
	}
	if e.Message == "" {
		e.Message = http.StatusText(statusCode)
	}
	return e
}

// snippet is the start of body as valid, single-line UTF-8 text, at most maxSnippet bytes.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(body[:min(len(body), 4*maxSnippet)]), "\uFFFD")), " ")
	if len(s) <= maxSnippet {
		return s
	}
	cut := maxSnippet
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
