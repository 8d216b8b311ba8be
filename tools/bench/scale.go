package main

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/cliconfig"
	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
	"github.com/entrasync/terraform-provider-entrasync/tools/bench/floor"
)

// scaleSetup holds three applied workspaces of the same workload: entrasync, the floor
// provider (the same inputs, a flat status) and terraform_data (Terraform's own floor).
type scaleSetup struct {
	n         int
	srv       *fakegraph.Server
	workspace map[string]*workspace // by scaleKind name
}

// scaleKind is one row of the plan-scale table: a resource type and the provider binary the
// bench starts for it ("" for terraform_data, which is built into Terraform).
type scaleKind struct {
	name     string
	provider string
}

func (b *bench) scaleKinds() []scaleKind {
	return []scaleKind{
		{name: "entrasync_provision_on_demand", provider: b.provider},
		{name: "floor provider", provider: b.floorProvider},
		{name: "terraform_data", provider: ""},
	}
}

func requiredProvider(name, address string) string {
	return fmt.Sprintf("terraform {\n  required_providers {\n    %s = { source = %q }\n  }\n}\n", name, address)
}

// scaleWorkspaceConfig is the workload in the configuration of kind, against the fake at url.
func (b *bench) scaleWorkspaceConfig(kind scaleKind, url string, subjects []scaleSubject) string {
	switch kind.provider {
	case b.provider:
		return scaleConfig(entrasyncConfig(providerBlock{endpoint: url, interval: b.interval}, nil), entrasyncResourceType, subjects)
	case b.floorProvider:
		return scaleConfig(requiredProvider("floor", floor.Address), floor.ResourceType, subjects)
	}
	ids := make([]string, len(subjects))
	for i, s := range subjects {
		ids[i] = s.objectID
	}
	return terraformDataConfig(ids)
}

// prepareScale applies the workload of n resources once for each kind. The fake has no limit
// for this set-up, and the provider none either: the figures are the plans that follow.
func (b *bench) prepareScale(ctx context.Context, n int) (_ *scaleSetup, err error) {
	s := &scaleSetup{n: n, srv: fakegraph.New(fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit}), workspace: map[string]*workspace{}}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	subjects := scaleWorkload(n)
	seedScale(s.srv, subjects)
	url := s.srv.Start()
	for _, kind := range b.scaleKinds() {
		w, err := newWorkspace(b.scaleWorkspaceConfig(kind, url, subjects), attachOnlyCLIConfig)
		if err != nil {
			return nil, err
		}
		s.workspace[kind.name] = w
		res, _, err := b.runWith(ctx, w, kind.provider, "apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", b.parallelism))
		if err != nil {
			return nil, err
		}
		if res.exitCode != 0 {
			return nil, fmt.Errorf("applying %d %s failed:\n%s", n, kind.name, res.tail)
		}
	}
	return s, nil
}

// runWith runs Terraform in w with the provider binary started for this command alone (none for "").
func (b *bench) runWith(ctx context.Context, w *workspace, provider string, args ...string) (runResult, usage, error) {
	if provider == "" {
		res, err := b.tf.run(ctx, w, nil, args...)
		return res, usage{}, err
	}
	p, err := startProvider(ctx, provider, w.dir)
	if err != nil {
		return runResult{}, usage{}, err
	}
	res, runErr := b.tf.run(ctx, w, []string{"TF_REATTACH_PROVIDERS=" + p.reattach}, args...)
	u, stopErr := p.stop()
	return res, u, errors.Join(runErr, stopErr)
}

func (s *scaleSetup) close() {
	for _, w := range s.workspace {
		w.close()
	}
	s.srv.Close()
}

// planSample is one terraform plan of the applied resources.
type planSample struct {
	wall        time.Duration
	terraform   usage
	provider    usage // zero for terraform_data, which has no provider process
	apiRequests int
	providerLog int64 // bytes the provider wrote to stderr: the SDK's logs, at TRACE by default
}

var planArgs = []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}

// plan plans kind's workspace with a provider process started for this plan alone.
func (b *bench) plan(ctx context.Context, s *scaleSetup, kind scaleKind) (planSample, error) {
	before := len(s.srv.Requests())
	res, u, err := b.runWith(ctx, s.workspace[kind.name], kind.provider, planArgs...)
	if err != nil {
		return planSample{}, err
	}
	if res.exitCode != 0 {
		return planSample{}, fmt.Errorf("terraform plan of %d applied %s exited %d (0 = no changes):\n%s", s.n, kind.name, res.exitCode, res.tail)
	}
	sample := planSample{wall: res.wall, terraform: res.usage, provider: u, apiRequests: len(s.srv.Requests()) - before}
	if st, err := os.Stat(filepath.Join(s.workspace[kind.name].dir, "provider.log")); err == nil && kind.provider != "" {
		sample.providerLog = st.Size()
	}
	return sample, nil
}

// scaleSummary is what the goal table and the growth line need of one size.
type scaleSummary struct {
	n                     int
	wallRatio, cpuRatio   float64 // medians of the ratios to the floor provider, pair by pair
	cpuMS, floorCPUMS     float64 // provider CPU per resource, medians
	wallPerResourceMS     float64 // entrasync's plan wall per resource, median
	peakMiB, floorPeakMiB float64
	apiRequests           int // the most any entrasync plan made
}

// scaleRows adds the rows of one size to t: medians of the runs of each kind, the ratios to the
// floor provider pair by pair (run i of entrasync against run i of the floor provider).
func scaleRows(t *table, n int, samples map[string][]planSample) scaleSummary {
	med := func(kind string, f func(planSample) float64) float64 {
		xs := make([]float64, len(samples[kind]))
		for i, s := range samples[kind] {
			xs[i] = f(s)
		}
		return median(xs)
	}
	wall := func(s planSample) float64 { return s.wall.Seconds() }
	cpu := func(s planSample) float64 { return float64(s.provider.cpu.Microseconds()) / 1000 / float64(n) }
	providerRSS := func(s planSample) float64 { return float64(s.provider.peakRSS) }
	tfRSS := func(s planSample) float64 { return float64(s.terraform.peakRSS) }
	logKiB := func(s planSample) float64 { return float64(s.providerLog) / 1024 / float64(n) }
	entrasync, floorRuns := samples["entrasync_provision_on_demand"], samples["floor provider"]
	var wallRatios, cpuRatios []float64
	for i := range min(len(entrasync), len(floorRuns)) {
		wallRatios = append(wallRatios, entrasync[i].wall.Seconds()/floorRuns[i].wall.Seconds())
		cpuRatios = append(cpuRatios, entrasync[i].provider.cpu.Seconds()/max(floorRuns[i].provider.cpu.Seconds(), 1e-9))
	}
	for _, kind := range []string{"entrasync_provision_on_demand", "floor provider", "terraform_data"} {
		row := []string{fmt.Sprintf("%d %s", n, kind), fmt.Sprintf("%.2f", med(kind, wall)), "-", "-", "-", "-", "-", mebibytes(med(kind, tfRSS)), "0"}
		if kind != "terraform_data" {
			row[3], row[5], row[6] = fmt.Sprintf("%.2f", med(kind, cpu)), mebibytes(med(kind, providerRSS)), fmt.Sprintf("%.0f", med(kind, logKiB))
		}
		if kind == "entrasync_provision_on_demand" {
			row[2], row[4] = fmt.Sprintf("%.2f", median(wallRatios)), fmt.Sprintf("%.2f", median(cpuRatios))
		}
		most := 0
		for _, s := range samples[kind] {
			most = max(most, s.apiRequests)
		}
		row[8] = fmt.Sprint(most)
		t.add(row...)
	}
	sum := scaleSummary{
		n: n, wallRatio: median(wallRatios), cpuRatio: median(cpuRatios),
		cpuMS: med("entrasync_provision_on_demand", cpu), floorCPUMS: med("floor provider", cpu),
		wallPerResourceMS: med("entrasync_provision_on_demand", wall) * 1000 / float64(n),
		peakMiB:           med("entrasync_provision_on_demand", providerRSS) / (1 << 20),
		floorPeakMiB:      med("floor provider", providerRSS) / (1 << 20),
	}
	for _, s := range entrasync {
		sum.apiRequests = max(sum.apiRequests, s.apiRequests)
	}
	return sum
}

// goalTable sets the figures of one size against issue 17's goal.
func goalTable(s scaleSummary) *table {
	t := &table{
		header: []string{"figure", "entrasync", "floor provider", "goal", "met"},
		right:  []bool{false, true, true, true, false},
	}
	met := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "no"
	}
	t.add("plan wall, entrasync / floor provider", fmt.Sprintf("%.2fx", s.wallRatio), "1x", "≤ 1.5x", met(s.wallRatio <= 1.5))
	t.add("provider CPU per resource, ms", fmt.Sprintf("%.1f", s.cpuMS), fmt.Sprintf("%.1f", s.floorCPUMS), "≤ 3", met(s.cpuMS <= 3))
	t.add("provider peak memory, MiB", fmt.Sprintf("%.0f", s.peakMiB), fmt.Sprintf("%.0f", s.floorPeakMiB), "≤ 60", met(s.peakMiB <= 60))
	t.add("API requests", fmt.Sprint(s.apiRequests), "0", "0", met(s.apiRequests == 0))
	return t
}

// growth says how entrasync's per-resource figures change from size a to size b: linear growth
// keeps them flat.
func growth(a, b scaleSummary) string {
	return fmt.Sprintf("from %d to %d resources, entrasync's provider CPU per resource goes from %.1f to %.1f ms (x%.2f) and its plan wall "+
		"per resource from %.1f to %.1f ms (x%.2f); the ratio to the floor provider from %.2f to %.2f (wall) and %.2f to %.2f (CPU). "+
		"A factor near 1 is linear growth.",
		a.n, b.n, a.cpuMS, b.cpuMS, b.cpuMS/max(a.cpuMS, 1e-9), a.wallPerResourceMS, b.wallPerResourceMS,
		b.wallPerResourceMS/max(a.wallPerResourceMS, 1e-9), a.wallRatio, b.wallRatio, a.cpuRatio, b.cpuRatio)
}

func newScaleTable() *table {
	return &table{
		header: []string{"resources in state", "plan wall s", "wall / floor provider", "provider CPU ms per resource", "CPU / floor provider",
			"provider peak MiB", "provider log KiB per resource", "Terraform peak MiB", "API requests"},
		right: []bool{false, true, true, true, true, true, true, true, true},
	}
}

// startupSetup holds a workspace whose only provider is entrasync, started by Terraform
// itself through dev_overrides, and a floor workspace with no provider to start.
type startupSetup struct {
	entrasync *workspace
	floor     *workspace
}

func (b *bench) prepareStartup() (_ *startupSetup, err error) {
	s := &startupSetup{}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	cfg := fmt.Sprintf("terraform {\n  required_providers {\n    entrasync = { source = %q }\n  }\n}\n", providerAddress)
	if s.entrasync, err = newWorkspace(cfg, ""); err != nil {
		return nil, err
	}
	// dev_overrides look for terraform-provider-entrasync in a folder: link the binary under that name.
	plugins := filepath.Join(s.entrasync.dir, "plugins")
	abs, err := filepath.Abs(b.provider)
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(plugins, 0o700); err != nil {
		return nil, err
	}
	if err := os.Symlink(abs, filepath.Join(plugins, "terraform-provider-entrasync")); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(s.entrasync.dir, "bench.tfrc"), []byte(cliconfig.DevOverrides(plugins, providerAddress)), 0o600); err != nil {
		return nil, err
	}
	if s.floor, err = newWorkspace(terraformDataConfig(nil), attachOnlyCLIConfig); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *startupSetup) close() {
	for _, w := range []*workspace{s.entrasync, s.floor} {
		if w != nil {
			w.close()
		}
	}
}

// schemaTime times `terraform providers schema -json` in w.
func (b *bench) schemaTime(ctx context.Context, w *workspace) (time.Duration, error) {
	res, err := b.tf.run(ctx, w, nil, "providers", "schema", "-json")
	if err != nil {
		return 0, err
	}
	if res.exitCode != 0 {
		return 0, fmt.Errorf("terraform providers schema -json exited %d:\n%s", res.exitCode, res.tail)
	}
	return res.wall, nil
}

// binaryFacts are the provider binary's size and the modules linked into it.
func binaryFacts(path string) (size int64, modules int, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return st.Size(), 0, err
	}
	return st.Size(), len(info.Deps), nil
}

func startupTable(withProvider, floor []float64, size int64, modules int) *table {
	t := &table{header: []string{"measure", "value"}, right: []bool{false, true}}
	w, f := median(withProvider), median(floor)
	t.add("`providers schema -json` with entrasync, s", fmt.Sprintf("%.3f", w))
	t.add("the same with no provider to start (floor), s", fmt.Sprintf("%.3f", f))
	t.add("provider start-up and schema (difference), s", fmt.Sprintf("%.3f", w-f))
	t.add("provider binary, MiB (-s -w)", mebibytes(float64(size)))
	t.add("Go modules linked into it", fmt.Sprint(modules))
	return t
}
