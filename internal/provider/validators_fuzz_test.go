package provider

import (
	"strings"
	"testing"
)

// FuzzParseSynchronizationJobID: any input either fails with a message or yields a bare job id
// that the input is made of exactly (the id alone, or the path form around it).
func FuzzParseSynchronizationJobID(f *testing.F) {
	for _, seed := range []string{
		"scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c",
		"/servicePrincipals/0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d/synchronization/jobs/scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c",
		"", " ", "/", "a b", "/servicePrincipals//synchronization/jobs/x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		jobID, sp, err := parseSynchronizationJobID(v)
		if (checkSynchronizationJobID(v) == nil) != (err == nil) {
			t.Fatalf("%q: the validator and the parser disagree", v)
		}
		if err != nil {
			if err.Error() == "" || jobID != "" || sp != "" {
				t.Fatalf("%q: error %q with job %q and service principal %q", v, err, jobID, sp)
			}
			return
		}
		if strings.TrimSpace(jobID) == "" || strings.ContainsAny(jobID, "/?#%\\ \t\r\n") || len([]rune(jobID)) > maxJobIDLength {
			t.Fatalf("%q: job id %q is blank, too long or has a character a URL path cannot carry", v, jobID)
		}
		switch {
		case sp == "" && v != jobID:
			t.Fatalf("%q: bare form parsed to job %q", v, jobID)
		case sp != "" && (!isGUID(sp) || v != "/servicePrincipals/"+sp+"/synchronization/jobs/"+jobID):
			t.Fatalf("%q: path form parsed to service principal %q and job %q", v, sp, jobID)
		}
	})
}

// FuzzParseServicePrincipalID: an accepted id is a GUID, given alone or as /servicePrincipals/{GUID}.
func FuzzParseServicePrincipalID(f *testing.F) {
	for _, seed := range []string{
		"0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d", "/servicePrincipals/0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d",
		"", "/servicePrincipals/", "0A3B5C7D-1E2F-4A5B-8C9D-0E1F2A3B4C5D", "{0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		id, ok := parseServicePrincipalID(v)
		if (checkServicePrincipalID(v) == nil) != ok {
			t.Fatalf("%q: the validator and the parser disagree", v)
		}
		if ok && (!isGUID(id) || len(id) != 36 || (v != id && v != "/servicePrincipals/"+id)) {
			t.Fatalf("%q: accepted as %q", v, id)
		}
	})
}
