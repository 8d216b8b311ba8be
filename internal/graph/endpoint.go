package graph

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// APIVersions are the Graph versions the client speaks; DefaultAPIVersion is Microsoft's stable one.
var APIVersions = []string{"v1.0", "beta"}

// DefaultAPIVersion is the version used when none is configured.
const DefaultAPIVersion = "v1.0"

// CheckAPIVersion refuses a version the client does not speak.
func CheckAPIVersion(v string) error {
	if !slices.Contains(APIVersions, v) {
		return fmt.Errorf("%q is not a Graph API version this provider speaks; allowed values: %s", v, strings.Join(APIVersions, ", "))
	}
	return nil
}

// ParseEndpoint checks a Graph base URL and returns it without a trailing slash. It must be https,
// or plain http on a loopback host (local fakes and proxies), so a token never crosses a network in
// clear. A path prefix is kept for gateways that publish Graph under one (https://gw.example.com/graph),
// but a version segment is refused: the client appends the version itself, and /v1.0/v1.0/... would
// answer 404 for every job.
func ParseEndpoint(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%q is not an absolute URL; use a base URL such as \"https://graph.microsoft.com\"", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.ForceQuery {
		return "", fmt.Errorf("%q must be a plain base URL without user info, query or fragment, such as \"https://graph.microsoft.com\"", raw)
	}
	for _, segment := range strings.Split(u.Path, "/") {
		if slices.ContainsFunc(APIVersions, func(v string) bool { return strings.EqualFold(v, segment) }) {
			return "", fmt.Errorf("%q has the API version %q in its path; give the base URL alone, such as \"https://graph.microsoft.com\": "+
				"the version comes from api_version (ENTRASYNC_API_VERSION) and is added to every call", raw, segment)
		}
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return "", fmt.Errorf("%q uses plain http on a non-loopback host; use https (http is accepted only for 127.0.0.0/8, ::1 and localhost)", raw)
		}
	default:
		return "", fmt.Errorf("%q must use https (or http on a loopback host)", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// isLoopbackHost reports whether host is this machine: 127.0.0.0/8, ::1 or localhost.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
