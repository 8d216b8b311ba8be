package graph

import (
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	for raw, want := range map[string]string{
		"https://graph.microsoft.com":     "https://graph.microsoft.com",
		"https://graph.microsoft.com/":    "https://graph.microsoft.com",
		" https://graph.microsoft.us ":    "https://graph.microsoft.us",
		"https://proxy.example.com/graph": "https://proxy.example.com/graph",
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080",
		"http://127.9.9.9":                "http://127.9.9.9",
		"http://localhost:1234/":          "http://localhost:1234",
		"http://[::1]:1234":               "http://[::1]:1234",
	} {
		got, err := ParseEndpoint(raw)
		if err != nil || got != want {
			t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for raw, because := range map[string]string{
		"http://graph.microsoft.com":          "plain http on a non-loopback host",
		"http://192.168.1.10":                 "plain http on a non-loopback host",
		"http://localhost.example.com":        "plain http on a non-loopback host",
		"ftp://127.0.0.1":                     "must use https",
		"graph.microsoft.com":                 "not an absolute URL",
		"":                                    "not an absolute URL",
		"https://graph.microsoft.com?x=1":     "without user info, query or fragment",
		"https://graph.microsoft.com#top":     "without user info, query or fragment",
		"https://user:pw@graph.example.com":   "without user info, query or fragment",
		"http://127.0.0.1:18080/v1.0":         `API version "v1.0" in its path`,
		"https://graph.microsoft.com/beta/":   `API version "beta" in its path`,
		"https://gw.example.com/V1.0/graph":   `API version "V1.0" in its path`,
		"https://graph.microsoft.com/v1.0?$x": "without user info, query or fragment",
	} {
		_, err := ParseEndpoint(raw)
		if err == nil || !strings.Contains(err.Error(), because) {
			t.Errorf("ParseEndpoint(%q) error = %v, want one that says %q", raw, err, because)
		}
	}
}

func TestCheckAPIVersion(t *testing.T) {
	for _, v := range APIVersions {
		if err := CheckAPIVersion(v); err != nil {
			t.Errorf("CheckAPIVersion(%q) = %v", v, err)
		}
	}
	for _, v := range []string{"", "v1", "V1.0", "Beta", "v2.0"} {
		if err := CheckAPIVersion(v); err == nil || !strings.Contains(err.Error(), "v1.0, beta") {
			t.Errorf("CheckAPIVersion(%q) = %v, want an error listing the versions", v, err)
		}
	}
}
