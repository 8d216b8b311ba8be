//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	fg "github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// sharedWindowHelper, when set, makes TestSharedWindowAcrossProcesses a provider process of its
// own: the value is the fake's URL, followed by the shared directory.
const sharedWindowHelper = "ENTRASYNC_TEST_SHARED_WINDOW_HELPER"

const sharedWindowCalls = 6 // per process; the fake admits 3 per second

// TestSharedWindowAcrossProcesses: two provider processes call one job at once against a strict
// fake. Each alone keeps to 3 calls a second, so together they would send 6; with
// rate_limit_shared_dir they count against one window and the fake answers no 429.
func TestSharedWindowAcrossProcesses(t *testing.T) {
	if url := os.Getenv(sharedWindowHelper); url != "" {
		runSharedWindowProcess(t, url, os.Getenv(sharedWindowHelper+"_DIR"))
		return
	}
	env := newFakeEnv(t, fg.Options{RateLimitRequests: 3, RateLimitInterval: time.Second}, "")
	dir := t.TempDir()
	type process struct {
		cmd *exec.Cmd
		out bytes.Buffer
	}
	var procs []*process
	for range 2 {
		p := &process{cmd: exec.Command(os.Args[0], "-test.run=^TestSharedWindowAcrossProcesses$", "-test.count=1")}
		p.cmd.Env = append(os.Environ(), sharedWindowHelper+"="+env.url, sharedWindowHelper+"_DIR="+dir)
		p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	for _, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("provider process: %v\n%s", err, p.out.String())
		}
	}
	if got := env.provisionCalls(); got != 2*sharedWindowCalls {
		t.Errorf("provision calls = %d, want %d", got, 2*sharedWindowCalls)
	}
	if got := env.throttled(); got != 0 {
		t.Errorf("the fake answered %d calls with 429; the shared window must keep it at 0", got)
	}
}

// runSharedWindowProcess is one provider process: it provisions one after another, as fast as its limiter allows.
func runSharedWindowProcess(t *testing.T, url, dir string) {
	server := configuredServer(t, fmt.Sprintf(`"graph_endpoint": %q, "rate_limit_requests": 3, "rate_limit_interval": "1s", `+
		`"rate_limit_shared_dir": %q, "max_retries": 0`, url, dir))
	for range sharedWindowCalls {
		_, diags := invokeAction(t, server, scimConfig(false, userSubject(fg.UserAdaID)))
		requireNoErrors(t, "InvokeAction", diags)
	}
}
