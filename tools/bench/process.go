package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// cleanEnv is the bench's environment without the caller's Terraform, provider and Azure
// settings: a TF_CLI_ARGS, TF_LOG or ENTRASYNC_* of the caller must not change the figures.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "ENTRASYNC_") ||
			strings.HasPrefix(name, "ARM_") || strings.HasPrefix(name, "CHECKPOINT_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// usage is what the kernel counted for a process.
type usage struct {
	peakRSS int64         // bytes: the process's VmHWM (see peakOf)
	cpu     time.Duration // user + system
}

// usageOf is the CPU time of a process that has exited, with the peak memory read while it ran.
//
// The peak is not the ru_maxrss of wait4: os/exec starts a child with vfork, and Linux carries
// the high-water mark of the memory the child shared until exec (the bench's own, hundreds of MiB
// after the in-process plans) into the child's ru_maxrss, so every child then reads as large as
// the bench. VmHWM in /proc/{pid}/status counts only the program's own memory.
func usageOf(ps *os.ProcessState, peakRSS int64) usage {
	return usage{cpu: ps.UserTime() + ps.SystemTime(), peakRSS: peakRSS}
}

// vmHWM is the peak resident memory of a running process in bytes, from /proc/{pid}/status.
func vmHWM(pid int) (int64, bool) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	return parseVMHWM(string(status))
}

// parseVMHWM reads the line "VmHWM:	  123456 kB" of a /proc status file.
func parseVMHWM(status string) (int64, bool) {
	for line := range strings.SplitSeq(status, "\n") {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		var kib int64
		if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kib); err != nil {
			return 0, false
		}
		return kib << 10, true
	}
	return 0, false
}

// watchPeak samples the VmHWM of pid every 10 ms until stop is called and returns the last (the
// largest: it only grows). For a process that exits on its own, such as Terraform, it can miss
// what the last 10 ms added.
func watchPeak(pid int) (stop func() int64) {
	done, result := make(chan struct{}), make(chan int64, 1)
	go func() {
		var peak int64
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if v, ok := vmHWM(pid); ok {
				peak = max(peak, v)
			}
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-result
	}
}

// providerProcess is the provider binary started by the bench with -debug, so that the bench
// owns the process and reads its peak memory and CPU time when it exits; Terraform attaches to
// it through TF_REATTACH_PROVIDERS instead of starting one of its own.
type providerProcess struct {
	cmd      *exec.Cmd
	reattach string
	exited   chan struct{}
}

// reattachPrefix starts the line of the debug banner that holds the reattach configuration.
const reattachPrefix = "TF_REATTACH_PROVIDERS='"

// parseReattachLine returns the JSON of a banner line such as
// `	TF_REATTACH_PROVIDERS='{"registry.terraform.io/...":{...}}'`.
func parseReattachLine(line string) (string, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, reattachPrefix) || !strings.HasSuffix(line, "'") || len(line) <= len(reattachPrefix) {
		return "", false
	}
	value := line[len(reattachPrefix) : len(line)-1]
	var providers map[string]json.RawMessage
	if json.Unmarshal([]byte(value), &providers) != nil || len(providers) == 0 {
		return "", false
	}
	return value, true
}

// startProvider starts binary -debug with its log in dir/provider.log and waits for its banner.
func startProvider(ctx context.Context, binary, dir string) (*providerProcess, error) {
	logFile, err := os.Create(filepath.Join(dir, "provider.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	// An os.Pipe rather than StdoutPipe: the banner is read before Wait, the rest drained after.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, "-debug")
	cmd.Env = cleanEnv()
	cmd.Stdout = w
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("starting the provider %s: %w", binary, err)
	}
	w.Close()
	p := &providerProcess{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()

	found := make(chan string, 1)
	go func() {
		defer r.Close()
		scanner := bufio.NewScanner(r)
		scanner.Buffer(make([]byte, 64<<10), 1<<20)
		for scanner.Scan() {
			if v, ok := parseReattachLine(scanner.Text()); ok {
				found <- v
				break
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	select {
	case p.reattach = <-found:
		return p, nil
	case <-p.exited:
		return nil, fmt.Errorf("the provider exited before it was ready: %s", tail(filepath.Join(dir, "provider.log"), 10))
	case <-timeout.C:
		err = errors.New("the provider printed no TF_REATTACH_PROVIDERS within 30s")
	case <-ctx.Done():
		err = ctx.Err()
	}
	_, _ = p.stop()
	return nil, err
}

// stop interrupts the provider (its debug server stops on SIGINT), kills it if it lingers,
// and returns what it used over its whole life.
func (p *providerProcess) stop() (usage, error) {
	peak, _ := vmHWM(p.cmd.Process.Pid) // exact: its work is done, and it is still running
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	if p.cmd.ProcessState == nil {
		return usage{}, errors.New("the provider's exit was not recorded")
	}
	return usageOf(p.cmd.ProcessState, peak), nil
}

// terraformCLI runs the Terraform or OpenTofu binary at path.
type terraformCLI struct {
	path    string
	timeout time.Duration // per command
}

// workspace is a temporary working directory with its own CLI configuration; nothing of it
// lands in the repository.
type workspace struct {
	dir string
}

func newWorkspace(config, cliConfig string) (*workspace, error) {
	dir, err := os.MkdirTemp("", "entrasync-bench-")
	if err != nil {
		return nil, err
	}
	w := &workspace{dir: dir}
	for name, content := range map[string]string{"main.tf": config, "bench.tfrc": cliConfig} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			w.close()
			return nil, err
		}
	}
	return w, nil
}

func (w *workspace) close() { _ = os.RemoveAll(w.dir) }

// attachOnlyCLIConfig installs nothing: the provider under test is attached, terraform_data is built in.
const attachOnlyCLIConfig = "# entrasync bench: no provider installation; the provider is attached with TF_REATTACH_PROVIDERS.\n"

type runResult struct {
	wall     time.Duration
	exitCode int
	usage    usage  // of the Terraform process
	tail     string // the last lines of its output, for reports of failures
}

// run runs Terraform in w with w's CLI configuration. An error means it could not run at all;
// a non-zero exit code is part of the result.
func (tf terraformCLI) run(ctx context.Context, w *workspace, extraEnv []string, args ...string) (runResult, error) {
	ctx, cancel := context.WithTimeout(ctx, tf.timeout)
	defer cancel()
	logPath := filepath.Join(w.dir, "terraform.log")
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return runResult{}, err
	}
	defer out.Close()
	fmt.Fprintf(out, "\n$ %s %s\n", filepath.Base(tf.path), strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, tf.path, args...)
	cmd.Dir = w.dir
	cmd.Env = cleanEnv(append([]string{
		"TF_CLI_CONFIG_FILE=" + filepath.Join(w.dir, "bench.tfrc"),
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	}, extraEnv...)...)
	cmd.Stdout, cmd.Stderr = out, out
	// Interrupt first so Terraform can release its state lock and stop its provider calls.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return runResult{}, fmt.Errorf("running %s: %w", tf.path, err)
	}
	stopWatching := watchPeak(cmd.Process.Pid)
	err = cmd.Wait()
	res := runResult{wall: time.Since(start)}
	peak := stopWatching()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return res, fmt.Errorf("running %s: %w", tf.path, err)
	}
	res.exitCode = cmd.ProcessState.ExitCode()
	res.usage = usageOf(cmd.ProcessState, peak)
	if ctx.Err() != nil {
		fmt.Fprintf(out, "bench: stopped after %s\n", tf.timeout)
	}
	if res.exitCode != 0 {
		res.tail = tail(logPath, 30)
	}
	return res, nil
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// version is the first line of `terraform version`, such as "Terraform v1.11.4".
func (tf terraformCLI) version(ctx context.Context) (string, error) {
	cmd := exec.CommandContext(ctx, tf.path, "version")
	cmd.Env = cleanEnv("CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+os.DevNull)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", tf.path, err)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return first, nil
}

// applyResult is one terraform apply against a provider the bench started for it.
type applyResult struct {
	runResult
	provider usage
}

// applyWithFreshProvider applies cfg in a new workspace with a new provider process.
func (b *bench) applyWithFreshProvider(ctx context.Context, cfg string, parallelism int) (applyResult, error) {
	w, err := newWorkspace(cfg, attachOnlyCLIConfig)
	if err != nil {
		return applyResult{}, err
	}
	defer w.close()
	p, err := startProvider(ctx, b.provider, w.dir)
	if err != nil {
		return applyResult{}, err
	}
	res, runErr := b.tf.run(ctx, w, []string{"TF_REATTACH_PROVIDERS=" + p.reattach},
		"apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", parallelism))
	u, stopErr := p.stop()
	if err := errors.Join(runErr, stopErr); err != nil {
		return applyResult{}, err
	}
	return applyResult{runResult: res, provider: u}, nil
}

// indent prefixes every line of s with four spaces.
func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
