package graph

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeErrorBody(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   Error
	}{
		{
			name: "envelope", status: 400,
			body: `{"error":{"code":"RequestParameterInvalid","message":"the job does not include the rule",
				"innerError":{"date":"2026-03-02T09:14:07","request-id":"r-1","client-request-id":"c-1"}}}`,
			want: Error{StatusCode: 400, Code: "RequestParameterInvalid", Message: "the job does not include the rule", RequestID: "r-1", ClientRequestID: "c-1"},
		},
		{
			name: "envelope with odd types", status: 403,
			body: `{"error":{"code":403,"message":null,"innerError":"none"}}`,
			want: Error{StatusCode: 403, Code: "403", Message: "Forbidden"},
		},
		{
			name: "OAuth style error", status: 401,
			body: `{"error":"invalid_token"}`,
			want: Error{StatusCode: 401, Message: `{"error":"invalid_token"}`},
		},
		{
			name: "null error", status: 500,
			body: `{"error":null}`,
			want: Error{StatusCode: 500, Message: `{"error":null}`},
		},
		{
			name: "gateway page", status: 502,
			body: "<html>\r\n  <head><title>502 Bad Gateway</title></head>\r\n</html>",
			want: Error{StatusCode: 502, Message: "<html> <head><title>502 Bad Gateway</title></head> </html>"},
		},
		{
			name: "empty", status: 504,
			want: Error{StatusCode: 504, Message: "Gateway Timeout"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decodeErrorBody(tc.status, []byte(tc.body)); *got != tc.want {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  Error
		want string
	}{
		{Error{StatusCode: 404, Code: "Request_ResourceNotFound", Message: "gone", RequestID: "X", Attempts: 1},
			"Graph returned 404 Request_ResourceNotFound: gone (request-id: X, after 1 attempt)"},
		{Error{StatusCode: 502, Message: "Bad Gateway", Attempts: 4},
			"Graph returned 502: Bad Gateway (after 4 attempts)"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestSnippetIsBounded(t *testing.T) {
	s := snippet([]byte(strings.Repeat("ü", maxSnippet) + "\xff"))
	if !utf8.ValidString(s) || !strings.HasSuffix(s, "…") || len(s) > maxSnippet+len("…") {
		t.Errorf("snippet of %d bytes: %q", len(s), s)
	}
}

func FuzzDecodeError(f *testing.F) {
	f.Add(503, []byte(`{"error":{"code":"ServiceUnavailable","message":"busy","innerError":{"request-id":"r"}}}`))
	f.Add(404, []byte(`{"error":{"code":"Request_ResourceNotFound"}}`))
	f.Add(502, []byte("<html>Bad Gateway</html>"))
	f.Add(400, []byte{})
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := decodeErrorBody(status, body)
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		for _, s := range []string{e.Code, e.Message, e.RequestID, e.ClientRequestID} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
		}
		if e.Message == "" && http.StatusText(status) != "" {
			t.Fatal("empty message for a known status")
		}
		_ = e.Error()
	})
}
