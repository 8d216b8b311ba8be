package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// twoAppliesPerRun is the resources of each of the two applies on one job (issue 13's scenario).
const twoAppliesPerRun = 15

// measureTwoApplies runs two applies of 15 resources each on one job at once, each with its own
// provider process, against a fake that sends no Retry-After: with each process counting alone,
// then with rate_limit_shared_dir. It prints its figures (429s, wall of the slower apply).
func (b *bench) measureTwoApplies(ctx context.Context, o options, r *results) error {
	r.twoApplies = &table{
		header: []string{fmt.Sprintf("two applies x %d on one job", twoAppliesPerRun), "run", "wall s (slower apply)", "429s", "created"},
		right:  []bool{false, true, true, true, true},
	}
	for run := 1; run <= o.runs; run++ {
		for _, shared := range []bool{false, true} {
			wall, throttled, created, err := b.runTwoApplies(ctx, shared)
			if err != nil {
				return err
			}
			name := "each process alone"
			if shared {
				name = "rate_limit_shared_dir"
			}
			fmt.Fprintf(b.progress, "two applies, %s, run %d/%d: %.1fs, %d 429s, %d/%d created\n", name, run, o.runs, wall.Seconds(), throttled, created, 2*twoAppliesPerRun)
			r.twoApplies.add(name, fmt.Sprint(run), seconds(wall.Seconds()), fmt.Sprint(throttled), fmt.Sprintf("%d/%d", created, 2*twoAppliesPerRun))
		}
	}
	return nil
}

// twoAppliesMarkdown is the section of the two-applies scenario.
func (r *results) twoAppliesMarkdown() string {
	if r.twoApplies == nil {
		return ""
	}
	return fmt.Sprintf("\n## Two applies on one job at once\n\n%s\n", r.twoApplies) +
		fmt.Sprintf("- Two `terraform apply` of %d resources each, each with its own provider process, started together on one job; "+
			"the fake admits %d calls per %s and answers 429 without `Retry-After`. Alone, each process keeps to its limit and together "+
			"they send twice that; with `rate_limit_shared_dir` they count against one window in a file. "+
			"Bound for %d calls: (%d / %d - 1) x %s = %s.\n",
			twoAppliesPerRun, r.requests, r.interval, 2*twoAppliesPerRun, 2*twoAppliesPerRun, r.requests, r.interval,
			bound(2*twoAppliesPerRun, r.requests, r.interval))
}

func (b *bench) runTwoApplies(ctx context.Context, shared bool) (wall time.Duration, throttled, created int, err error) {
	srv := fakegraph.New(fakegraph.Options{RateLimitRequests: b.requests, RateLimitInterval: b.interval, OmitRetryAfter: true})
	users := benchUsers(2 * twoAppliesPerRun)
	for i, id := range users {
		srv.AddUser(id, benchUserPrincipalName(i), "")
	}
	url := srv.Start()
	defer srv.Close()
	dir, err := os.MkdirTemp("", "entrasync-bench-window-")
	if err != nil {
		return 0, 0, 0, err
	}
	defer os.RemoveAll(dir)

	var wg sync.WaitGroup
	walls := make([]time.Duration, 2)
	errs := make([]error, 2)
	for i := range 2 {
		cfg := entrasyncConfig(providerBlock{endpoint: url, requests: b.requests, interval: b.interval}, []jobTarget{{
			name: "user", servicePrincipalID: fakegraph.SCIMServicePrincipalID, jobID: fakegraph.SCIMJobID,
			ruleID: fakegraph.SCIMUserRuleID, objectType: "User", subjects: users[i*twoAppliesPerRun : (i+1)*twoAppliesPerRun],
		}})
		if shared {
			cfg = strings.Replace(cfg, "  rate_limit_interval", fmt.Sprintf("  rate_limit_shared_dir = %q\n  rate_limit_interval", dir), 1)
		}
		wg.Go(func() {
			res, err := b.applyWithFreshProvider(ctx, cfg, b.parallelism)
			walls[i], errs[i] = res.wall, err
		})
	}
	wg.Wait()
	for _, r := range srv.Requests() {
		if r.Operation == fakegraph.OperationProvisionOnDemand && r.RateLimited {
			throttled++
		} else if r.Operation == fakegraph.OperationProvisionOnDemand && r.Status == 200 {
			created++
		}
	}
	return max(walls[0], walls[1]), throttled, created, errors.Join(errs...)
}
