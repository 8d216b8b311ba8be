package provider

import (
	"fmt"
	"testing"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

func TestBatchesSendOtherSubjectsOnceAndMembersInOrder(t *testing.T) {
	var members []graph.SubjectLink
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5", "m6", "m7"} {
		members = append(members, graph.SubjectLink{ObjectID: id, ObjectTypeName: "User"})
	}
	call := provisionCall{servicePrincipalID: "sp", jobID: "job", team: &team{parameter: 1, subject: 0}}
	call.request.Parameters = []graph.ProvisionParameter{
		{RuleID: "users", Subjects: []graph.Subject{{ObjectID: "u1", ObjectTypeName: "User"}}},
		{RuleID: "groups", Subjects: []graph.Subject{{ObjectID: "g", ObjectTypeName: "Group", Links: &graph.SubjectLinks{Members: members}}}},
	}
	batches := call.batches(3)
	if len(batches) != 3 {
		t.Fatalf("%d batches, want 3", len(batches))
	}
	if got := batches[0].subjectCount(); got != 2 {
		t.Errorf("batch 1 sends %d subjects, want the user and the group", got)
	}
	var sent []string
	for k, b := range batches {
		if k > 0 && (len(b.request.Parameters) != 1 || b.request.Parameters[0].RuleID != "groups" || b.subjectCount() != 1) {
			t.Errorf("batch %d = %+v, want the group alone through its rule", k+1, b.request.Parameters)
		}
		for _, m := range b.group().Links.Members {
			sent = append(sent, m.ObjectID)
		}
	}
	if got := len(call.group().Links.Members); got != 7 {
		t.Errorf("splitting changed the call: its group has %d members, want 7", got)
	}
	if want := "[m1 m2 m3 m4 m5 m6 m7]"; fmt.Sprint(sent) != want {
		t.Errorf("members sent %s, want %s", fmt.Sprint(sent), want)
	}
	for size, want := range map[int]int{0: 7, 5: 2, 9: 2} {
		if n := len(call.batches(size)); n != want {
			t.Errorf("7 members at %d per call make %d calls, want %d (sizes are kept within 1 to 5)", size, n, want)
		}
	}
}

func TestRunKeepsTheGroupEntryOnceAndTheWorstStatus(t *testing.T) {
	call := provisionCall{team: &team{}}
	call.request.Parameters = []graph.ProvisionParameter{{Subjects: []graph.Subject{{ObjectID: "G", ObjectTypeName: "Group"}}}}
	group := graph.ProvisioningEntry{SourceIdentityID: "g", Status: graph.StatusSuccess}
	run := &provisionRun{planned: 2}
	run.add(call, &graph.ProvisionResult{Status: graph.StatusSuccess, Entries: []graph.ProvisioningEntry{group, {SourceIdentityID: "m1", Status: graph.StatusSuccess}}})
	run.add(call, &graph.ProvisionResult{Status: graph.StatusFailure, Entries: []graph.ProvisioningEntry{
		{SourceIdentityID: "G", Status: graph.StatusFailure}, {SourceIdentityID: "m2", Status: graph.StatusSkipped},
	}})
	if n := len(run.batches[1].result.Entries); n != 1 {
		t.Fatalf("batch 2 keeps %d entries, want the member only", n)
	}
	// The group's repeated entry is dropped with its status: batch 2 is its member's Skipped.
	if got := run.status(); got != graph.StatusSkipped {
		t.Errorf("status = %q, want Skipped", got)
	}
}
