package graph

import (
	"encoding/json"
	"testing"
)

// Both documented forms of "never ran" read as no last execution; zero times read as absent.
func TestJobNeverRan(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		ran          bool
	}{
		{"lastExecution null (Create synchronizationJob example)", `{"code":"NotRun","lastExecution":null}`, false},
		{"zero timeBegan, Failed, None (cross-tenant guide)", `{"code":"Active","lastExecution":{"timeBegan":"0001-01-01T00:00:00Z","timeEnded":"0001-01-01T00:00:00Z","state":"Failed","error":{"code":"None","message":""}},
		  "steadyStateFirstAchievedTime":"0001-01-01T00:00:00Z"}`, false},
		{"zero timeBegan with a fraction", `{"lastExecution":{"timeBegan":"0001-01-01T00:00:00.0000000Z","state":"Failed"}}`, false},
		{"ran", `{"lastExecution":{"timeBegan":"2026-03-02T09:01:12Z","timeEnded":"0001-01-01T00:00:00Z","state":"Failed","error":{"code":"ServiceError"}}}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w wireJob
			if err := json.Unmarshal([]byte(`{"id":"scim.1","status":`+tc.status+`}`), &w); err != nil {
				t.Fatal(err)
			}
			last := w.job().Status.LastExecution
			if (last != nil) != tc.ran {
				t.Fatalf("last execution %+v, want ran = %v", last, tc.ran)
			}
			if tc.ran && (last.TimeEnded != "" || last.State != "Failed" || last.ErrorCode != "ServiceError") {
				t.Errorf("last execution %+v: want the zero timeEnded absent and the rest as sent", last)
			}
		})
	}
}

func TestZeroScheduleAndQuarantineTimes(t *testing.T) {
	var w wireJob
	body := `{"schedule":{"expiration":"0001-01-01T00:00:00Z"},"status":{"quarantine":{"reason":"x","currentBegan":"0001-01-01T00:00:00Z","nextAttempt":"2026-03-02T21:02:00Z"}}}`
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	j := w.job()
	if j.Schedule.Expiration != "" || j.Status.Quarantine.CurrentBegan != "" || j.Status.Quarantine.NextAttempt != "2026-03-02T21:02:00Z" {
		t.Errorf("schedule %+v quarantine %+v", j.Schedule, j.Status.Quarantine)
	}
}
