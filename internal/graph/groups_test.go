package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestListGroupUserIDsFollowsNextLinkAndKeepsUsers(t *testing.T) {
	var g *fakeGraph
	g = newFakeGraph(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch n {
		case 1:
			fmt.Fprintf(w, `{"value": [{"@odata.type": "#microsoft.graph.user", "id": "u1"},
			  {"@odata.type": "#microsoft.graph.group", "id": "g1"}, "not an object",
			  {"@odata.type": "#microsoft.graph.device", "id": "d1"}],
			  "@odata.nextLink": %q}`, g.URL+"/v1.0/groups/grp/transitiveMembers?$select=id&$skiptoken=abc")
		default:
			_, _ = io.WriteString(w, `{"value": [{"@odata.type": "#microsoft.graph.user", "id": "u2"}], "@odata.nextLink": null}`)
		}
	})
	c, rec := newTestClient(t, g, func(cfg *Config) { cfg.RateLimitRequests, cfg.RateLimitInterval = 1, 1<<62 })
	ids, err := c.ListGroupUserIDs(context.Background(), "grp", true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"u1", "u2"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids = %v, want %v (users only, both pages)", ids, want)
	}
	seen := g.seen()
	if len(seen) != 2 || seen[0].path != "/v1.0/groups/grp/transitiveMembers" || seen[1].path != "/v1.0/groups/grp/transitiveMembers" {
		t.Fatalf("requests %+v, want two reads of transitiveMembers", seen)
	}
	// Reads never wait for a job's limiter, even one that admits a single call an age.
	for _, e := range rec.all() {
		if _, ok := e.(WaitEvent); ok {
			t.Errorf("a member read waited for the provisioning limiter: %+v", e)
		}
	}
}

func TestListGroupUserIDsRefusesANextLinkElsewhere(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"value": [], "@odata.nextLink": "https://elsewhere.example/v1.0/groups/grp/members?$skiptoken=x"}`)
	})
	c, _ := newTestClient(t, g, nil)
	_, err := c.ListGroupUserIDs(context.Background(), "grp", false)
	if err == nil || !strings.Contains(err.Error(), "elsewhere.example") || len(g.seen()) != 1 {
		t.Fatalf("err = %v after %d request(s), want a refusal of the foreign nextLink after one", err, len(g.seen()))
	}
}

func TestListGroupUserIDsForbidden(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}`)
	})
	c, _ := newTestClient(t, g, nil)
	_, err := c.ListGroupUserIDs(context.Background(), "grp", false)
	var gerr *Error
	if !errors.As(err, &gerr) || gerr.StatusCode != http.StatusForbidden || gerr.Code != "Authorization_RequestDenied" {
		t.Fatalf("err = %v, want the 403 as *Error", err)
	}
}

func TestMostSevereStatus(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{StatusSuccess, StatusSkipped}, StatusSkipped},
		{[]string{StatusSkipped, "Odd", StatusSuccess}, "Odd"},
		{[]string{StatusSuccess, StatusFailure, StatusWarning}, StatusFailure},
	} {
		if got := MostSevereStatus(tc.in...); got != tc.want {
			t.Errorf("MostSevereStatus(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDecodeTakesTheSkipReasonOfAStep(t *testing.T) {
	// A member already in sync: statusInfo without a code, RedundantExport only in the skip step.
	r := DecodeProvisionResult("StatusInfo", `[{"statusInfo": {"status": "skipped", "errorCode": null, "reason": null},
	  "provisioningSteps": [{"name": "EntrySynchronizationSkip", "status": "Skipped", "details": {"SkipReason": "RedundantExport"}}]}]`)
	if len(r.Entries) != 1 || r.Entries[0].ErrorCode != SkipReasonRedundantExport {
		t.Fatalf("entries %+v, want one with error code RedundantExport", r.Entries)
	}
}
