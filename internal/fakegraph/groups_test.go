package fakegraph_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

type membersPage struct {
	Context  string           `json:"@odata.context"`
	NextLink string           `json:"@odata.nextLink"`
	Value    []map[string]any `json:"value"`
}

// listAll follows @odata.nextLink from url and returns every page.
func listAll(t *testing.T, url string) []membersPage {
	t.Helper()
	var pages []membersPage
	for url != "" {
		a := call(t, http.MethodGet, url, "", nil)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", url, a.status, a.body)
		}
		var p membersPage
		if err := json.Unmarshal(a.body, &p); err != nil {
			t.Fatalf("page is not JSON: %v: %s", err, a.body)
		}
		if !strings.HasSuffix(p.Context, "$metadata#directoryObjects") {
			t.Errorf("@odata.context = %q", p.Context)
		}
		pages = append(pages, p)
		url = p.NextLink
		if len(pages) > 50 {
			t.Fatal("paging does not end")
		}
	}
	return pages
}

func pageSizes(pages []membersPage) []int {
	sizes := make([]int, len(pages))
	for i, p := range pages {
		sizes[i] = len(p.Value)
	}
	return sizes
}

func memberIDs(pages []membersPage) []string {
	var ids []string
	for _, p := range pages {
		for _, m := range p.Value {
			ids = append(ids, str(m, "id"))
		}
	}
	return ids
}

func groupURL(base, version, groupID, relation string) string {
	return base + "/" + version + "/groups/" + groupID + "/" + relation
}

func TestGroupMembersPaging(t *testing.T) {
	_, base := start(t, fakegraph.Options{MembersPageSize: 15})
	url := groupURL(base, "v1.0", fakegraph.GroupPlatformID, "members")

	pages := listAll(t, url)
	if got := pageSizes(pages); !slices.Equal(got, []int{15, 15, 10}) {
		t.Errorf("page sizes = %v, want [15 15 10]", got)
	}
	if got := memberIDs(pages); !slices.Equal(got, fakegraph.SeededMemberIDs(fakegraph.GroupPlatformID)) {
		t.Errorf("members = %v, want the seeded 40 in order", got)
	}
	m := pages[0].Value[0]
	if str(m, "@odata.type") != "#microsoft.graph.user" || !strings.HasSuffix(str(m, "userPrincipalName"), "@example.com") || str(m, "displayName") == "" {
		t.Errorf("first member = %v, want a user with its default properties", m)
	}

	// $top sets the page size and $select the properties; both survive in the nextLink.
	pages = listAll(t, url+"?$top=25&$select=id,userPrincipalName")
	if got := pageSizes(pages); !slices.Equal(got, []int{25, 15}) {
		t.Errorf("$top=25 page sizes = %v, want [25 15]", got)
	}
	for _, p := range pages {
		for _, m := range p.Value {
			if len(m) != 3 || str(m, "id") == "" || str(m, "userPrincipalName") == "" || str(m, "@odata.type") == "" {
				t.Fatalf("$select=id,userPrincipalName member = %v", m)
			}
		}
	}
	if !strings.Contains(pages[0].NextLink, "$select=id%2CuserPrincipalName") || !strings.Contains(pages[0].NextLink, "$top=25") {
		t.Errorf("nextLink %q loses $top or $select", pages[0].NextLink)
	}

	// Without MembersPageSize, Graph's default page of 100 holds the whole team.
	_, base = start(t, fakegraph.Options{})
	if got := pageSizes(listAll(t, groupURL(base, "beta", fakegraph.GroupPlatformID, "members"))); !slices.Equal(got, []int{40}) {
		t.Errorf("default page sizes = %v, want [40]", got)
	}
}

func TestGroupTransitiveMembers(t *testing.T) {
	_, base := start(t, fakegraph.Options{})
	types := func(pages []membersPage) map[string]int {
		n := map[string]int{}
		for _, p := range pages {
			for _, m := range p.Value {
				n[str(m, "@odata.type")]++
			}
		}
		return n
	}
	direct := listAll(t, groupURL(base, "v1.0", fakegraph.GroupDivisionID, "members"))
	if got := memberIDs(direct); !slices.Equal(got, fakegraph.SeededMemberIDs(fakegraph.GroupDivisionID)) {
		t.Errorf("direct members = %v", got)
	}
	if got := types(direct); got["#microsoft.graph.user"] != fakegraph.DivisionUserCount || got["#microsoft.graph.group"] != 1 {
		t.Errorf("direct member types = %v, want 3 users and 1 group", got)
	}
	transitive := listAll(t, groupURL(base, "v1.0", fakegraph.GroupDivisionID, "transitiveMembers"))
	want := fakegraph.DivisionUserCount + fakegraph.PaymentsMemberCount
	if got := types(transitive); got["#microsoft.graph.user"] != want || got["#microsoft.graph.group"] != 1 {
		t.Errorf("transitive member types = %v, want %d users and 1 group", got, want)
	}
	users := listAll(t, groupURL(base, "v1.0", fakegraph.GroupDivisionID, "transitiveMembers/microsoft.graph.user"))
	if got := types(users); got["#microsoft.graph.user"] != want || len(got) != 1 {
		t.Errorf("transitive users cast = %v, want %d users only", got, want)
	}
	ids := memberIDs(users)
	for _, id := range fakegraph.SeededMemberIDs(fakegraph.GroupPaymentsID) {
		if !slices.Contains(ids, id) {
			t.Errorf("transitive users lack Payments member %s", id)
		}
	}
}

func TestGroupMembersErrors(t *testing.T) {
	const noGroupMemberRead = "token-without-groupmember-read"
	_, base := start(t, fakegraph.Options{GroupMemberForbiddenToken: noGroupMemberRead})
	members := groupURL(base, "v1.0", fakegraph.GroupPaymentsID, "members")
	tests := []struct {
		name, method, url string
		header            map[string]string
		status            int
		code              string
	}{
		{"unknown group", "GET", groupURL(base, "v1.0", "00000000-0000-0000-0000-000000000001", "members"), nil, 404, "Request_ResourceNotFound"},
		{"a user is not a group", "GET", groupURL(base, "v1.0", fakegraph.UserAdaID, "transitiveMembers"), nil, 404, "Request_ResourceNotFound"},
		{"no GroupMember.Read.All", "GET", members, map[string]string{"Authorization": "Bearer " + noGroupMemberRead}, 403, "Authorization_RequestDenied"},
		{"no token", "GET", members, map[string]string{"Authorization": ""}, 401, "InvalidAuthenticationToken"},
		{"$top 0", "GET", members + "?$top=0", nil, 400, "Request_BadRequest"},
		{"$top 1000", "GET", members + "?$top=1000", nil, 400, "Request_BadRequest"},
		{"forged skiptoken", "GET", members + "?$skiptoken=bm9wZQ", nil, 400, "Directory_ExpiredPageToken"},
		{"POST", "POST", members, nil, 405, "Request_BadRequest"},
		{"unknown cast", "GET", members + "/microsoft.graph.device", nil, 404, "BadRequest"},
		{"unknown relation", "GET", groupURL(base, "v1.0", fakegraph.GroupPaymentsID, "owners"), nil, 404, "BadRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEnvelope(t, call(t, tt.method, tt.url, "", tt.header), tt.status, tt.code)
		})
	}
}

func TestGroupMemberReadsAreLoggedAndNotRateLimited(t *testing.T) {
	srv, base := start(t, fakegraph.Options{RateLimitRequests: 1, MembersPageSize: 5})
	if n := len(listAll(t, groupURL(base, "v1.0", fakegraph.GroupPaymentsID, "members"))); n != 3 {
		t.Fatalf("pages = %d, want 3", n)
	}
	log := srv.Requests()
	if len(log) != 3 || srv.CountRateLimited() != 0 {
		t.Fatalf("log = %+v, want 3 reads and no 429", log)
	}
	for _, r := range log {
		if r.Operation != fakegraph.OperationListGroupMembers || r.Status != http.StatusOK {
			t.Errorf("logged %s %d, want %s 200", r.Operation, r.Status, fakegraph.OperationListGroupMembers)
		}
	}
}
