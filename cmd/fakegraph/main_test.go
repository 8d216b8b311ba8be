package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

func TestRejectsBadFlags(t *testing.T) {
	tests := map[string][]string{
		"all interfaces":         {"-addr", ":0"},
		"unspecified address":    {"-addr", "0.0.0.0:0"},
		"public host name":       {"-addr", "example.com:8080"},
		"private address":        {"-addr", "10.0.0.5:0"},
		"no port":                {"-addr", "127.0.0.1"},
		"negative rate requests": {"-rate-requests", "-1"},
		"zero interval":          {"-rate-interval", "0s"},
		"negative latency":       {"-latency", "-1s"},
		"zero steady delay":      {"-steady-delay", "0s"},
		"zero page size":         {"-members-page-size", "0"},
		"page size over 999":     {"-members-page-size", "1000"},
		"unknown flag":           {"-verbose"},
		"stray argument":         {"serve"},
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, &stdout, &stderr); code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if stdout.Len() != 0 || stderr.Len() == 0 {
				t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
			}
		})
	}
}

func TestServesUntilCancelled(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		t.Run(addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stdoutReader, stdoutWriter := io.Pipe()
			var stderr bytes.Buffer
			exit := make(chan int, 1)
			go func() {
				exit <- run(ctx, []string{"-addr", addr, "-rate-requests", "1", "-no-retry-after", "-members-page-size", "5"}, stdoutWriter, &stderr)
				stdoutWriter.Close()
			}()

			line, err := bufio.NewReader(stdoutReader).ReadString('\n')
			if err != nil {
				t.Fatalf("reading the announcement: %v", err)
			}
			m := regexp.MustCompile(`^fakegraph listening on (http://127\.0\.0\.1:\d+)\n$`).FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("announcement %q", line)
			}
			provision := m[1] + "/v1.0/servicePrincipals/" + fakegraph.SCIMServicePrincipalID + "/synchronization/jobs/" + fakegraph.SCIMJobID + "/provisionOnDemand"
			body := `{"parameters":[{"ruleId":"` + fakegraph.SCIMUserRuleID + `","subjects":[{"objectId":"` + fakegraph.UserAdaID + `","objectTypeName":"User"}]}]}`
			var statuses []int
			for range 2 {
				req, _ := http.NewRequest(http.MethodPost, provision, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer t")
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				statuses = append(statuses, resp.StatusCode)
				if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "" {
					t.Error("-no-retry-after ignored")
				}
			}
			if statuses[0] != 200 || statuses[1] != 429 {
				t.Errorf("statuses %v, want [200 429] with -rate-requests 1", statuses)
			}

			checkMembersPage(t, m[1])

			cancel()
			if code := <-exit; code != 0 {
				t.Errorf("exit code %d; stderr %s", code, stderr.String())
			}
			if summary := stderr.String(); !strings.Contains(summary, "3 requests, 1 rate-limited") || !strings.Contains(summary, fakegraph.SCIMJobID+": 2") {
				t.Errorf("summary %q", summary)
			}
		})
	}
}

// checkMembersPage reads Payments' first page of members: -members-page-size 5 makes it 5 of 12.
func checkMembersPage(t *testing.T, base string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1.0/groups/"+fakegraph.GroupPaymentsID+"/members", nil)
	req.Header.Set("Authorization", "Bearer t")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		NextLink string            `json:"@odata.nextLink"`
		Value    []json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || len(page.Value) != 5 || page.NextLink == "" {
		t.Errorf("members page: %d members, nextLink %q, err %v; want 5 and a nextLink", len(page.Value), page.NextLink, err)
	}
}
