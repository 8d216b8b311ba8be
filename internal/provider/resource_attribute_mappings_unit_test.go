package provider

import (
	"reflect"
	"testing"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

func TestLockJobSchemaSerialisesOneJob(t *testing.T) {
	unlock := lockJobSchema("8D4C9A1E-3F6B-4A2D-9C7E-1B5F0E2A6D34", "scim.1")
	acquired := make(chan struct{})
	go func() {
		// The same job, its service principal in another case: must wait.
		defer close(acquired)
		lockJobSchema("8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34", "scim.1")()
	}()
	other := lockJobSchema("8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34", "scim.2") // another job: free
	other()
	select {
	case <-acquired:
		t.Fatal("a second writer of the job got the lock while the first held it")
	default:
	}
	unlock()
	<-acquired
}

func TestClosestAttribute(t *testing.T) {
	attrs := []graph.AttributeDefinition{{Name: "userPrincipalName"}, {Name: "department"}, {Name: "mail"}, {Name: "mailNickname"}}
	for name, want := range map[string]string{
		"userPrincipleName": "userPrincipalName",
		"DEPARTMENT":        "department", // case only
		"departmnt":         "department",
		"mial":              "mail",
		"employeeId":        "", // nothing close
	} {
		if got := closestAttribute(name, attrs); got != want {
			t.Errorf("closestAttribute(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestAttributeReferences(t *testing.T) {
	got := attributeReferences(`Join(" [not] \" [still not] ", [givenName], Switch([country], "x", "[no]", [city]))`)
	if want := []string{"givenName", "country", "city"}; !reflect.DeepEqual(got, want) {
		t.Errorf("references %q, want %q", got, want)
	}
}
