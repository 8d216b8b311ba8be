// Package auth turns the provider's sign-in settings into an azcore.TokenCredential.
// It knows nothing of Terraform, so the provider layer and the Graph client stay unaware of
// which sign-in method is in use.
package auth

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Cloud is one Microsoft cloud: where Graph lives and where tokens for it are issued.
type Cloud struct {
	Name          string
	GraphEndpoint string
	AuthorityHost string
}

// Scope is the token scope for this cloud's Graph; tokens are never requested for another cloud.
func (c Cloud) Scope() string { return c.GraphEndpoint + "/.default" }

var clouds = map[string]Cloud{
	"global":         {Name: "global", GraphEndpoint: "https://graph.microsoft.com", AuthorityHost: "https://login.microsoftonline.com/"},
	"usgovernmentl4": {Name: "usgovernmentl4", GraphEndpoint: "https://graph.microsoft.us", AuthorityHost: "https://login.microsoftonline.us/"},
	"usgovernmentl5": {Name: "usgovernmentl5", GraphEndpoint: "https://dod-graph.microsoft.us", AuthorityHost: "https://login.microsoftonline.us/"},
	"china":          {Name: "china", GraphEndpoint: "https://microsoftgraph.chinacloudapi.cn", AuthorityHost: "https://login.chinacloudapi.cn/"},
}

// aliases maps the spellings of Microsoft's other providers to a cloud name, so a pipeline's
// ARM_ENVIRONMENT works as it is: azurerm's public, usgovernment and china, azuread's dod
// (usgovernment is Azure Government, whose Graph is the L4 one, graph.microsoft.us).
var aliases = map[string]string{"public": "global", "usgovernment": "usgovernmentl4", "dod": "usgovernmentl5"}

// LookupCloud finds a cloud by its environment name or an alias, case-insensitively.
func LookupCloud(environment string) (Cloud, bool) {
	name := strings.ToLower(strings.TrimSpace(environment))
	if alias, ok := aliases[name]; ok {
		name = alias
	}
	c, ok := clouds[name]
	return c, ok
}

// EnvironmentNames lists the accepted environment values, aliases included, sorted.
func EnvironmentNames() []string {
	names := make([]string, 0, len(clouds)+len(aliases))
	for n := range clouds {
		names = append(names, n)
	}
	for a := range aliases {
		names = append(names, a)
	}
	sort.Strings(names)
	return names
}

// microsoftAuthorityHosts are Microsoft's own sign-in hosts. azidentity checks any other host
// against Microsoft's instance discovery, which a private cloud or a test authority fails, so
// for those discovery is turned off (the operator vouches for the host by configuring it).
var microsoftAuthorityHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"login.windows.net":                true,
	"login.microsoftonline.us":         true,
	"login.usgovcloudapi.net":          true,
	"login.chinacloudapi.cn":           true,
	"login.partner.microsoftonline.cn": true,
}

// ParseAuthorityHost checks a sign-in authority override: an absolute https URL without user
// info, query or fragment. It returns the URL with a trailing slash, as azidentity expects.
func ParseAuthorityHost(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%q is not an absolute URL; use a base URL such as \"https://login.microsoftonline.com\"", raw)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("%q must use https: credentials are sent to it", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q must be a plain base URL without user info, query or fragment", raw)
	}
	return strings.TrimRight(u.String(), "/") + "/", nil
}

// isMicrosoftAuthority reports whether host (an authority URL) is one of Microsoft's sign-in hosts.
func isMicrosoftAuthority(authority string) bool {
	u, err := url.Parse(authority)
	return err == nil && microsoftAuthorityHosts[strings.ToLower(u.Hostname())]
}
