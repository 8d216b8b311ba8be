package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
	entrasync "github.com/entrasync/terraform-provider-entrasync/internal/provider"
	"github.com/entrasync/terraform-provider-entrasync/tools/bench/floor"
)

const entrasyncResourceType = "entrasync_provision_on_demand"

// inProcessPlan is a plan of the workload through a provider's server in this process: no CLI,
// no gRPC, nothing but the provider's own work, RPC by RPC.
type inProcessPlan struct {
	sample     rpcPlanSample
	stateBytes float64 // mean size of an instance's state JSON (its attributes in the state file)
	logBytes   float64 // per instance, when the target logs
}

// inProcessTarget is a provider under test and how to configure it against the fake at url.
type inProcessTarget struct {
	name         string
	newProvider  func() provider.Provider
	typeName     string
	configure    func(url string) string // the provider's configuration as JSON
	profileFiles string                  // with -profile: the name the profiles are written under
	logs         bool                    // plan with the SDK's default logs, counted and discarded
}

func entrasyncTarget(redact bool) inProcessTarget {
	name := "entrasync"
	if redact {
		name = "entrasync, redact_personal_data"
	}
	return inProcessTarget{
		name: name, newProvider: entrasync.New("bench"), typeName: entrasyncResourceType, profileFiles: "entrasync",
		configure: func(url string) string {
			return fmt.Sprintf(`{"graph_endpoint":%q,"access_token":"bench-token","rate_limit_requests":0,"redact_personal_data":%t}`, url, redact)
		},
	}
}

var floorTarget = inProcessTarget{
	name: "floor provider", newProvider: floor.New, typeName: floor.ResourceType, profileFiles: "floor",
	configure: func(string) string { return "{}" },
}

// runInProcessPlan applies the workload through target (against a fake without rate limit),
// then plans it runs times; with profileDir, the last plan is CPU-profiled and its allocations
// written, as <profileFiles>-cpu.pprof and <profileFiles>-allocs.pprof.
func runInProcessPlan(ctx context.Context, target inProcessTarget, subjects []scaleSubject, runs int, profileDir string) ([]inProcessPlan, error) {
	srv := fakegraph.New(fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})
	seedScale(srv, subjects)
	url := srv.Start()
	defer srv.Close()
	s, err := newRPCServer(ctx, target.newProvider(), target.typeName, target.configure(url))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", target.name, err)
	}
	instances := make([]appliedInstance, len(subjects))
	total := 0
	for i, subject := range subjects {
		if instances[i], err = s.apply(ctx, scaleResourceJSON(subject)); err != nil {
			return nil, fmt.Errorf("%s: applying resource %d: %w", target.name, i, err)
		}
		total += len(instances[i].state)
	}
	var out []inProcessPlan
	for run := 1; run <= runs; run++ {
		plan := func() error {
			if target.logs {
				if s.logs, err = os.CreateTemp("", "entrasync-bench-logs-"); err != nil {
					return err
				}
				defer os.Remove(s.logs.Name())
				defer s.logs.Close()
			}
			sample, err := s.plan(ctx, instances)
			if err == nil && sample.changed > 0 {
				err = fmt.Errorf("%d of %d resources planned a change; want none", sample.changed, len(instances))
			}
			n := float64(len(subjects))
			plan := inProcessPlan{sample: sample, stateBytes: float64(total) / n}
			if s.logs != nil {
				if st, statErr := s.logs.Stat(); statErr == nil {
					plan.logBytes = float64(st.Size()) / n
				}
			}
			out = append(out, plan)
			return err
		}
		if profileDir != "" && run == runs {
			err = profilePlan(filepath.Join(profileDir, target.profileFiles), plan)
		} else {
			err = plan()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", target.name, err)
		}
	}
	return out, nil
}

// profilePlan writes base-cpu.pprof for plan and base-allocs.pprof (compare with
// base-allocs-before.pprof: go tool pprof -diff_base).
func profilePlan(base string, plan func() error) error {
	if err := writeAllocsProfile(base + "-allocs-before.pprof"); err != nil {
		return err
	}
	if err := writeCPUProfile(base+"-cpu.pprof", plan); err != nil {
		return err
	}
	return writeAllocsProfile(base + "-allocs.pprof")
}

func createFile(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.Create(path)
}

// perResource divides a plan's total by its instances.
func perResource(d time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return d / time.Duration(n)
}

// measureInProcess plans the workload through entrasync's and the floor provider's servers in
// this process, alternating them run by run; then once each with the SDK's logs on, once at the
// larger size, and once with redact_personal_data for the state size.
func (b *bench) measureInProcess(ctx context.Context, o options, r *results) error {
	subjects := scaleWorkload(o.planResources)
	fmt.Fprintf(b.progress, "in-process plan of %d resources, RPC by RPC...\n", len(subjects))
	entrasyncPlain, floorPlain := entrasyncTarget(false), floorTarget
	entrasyncLogs, floorLogs := entrasyncPlain, floorPlain
	entrasyncLogs.logs, floorLogs.logs = true, true
	entrasyncLogs.name, floorLogs.name = "entrasync with logs", "floor provider with logs"
	var m inProcessMeasures
	for _, step := range []struct {
		target   inProcessTarget
		subjects []scaleSubject
		runs     int
		profile  string
		into     *[]inProcessPlan
	}{
		{entrasyncPlain, subjects, o.runs, o.profileDir, &m.entrasync},
		{floorPlain, subjects, o.runs, o.profileDir, &m.floor},
		{entrasyncLogs, subjects, 1, "", &m.entrasyncLogs},
		{floorLogs, subjects, 1, "", &m.floorLogs},
		{entrasyncTarget(true), subjects, 1, "", &m.redacted},
		{entrasyncPlain, scaleWorkload(o.planResourcesLarge), 1, "", &m.entrasyncLarge},
		{floorPlain, scaleWorkload(o.planResourcesLarge), 1, "", &m.floorLarge},
	} {
		if len(step.subjects) == 0 {
			continue
		}
		got, err := runInProcessPlan(ctx, step.target, step.subjects, step.runs, step.profile)
		if err != nil {
			return fmt.Errorf("in-process plan: %w", err)
		}
		*step.into = got
		for _, p := range got {
			fmt.Fprintf(b.progress, "in-process plan of %d, %s: CPU %.2f ms per resource, state %.0f bytes, logs %.0f bytes per resource\n",
				len(step.subjects), step.target.name, float64(perResource(p.sample.cpu, p.sample.instances).Microseconds())/1000, p.stateBytes, p.logBytes)
		}
	}
	r.inProcess, r.stateSize = inProcessTables(m, o.planResourcesLarge)
	r.inProcessN = len(subjects)
	return nil
}

// inProcessMeasures are the in-process plans of measureInProcess.
type inProcessMeasures struct {
	entrasync, floor, entrasyncLogs, floorLogs, redacted, entrasyncLarge, floorLarge []inProcessPlan
}

// inProcessTables: the cost of each RPC per resource (medians of the runs), entrasync beside
// the floor provider, then the state size per resource.
func inProcessTables(m inProcessMeasures, large int) (rpcs, state *table) {
	entrasync, floorPlans := m.entrasync, m.floor
	rpcs = &table{
		header: []string{"RPC (per resource)", "entrasync µs", "floor µs", "ratio", "entrasync KiB allocated", "floor KiB", "entrasync allocations", "floor allocations"},
		right:  []bool{false, true, true, true, true, true, true, true},
	}
	med := func(plans []inProcessPlan, f func(rpcPlanSample) float64) float64 {
		xs := make([]float64, len(plans))
		for i, p := range plans {
			xs[i] = f(p.sample) / float64(max(p.sample.instances, 1))
		}
		return median(xs)
	}
	cost := func(rpc string, f func(rpcCost) float64) func(rpcPlanSample) float64 {
		return func(s rpcPlanSample) float64 { return f(s.byRPC[rpc]) }
	}
	micros := func(c rpcCost) float64 { return float64(c.wall.Nanoseconds()) / 1e3 }
	kib := func(c rpcCost) float64 { return float64(c.allocBytes) / 1024 }
	objects := func(c rpcCost) float64 { return float64(c.allocations) }
	for _, rpc := range planRPCs {
		e, f := med(entrasync, cost(rpc, micros)), med(floorPlans, cost(rpc, micros))
		rpcs.add(rpc, fmt.Sprintf("%.0f", e), fmt.Sprintf("%.0f", f), ratio(e, f),
			fmt.Sprintf("%.1f", med(entrasync, cost(rpc, kib))), fmt.Sprintf("%.1f", med(floorPlans, cost(rpc, kib))),
			count(math.Round(med(entrasync, cost(rpc, objects)))), count(math.Round(med(floorPlans, cost(rpc, objects)))))
	}
	cpu := func(s rpcPlanSample) float64 { return float64(s.cpu.Nanoseconds()) / 1e3 }
	cpuRow := func(label string, e, f []inProcessPlan, kib func([]inProcessPlan) string) {
		if len(e) == 0 || len(f) == 0 {
			return
		}
		ec, fc := med(e, cpu), med(f, cpu)
		rpcs.add(label, fmt.Sprintf("%.0f", ec), fmt.Sprintf("%.0f", fc), ratio(ec, fc), kib(e), kib(f), "", "")
	}
	none := func([]inProcessPlan) string { return "" }
	logKiB := func(plans []inProcessPlan) string { return fmt.Sprintf("%.1f logged", plans[0].logBytes/1024) }
	cpuRow("process CPU, all four", entrasync, floorPlans, none)
	cpuRow("the same, SDK logs on (TRACE)", m.entrasyncLogs, m.floorLogs, logKiB)
	cpuRow(fmt.Sprintf("process CPU, all four, at %d resources", large), m.entrasyncLarge, m.floorLarge, none)

	state = &table{header: []string{"state per resource", "bytes"}, right: []bool{false, true}}
	if len(entrasync) > 0 {
		state.add("entrasync", fmt.Sprintf("%.0f", entrasync[0].stateBytes))
	}
	if len(m.redacted) > 0 {
		state.add("entrasync, redact_personal_data", fmt.Sprintf("%.0f", m.redacted[0].stateBytes))
	}
	if len(floorPlans) > 0 {
		state.add("floor provider", fmt.Sprintf("%.0f", floorPlans[0].stateBytes))
	}
	return rpcs, state
}
