package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// The team scenario: one resource provisions a group of teamMembers members (in batches of 5)
// next to squadCount resources that each provision a group of 5, all through one job in one apply.
const (
	teamMembers = 100
	squadCount  = 20
	squadSize   = 5
)

// teamSample is one apply of the team scenario.
type teamSample struct {
	wall      time.Duration
	calls     int // provisionOnDemand calls admitted
	throttled int
	span      time.Duration // first call to last, as the fake saw them
	teamSpan  time.Duration // the team resource's first call to its last
}

// teamConfig is the scenario's configuration: the team sends Platform with members users[0:100],
// each of squads resources Payments with 5 others (the fake does not check that members belong
// to the group).
func teamConfig(p providerBlock, users []string, squads int) string {
	squadLists := []string{}
	for i := range squads {
		start := teamMembers + i*squadSize
		squadLists = append(squadLists, hclList(users[start:start+squadSize]))
	}
	members := func(expr string) string {
		return `[for id in ` + expr + ` : { object_id = id, object_type_name = "User" }]`
	}
	return entrasyncConfig(p, nil) + fmt.Sprintf(`
locals {
  team   = %s
  squads = [%s]
}

resource "entrasync_provision_on_demand" "team" {
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = "Group", links = { members = %s } }] }]
}

resource "entrasync_provision_on_demand" "squad" {
  count                  = length(local.squads)
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{ rule_id = %q, subjects = [{ object_id = %q, object_type_name = "Group", links = { members = %s } }] }]
}
`, hclList(users[:teamMembers]), strings.Join(squadLists, ", "),
		fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, fakegraph.SCIMGroupRuleID, fakegraph.GroupPlatformID, members("local.team"),
		fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, fakegraph.SCIMGroupRuleID, fakegraph.GroupPaymentsID, members("local.squads[count.index]"))
}

func (b *bench) runTeam(ctx context.Context, squads int) (teamSample, error) {
	srv := fakegraph.New(fakegraph.Options{RateLimitRequests: b.requests, RateLimitInterval: b.interval})
	users := benchUsers(teamMembers + squadCount*squadSize)
	for i, id := range users {
		srv.AddUser(id, benchUserPrincipalName(i), "")
	}
	url := srv.Start()
	defer srv.Close()

	res, err := b.applyWithFreshProvider(ctx, teamConfig(providerBlock{endpoint: url, requests: b.requests, interval: b.interval}, users, squads), b.parallelism)
	if err != nil {
		return teamSample{}, err
	}
	if res.exitCode != 0 {
		fmt.Fprintf(b.progress, "  terraform apply exited %d; last lines:\n%s\n", res.exitCode, indent(res.tail))
	}
	s := teamSample{wall: res.wall}
	var all, team [2]time.Time
	for _, r := range srv.Requests() {
		if r.Operation != fakegraph.OperationProvisionOnDemand {
			continue
		}
		if r.RateLimited {
			s.throttled++
			continue
		}
		s.calls++
		widen(&all, r.Time)
		if len(r.Subjects) == 1 && strings.EqualFold(r.Subjects[0].ObjectID, fakegraph.GroupPlatformID) {
			widen(&team, r.Time)
		}
	}
	s.span, s.teamSpan = all[1].Sub(all[0]), team[1].Sub(team[0])
	return s, nil
}

// widen stretches the interval span to include t.
func widen(span *[2]time.Time, t time.Time) {
	if span[0].IsZero() || t.Before(span[0]) {
		span[0] = t
	}
	if t.After(span[1]) {
		span[1] = t
	}
}

// measureTeams runs the team alone and next to the squads, alternating, once each per run.
func (b *bench) measureTeams(ctx context.Context, o options, r *results) error {
	samples := map[int][]teamSample{}
	variants := []int{squadCount, 0}
	for run := 1; run <= o.runs; run++ {
		for _, squads := range variants {
			s, err := b.runTeam(ctx, squads)
			if err != nil {
				return fmt.Errorf("teams: %w", err)
			}
			samples[squads] = append(samples[squads], s)
			fmt.Fprintf(b.progress, "run %d/%d teams: 1 x %d members + %d x %d, wall %.1fs, %d calls, span %.1fs, team span %.1fs, %d 429s\n",
				run, o.runs, teamMembers, squads, squadSize, s.wall.Seconds(), s.calls, s.span.Seconds(), s.teamSpan.Seconds(), s.throttled)
		}
	}
	t := &table{
		header: []string{"scenario", "calls", "429s (most)", "wall s", "calls span s", "bound s", "team span s"},
		right:  []bool{false, true, true, true, true, true, true},
	}
	for _, squads := range variants {
		t.add(teamRow(squads, samples[squads], o)...)
	}
	r.teams = t
	return nil
}

// teamRow is the table row of one variant: medians, and the most 429s of any run.
func teamRow(squads int, samples []teamSample, o options) []string {
	pick := func(f func(teamSample) float64) string {
		xs := make([]float64, len(samples))
		for i, s := range samples {
			xs[i] = f(s)
		}
		return seconds(median(xs))
	}
	most := 0
	for _, s := range samples {
		most = max(most, s.throttled)
	}
	name := fmt.Sprintf("1 group of %d members alone", teamMembers)
	if squads > 0 {
		name = fmt.Sprintf("1 group of %d members + %d groups of %d", teamMembers, squads, squadSize)
	}
	calls := teamMembers/squadSize + squads
	return []string{name, fmt.Sprint(calls), fmt.Sprint(most), pick(func(s teamSample) float64 { return s.wall.Seconds() }),
		pick(func(s teamSample) float64 { return s.span.Seconds() }), seconds(bound(calls, o.requests, o.interval).Seconds()),
		pick(func(s teamSample) float64 { return s.teamSpan.Seconds() })}
}

// teamsMarkdown is the section of the team scenario.
func (r *results) teamsMarkdown() string {
	if r.teams == nil {
		return ""
	}
	return fmt.Sprintf("\n## A team in batches next to small groups\n\n%s\n", r.teams) +
		fmt.Sprintf("- One `terraform apply -parallelism=%d`: one resource sends a group with %d members (`links.members`, %d calls of 5), "+
			"alone, and next to %d resources that each send a group with %d members (one call each), all through one job.\n",
			r.parallelism, teamMembers, teamMembers/squadSize, squadCount, squadSize) +
		fmt.Sprintf("- bound: (ceil(calls / %d) - 1) x %s, the least time from the first call to the last. team span: the team's first "+
			"call to its last; next to the other groups it shares the job's window with them, first come first served. "+
			"429s: the most of any run (the limiter must keep it at 0).\n", r.requests, r.interval)
}
