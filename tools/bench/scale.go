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
)

// scaleSetup holds two applied workspaces of the same size: entrasync resources and the
// terraform_data floor.
type scaleSetup struct {
	srv       *fakegraph.Server
	entrasync *workspace
	floor     *workspace
}

// prepareScale applies n resources of each kind once. The fake has no limit for this set-up,
// and the provider none either: the figures are the plans that follow.
func (b *bench) prepareScale(ctx context.Context, n int) (_ *scaleSetup, err error) {
	s := &scaleSetup{srv: fakegraph.New(fakegraph.Options{RateLimitRequests: fakegraph.NoRateLimit})}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	users := benchUsers(n)
	for i, id := range users {
		s.srv.AddUser(id, benchUserPrincipalName(i), "")
	}
	url := s.srv.Start()
	cfg := entrasyncConfig(providerBlock{endpoint: url, interval: b.interval}, []jobTarget{{
		name: "user", servicePrincipalID: fakegraph.SCIMServicePrincipalID, jobID: fakegraph.SCIMJobID,
		ruleID: fakegraph.SCIMUserRuleID, objectType: "User", subjects: users,
	}})
	if s.entrasync, err = newWorkspace(cfg, attachOnlyCLIConfig); err != nil {
		return nil, err
	}
	p, err := startProvider(ctx, b.provider, s.entrasync.dir)
	if err != nil {
		return nil, err
	}
	res, runErr := b.tf.run(ctx, s.entrasync, []string{"TF_REATTACH_PROVIDERS=" + p.reattach},
		"apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", b.parallelism))
	_, stopErr := p.stop()
	if err := errors.Join(runErr, stopErr); err != nil {
		return nil, err
	}
	if res.exitCode != 0 {
		return nil, fmt.Errorf("applying %d entrasync resources failed:\n%s", n, res.tail)
	}

	if s.floor, err = newWorkspace(terraformDataConfig(users), attachOnlyCLIConfig); err != nil {
		return nil, err
	}
	if res, err = b.tf.run(ctx, s.floor, nil, "apply", "-auto-approve", "-input=false", "-no-color",
		fmt.Sprintf("-parallelism=%d", b.parallelism)); err != nil {
		return nil, err
	}
	if res.exitCode != 0 {
		return nil, fmt.Errorf("applying %d terraform_data failed:\n%s", n, res.tail)
	}
	return s, nil
}

func (s *scaleSetup) close() {
	for _, w := range []*workspace{s.entrasync, s.floor} {
		if w != nil {
			w.close()
		}
	}
	s.srv.Close()
}

// planSample is one terraform plan of the applied resources.
type planSample struct {
	wall        time.Duration
	terraform   usage
	provider    usage // zero for terraform_data, which has no provider process
	apiRequests int
}

var planArgs = []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}

// planEntrasync plans the entrasync workspace with a provider started for this plan alone.
func (b *bench) planEntrasync(ctx context.Context, s *scaleSetup) (planSample, error) {
	p, err := startProvider(ctx, b.provider, s.entrasync.dir)
	if err != nil {
		return planSample{}, err
	}
	before := len(s.srv.Requests())
	res, runErr := b.tf.run(ctx, s.entrasync, []string{"TF_REATTACH_PROVIDERS=" + p.reattach}, planArgs...)
	u, stopErr := p.stop()
	if err := errors.Join(runErr, stopErr); err != nil {
		return planSample{}, err
	}
	if res.exitCode != 0 {
		return planSample{}, fmt.Errorf("terraform plan of the applied entrasync resources exited %d (0 = no changes):\n%s", res.exitCode, res.tail)
	}
	return planSample{wall: res.wall, terraform: res.usage, provider: u, apiRequests: len(s.srv.Requests()) - before}, nil
}

func (b *bench) planFloor(ctx context.Context, s *scaleSetup) (planSample, error) {
	res, err := b.tf.run(ctx, s.floor, nil, planArgs...)
	if err != nil {
		return planSample{}, err
	}
	if res.exitCode != 0 {
		return planSample{}, fmt.Errorf("terraform plan of the applied terraform_data exited %d (0 = no changes):\n%s", res.exitCode, res.tail)
	}
	return planSample{wall: res.wall, terraform: res.usage}, nil
}

func scaleTable(n int, entrasync, floor []planSample) *table {
	t := &table{
		header: []string{"resources in state", "plan wall s", "Terraform peak MiB", "provider CPU s", "provider peak MiB", "API requests"},
		right:  []bool{false, true, true, true, true, true},
	}
	med := func(samples []planSample, f func(planSample) float64) float64 {
		xs := make([]float64, len(samples))
		for i, s := range samples {
			xs[i] = f(s)
		}
		return median(xs)
	}
	wall := func(s planSample) float64 { return s.wall.Seconds() }
	tfRSS := func(s planSample) float64 { return float64(s.terraform.peakRSS) }
	maxRequests := 0
	for _, s := range entrasync {
		maxRequests = max(maxRequests, s.apiRequests)
	}
	t.add(fmt.Sprintf("%d entrasync_provision_on_demand", n), fmt.Sprintf("%.2f", med(entrasync, wall)), mebibytes(med(entrasync, tfRSS)),
		fmt.Sprintf("%.2f", med(entrasync, func(s planSample) float64 { return s.provider.cpu.Seconds() })),
		mebibytes(med(entrasync, func(s planSample) float64 { return float64(s.provider.peakRSS) })), fmt.Sprint(maxRequests))
	t.add(fmt.Sprintf("%d terraform_data (floor)", n), fmt.Sprintf("%.2f", med(floor, wall)), mebibytes(med(floor, tfRSS)), "-", "-", "0")
	t.add("ratio", ratio(med(entrasync, wall), med(floor, wall)), ratio(med(entrasync, tfRSS), med(floor, tfRSS)), "", "", "")
	return t
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
