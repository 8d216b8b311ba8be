package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// timelineDir is the module that draws the throughput timeline (gonum.org/v1/plot), kept out of
// the provider's go.mod.
const timelineDir = "tools/bench/timeline"

// timelineCall is one provisionOnDemand call as the fake saw it: seconds after the apply's
// first call, and whether the rate limit rejected it.
type timelineCall struct {
	Seconds     float64 `json:"seconds"`
	RateLimited bool    `json:"rateLimited"`
}

type timelineMode struct {
	Name  string         `json:"name"`
	Calls []timelineCall `json:"calls"`
}

// timelineCalls picks the provisionOnDemand calls out of the fake's request log.
func timelineCalls(log []fakegraph.LoggedRequest) []timelineCall {
	var first time.Time
	var calls []timelineCall
	for _, r := range log {
		if r.Operation != fakegraph.OperationProvisionOnDemand {
			continue
		}
		if first.IsZero() || r.Time.Before(first) {
			first = r.Time
		}
	}
	for _, r := range log {
		if r.Operation == fakegraph.OperationProvisionOnDemand {
			calls = append(calls, timelineCall{Seconds: r.Time.Sub(first).Seconds(), RateLimited: r.RateLimited})
		}
	}
	return calls
}

// drawTimeline writes the modes' calls as an image at path (.svg or .png) with tools/bench/timeline.
func drawTimeline(ctx context.Context, path string, limit int, interval time.Duration, modes []timelineMode) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	in, err := json.Marshal(map[string]any{"limit": limit, "intervalSeconds": interval.Seconds(), "modes": modes})
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "run", ".", "-out", abs)
	cmd.Dir = timelineDir
	cmd.Env = cleanEnv()
	cmd.Stdin = bytes.NewReader(in)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("drawing the timeline: %w\n%s", err, out)
	}
	return nil
}
