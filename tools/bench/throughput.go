package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// mode is how the client meets the server's limit.
type mode struct {
	name           string
	clientLimit    bool // the provider's limiter matches the server's; false: rate_limit_requests = 0
	omitRetryAfter bool // the server answers 429 without Retry-After
}

var modes = []mode{
	{name: "entrasync (client limiter)", clientLimit: true},
	{name: "no client limit, Retry-After", clientLimit: false},
	{name: "no client limit, no Retry-After", clientLimit: false, omitRetryAfter: true},
}

// throughputSample is one terraform apply of n users through the SCIM job.
type throughputSample struct {
	wall      time.Duration
	span      time.Duration
	requests  int
	throttled int
	created   int
	peakRSS   int64
	calls     []timelineCall
}

func (b *bench) runThroughput(ctx context.Context, m mode, n int) (throughputSample, error) {
	srv := fakegraph.New(fakegraph.Options{
		RateLimitRequests: b.requests,
		RateLimitInterval: b.interval,
		OmitRetryAfter:    m.omitRetryAfter,
	})
	users := benchUsers(n)
	for i, id := range users {
		srv.AddUser(id, benchUserPrincipalName(i), "")
	}
	url := srv.Start()
	defer srv.Close()

	block := providerBlock{endpoint: url, interval: b.interval}
	if m.clientLimit {
		block.requests = b.requests
	}
	cfg := entrasyncConfig(block, []jobTarget{{
		name: "user", servicePrincipalID: fakegraph.SCIMServicePrincipalID, jobID: fakegraph.SCIMJobID,
		ruleID: fakegraph.SCIMUserRuleID, objectType: "User", subjects: users,
	}})
	res, err := b.applyWithFreshProvider(ctx, cfg, b.parallelism)
	if err != nil {
		return throughputSample{}, err
	}
	if res.exitCode != 0 {
		// A failed apply is a figure too (calls that ran out of retries): report it, keep going.
		fmt.Fprintf(b.progress, "  terraform apply exited %d; last lines:\n%s\n", res.exitCode, indent(res.tail))
	}

	s := throughputSample{wall: res.wall, peakRSS: res.provider.peakRSS}
	var first, last time.Time
	for _, r := range srv.Requests() {
		s.requests++
		if r.Operation != fakegraph.OperationProvisionOnDemand {
			continue
		}
		if r.RateLimited {
			s.throttled++
			continue
		}
		if r.Status == http.StatusOK {
			s.created++
		}
		if first.IsZero() || r.Time.Before(first) {
			first = r.Time
		}
		if r.Time.After(last) {
			last = r.Time
		}
	}
	s.span = last.Sub(first)
	s.calls = timelineCalls(srv.Requests())
	return s, nil
}
