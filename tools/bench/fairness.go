package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// fairnessJobs are three jobs of the fake tenant provisioned at once. Only the SCIM job has
// room for many users; the other two provision their one in-scope subject again and again,
// which Graph answers Skipped/RedundantExport (a success).
func fairnessJobs(n int) []jobTarget {
	repeat := func(s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	return []jobTarget{
		{name: "scim", servicePrincipalID: fakegraph.SCIMServicePrincipalID, jobID: fakegraph.SCIMJobID,
			ruleID: fakegraph.SCIMUserRuleID, objectType: "User", subjects: benchUsers(n)},
		{name: "cloud_sync", servicePrincipalID: fakegraph.CloudSyncServicePrincipalID, jobID: fakegraph.CloudSyncJobID,
			ruleID: fakegraph.CloudSyncUserRuleID, objectType: "user", subjects: repeat(fakegraph.CloudSyncUserDN)},
		{name: "workday", servicePrincipalID: fakegraph.WorkdayServicePrincipalID, jobID: fakegraph.WorkdayJobID,
			ruleID: fakegraph.WorkdayWorkerRuleID, objectType: "Worker", subjects: repeat(fakegraph.WorkdayWorkerID)},
	}
}

// jobFairness is what one job got in a run of several jobs at once.
type jobFairness struct {
	job       string
	calls     int           // admitted calls
	throttled int           // 429 answers
	span      time.Duration // first admitted call of the job to its last
	// maxLate is the longest any call started after its fair turn: the k-th admitted call of a
	// job is due limit-sized batches after the first call of the whole run, k/limit intervals on.
	maxLate time.Duration
}

// analyseFairness reads per-job admitted start times and 429 counts (keys: job names).
func analyseFairness(starts map[string][]time.Time, throttled map[string]int, limit int, interval time.Duration) []jobFairness {
	var t0 time.Time
	for _, ts := range starts {
		for _, t := range ts {
			if t0.IsZero() || t.Before(t0) {
				t0 = t
			}
		}
	}
	jobs := make([]string, 0, len(starts))
	for job := range starts {
		jobs = append(jobs, job)
	}
	slices.Sort(jobs)
	out := make([]jobFairness, 0, len(jobs))
	for _, job := range jobs {
		ts := slices.Clone(starts[job])
		slices.SortFunc(ts, time.Time.Compare)
		f := jobFairness{job: job, calls: len(ts), throttled: throttled[job]}
		if len(ts) > 0 {
			f.span = ts[len(ts)-1].Sub(ts[0])
		}
		for k, t := range ts {
			fair := t0.Add(time.Duration(k/limit) * interval)
			f.maxLate = max(f.maxLate, t.Sub(fair))
		}
		out = append(out, f)
	}
	return out
}

// fairnessSample is one run of all jobs at once.
type fairnessSample struct {
	wall time.Duration
	jobs []jobFairness
}

func (b *bench) runFairness(ctx context.Context, n int) (fairnessSample, error) {
	jobs := fairnessJobs(n)
	srv := fakegraph.New(fakegraph.Options{RateLimitRequests: b.requests, RateLimitInterval: b.interval})
	for i, id := range jobs[0].subjects {
		srv.AddUser(id, benchUserPrincipalName(i), "")
	}
	url := srv.Start()
	defer srv.Close()

	cfg := entrasyncConfig(providerBlock{endpoint: url, requests: b.requests, interval: b.interval}, jobs)
	// Terraform's own parallelism must not queue one job behind another: every resource may wait at once.
	res, err := b.applyWithFreshProvider(ctx, cfg, n*len(jobs))
	if err != nil {
		return fairnessSample{}, err
	}
	if res.exitCode != 0 {
		return fairnessSample{}, fmt.Errorf("terraform apply of %d jobs failed (exit %d):\n%s", len(jobs), res.exitCode, res.tail)
	}

	names := map[string]string{}
	for _, j := range jobs {
		names[j.jobID] = j.name
	}
	starts := map[string][]time.Time{}
	throttled := map[string]int{}
	for _, r := range srv.Requests() {
		if r.Operation != fakegraph.OperationProvisionOnDemand {
			continue
		}
		if r.RateLimited {
			throttled[names[r.JobID]]++
			continue
		}
		starts[names[r.JobID]] = append(starts[names[r.JobID]], r.Time)
	}
	return fairnessSample{wall: res.wall, jobs: analyseFairness(starts, throttled, b.requests, b.interval)}, nil
}

// fairnessTable: medians over the runs, except the wait beyond the fair turn, the worst of all.
func fairnessTable(samples []fairnessSample, n, limit int, interval time.Duration) *table {
	t := &table{
		header: []string{"job", "calls", "429s", "calls span s", "bound s", "span/bound", "worst wait beyond fair turn s", "within one interval"},
		right:  []bool{false, true, true, true, true, true, true, false},
	}
	if len(samples) == 0 {
		return t
	}
	b := bound(n, limit, interval).Seconds()
	for _, j := range samples[0].jobs {
		var calls, throttled, span []float64
		var worst time.Duration
		for _, s := range samples {
			i := slices.IndexFunc(s.jobs, func(f jobFairness) bool { return f.job == j.job })
			if i < 0 {
				continue
			}
			calls = append(calls, float64(s.jobs[i].calls))
			throttled = append(throttled, float64(s.jobs[i].throttled))
			span = append(span, s.jobs[i].span.Seconds())
			worst = max(worst, s.jobs[i].maxLate)
		}
		within := "yes"
		if worst > interval {
			within = "no"
		}
		t.add(j.job, count(median(calls)), countRange(median(throttled), slices.Min(throttled), slices.Max(throttled)), seconds(median(span)), seconds(b),
			ratio(median(span), b), fmt.Sprintf("%.2f", worst.Seconds()), within)
	}
	return t
}
