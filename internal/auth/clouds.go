// Package auth turns the provider's sign-in settings into an azcore.TokenCredential.
// It knows nothing of Terraform, so the provider layer and the Graph client stay unaware of
// which sign-in method is in use.
package auth

import (
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

// aliases maps other accepted spellings to a cloud name.
var aliases = map[string]string{"public": "global"}

// LookupCloud finds a cloud by its environment name (case-insensitive; "public" means "global").
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
