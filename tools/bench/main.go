// Command bench measures the provider against the fake Graph service on loopback: throughput at
// the rate limit with the provider's limiter and without it (with and without Retry-After),
// fairness across jobs, plan at scale, start-up, and the Go benchmarks of internal/graph.
// `make bench` runs it; -write records the figures in bench/RESULTS.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// bench holds the settings every scenario shares.
type bench struct {
	tf          terraformCLI
	provider    string
	requests    int
	interval    time.Duration
	parallelism int
	progress    io.Writer
	// floorProvider is the floor provider's binary, built by measureScale.
	floorProvider string
}

// intList is a flag of comma-separated positive integers.
type intList []int

func (l *intList) String() string {
	parts := make([]string, len(*l))
	for i, n := range *l {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func (l *intList) Set(v string) error {
	var out intList
	for _, part := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a positive whole number", part)
		}
		out = append(out, n)
	}
	*l = out
	return nil
}

// options are the parsed flags.
type options struct {
	terraform, provider, resultsPath  string
	ns                                intList
	requests, parallelism, runs       int
	planResources, planResourcesLarge int
	interval, timeout                 time.Duration
	throughput, fairness, startup     bool
	cliPlan, cliPlanLarge, inProcess  bool
	teams, twoApplies                 bool
	profileDir                        string
	goBench                           bool
	write                             bool
	command                           string // the make command that reproduces the run
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{ns: intList{30}}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	terraform := os.Getenv("TF_CLI")
	if terraform == "" {
		terraform = "terraform"
	}
	fs.StringVar(&o.terraform, "terraform", terraform, "Terraform or OpenTofu `binary` (default $TF_CLI, else terraform on PATH)")
	fs.StringVar(&o.provider, "provider", "bin/terraform-provider-entrasync", "provider `binary` under test")
	fs.Var(&o.ns, "n", "resources per apply, comma-separated for several rows (e.g. 30,100)")
	fs.IntVar(&o.requests, "requests", 5, "provisionOnDemand calls admitted per job in any window of -interval")
	fs.DurationVar(&o.interval, "interval", 2*time.Second, "rate-limit window (10s is Graph's)")
	fs.IntVar(&o.parallelism, "parallelism", 10, "terraform apply -parallelism")
	fs.IntVar(&o.runs, "runs", 3, "runs of every scenario; tables show medians")
	fs.IntVar(&o.planResources, "plan-resources", 500, "resources in state for the plan scale test; 0 skips it")
	fs.IntVar(&o.planResourcesLarge, "plan-resources-large", 2000, "resources in state for a second, larger plan (growth must be linear); 0 skips it")
	fs.BoolVar(&o.throughput, "throughput", true, "measure throughput at the rate limit in the three modes")
	fs.BoolVar(&o.fairness, "fairness", true, "measure 3 jobs provisioned at once")
	fs.BoolVar(&o.cliPlan, "cli-plan", true, "plan -plan-resources and -plan-resources-large with Terraform")
	fs.BoolVar(&o.cliPlanLarge, "cli-plan-large", true, "plan -plan-resources-large with Terraform too (in process it always is)")
	fs.BoolVar(&o.inProcess, "in-process", true, "plan -plan-resources through the providers' servers in this process, RPC by RPC")
	fs.StringVar(&o.profileDir, "profile", "", "write CPU and allocation profiles of the in-process plans into `dir`")
	fs.BoolVar(&o.startup, "startup", true, "measure provider start-up")
	fs.BoolVar(&o.teams, "teams", true, "measure one group of 100 members in batches next to 20 groups of 5")
	fs.BoolVar(&o.twoApplies, "two-applies", true, "measure two applies on one job at once, with and without rate_limit_shared_dir")
	fs.BoolVar(&o.goBench, "gobench", true, "run the Go benchmarks of "+goBenchmarkPackage)
	fs.DurationVar(&o.timeout, "timeout", 20*time.Minute, "limit of one Terraform command")
	fs.BoolVar(&o.write, "write", false, "write the results to -results")
	fs.StringVar(&o.resultsPath, "results", "bench/RESULTS.md", "Markdown `file` written with -write")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.requests < 1:
		return o, errors.New("-requests must be 1 or more")
	case o.interval <= 0:
		return o, errors.New("-interval must be positive")
	case o.parallelism < 1:
		return o, errors.New("-parallelism must be 1 or more")
	case o.runs < 1:
		return o, errors.New("-runs must be 1 or more")
	case o.planResources < 0 || o.planResourcesLarge < 0:
		return o, errors.New("-plan-resources and -plan-resources-large must be 0 or more")
	case o.timeout <= 0:
		return o, errors.New("-timeout must be positive")
	}
	var set []string
	fs.Visit(func(f *flag.Flag) {
		// make passes the binaries' paths; they are not part of what a reader types
		if f.Name != "terraform" && f.Name != "provider" {
			set = append(set, flagArg(f))
		}
	})
	o.command = benchCommand(set)
	return o, nil
}

func flagArg(f *flag.Flag) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() && f.Value.String() == "true" {
		return "-" + f.Name
	}
	return "-" + f.Name + "=" + f.Value.String()
}

// benchCommand is the make command that passes args to the bench.
func benchCommand(args []string) string {
	if len(args) == 0 {
		return "make bench"
	}
	return `make bench BENCH_FLAGS="` + strings.Join(args, " ") + `"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "bench:", err)
		}
		return 2
	}
	if err := measure(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	return 0
}

func measure(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if _, err := os.Stat(o.provider); err != nil {
		return fmt.Errorf("provider binary: %w (make build writes bin/terraform-provider-entrasync)", err)
	}
	b := &bench{
		tf:          terraformCLI{path: o.terraform, timeout: o.timeout},
		provider:    o.provider,
		requests:    o.requests,
		interval:    o.interval,
		parallelism: o.parallelism,
		progress:    stderr,
	}
	r := &results{
		command: o.command, date: time.Now().UTC(), machine: machineFacts(), goVersion: runtime.Version(),
		loadStart: loadAverage(), requests: o.requests, interval: o.interval, parallelism: o.parallelism, runs: o.runs,
	}
	var err error
	if r.terraform, err = b.tf.version(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "bench: %s, %s; fake Graph: %d calls per %s sliding window; %d run(s)\n",
		r.terraform, o.provider, o.requests, o.interval, o.runs)

	for _, section := range []struct {
		on      bool
		measure func(context.Context, options, *results) error
	}{
		{o.throughput, b.measureThroughput},
		{o.fairness, b.measureFairness},
		{o.teams, b.measureTeams},
		{o.planResources > 0 && o.inProcess, b.measureInProcess},
		{o.planResources > 0 && o.cliPlan, b.measureScale},
		{o.startup, b.measureStartup},
		{o.twoApplies, b.measureTwoApplies},
	} {
		if section.on {
			if err := section.measure(ctx, o, r); err != nil {
				return err
			}
		}
	}
	if o.goBench {
		fmt.Fprintln(stderr, "go test -bench", goBenchmarkPackage)
		if r.goBench, err = runGoBenchmarks(ctx, stderr); err != nil {
			return fmt.Errorf("go benchmarks: %w", err)
		}
	}

	r.loadEnd = loadAverage()
	if o.write {
		if err := os.MkdirAll(filepath.Dir(o.resultsPath), 0o755); err != nil {
			return err
		}
	}
	if o.write && len(r.timeline) > 0 {
		r.timelineFile = "throughput-timeline.svg"
		path := filepath.Join(filepath.Dir(o.resultsPath), r.timelineFile)
		if err := drawTimeline(ctx, path, o.requests, o.interval, r.timeline); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "bench: wrote", path)
	}
	doc := r.markdown()
	fmt.Fprint(stdout, doc)
	if o.write {
		if err := os.WriteFile(o.resultsPath, []byte(doc), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "bench: wrote", o.resultsPath)
	}
	return nil
}

// measureThroughput runs every mode at every N in each run: the modes alternate, so a busy
// spell of the machine hits them all alike.
func (b *bench) measureThroughput(ctx context.Context, o options, r *results) error {
	samples := map[string][]throughputSample{}
	key := func(m mode, n int) string { return fmt.Sprintf("%s/%d", m.name, n) }
	for run := 1; run <= o.runs; run++ {
		for _, n := range o.ns {
			for _, m := range modes {
				s, err := b.runThroughput(ctx, m, n)
				if err != nil {
					return fmt.Errorf("%s, N=%d: %w", m.name, n, err)
				}
				samples[key(m, n)] = append(samples[key(m, n)], s)
				fmt.Fprintf(b.progress, "run %d/%d N=%d %-32s wall %5.1fs span %5.1fs, %d requests, %d 429s, %d/%d created, provider %s MiB\n",
					run, o.runs, n, m.name, s.wall.Seconds(), s.span.Seconds(), s.requests, s.throttled, s.created, n, mebibytes(float64(s.peakRSS)))
			}
		}
	}
	// The timeline shows the last run at the first N, mode by mode.
	for _, m := range modes {
		runs := samples[key(m, o.ns[0])]
		r.timeline = append(r.timeline, timelineMode{Name: m.name, Calls: runs[len(runs)-1].calls})
	}
	var rows []throughputRow
	for _, n := range o.ns {
		for _, m := range modes {
			rows = append(rows, summariseThroughput(m.name, n, o.requests, o.interval, samples[key(m, n)]))
		}
	}
	r.throughput, r.timelineN = throughputTable(rows), o.ns[0]
	return nil
}

// measureFairness provisions 3 jobs x the first N at once, once per run.
func (b *bench) measureFairness(ctx context.Context, o options, r *results) error {
	n := o.ns[0]
	var samples []fairnessSample
	var walls []float64
	for run := 1; run <= o.runs; run++ {
		s, err := b.runFairness(ctx, n)
		if err != nil {
			return fmt.Errorf("fairness: %w", err)
		}
		samples, walls = append(samples, s), append(walls, s.wall.Seconds())
		fmt.Fprintf(b.progress, "run %d/%d fairness: 3 jobs x %d at once, wall %.1fs;", run, o.runs, n, s.wall.Seconds())
		for _, j := range s.jobs {
			fmt.Fprintf(b.progress, " %s %d 429s, %.2fs beyond fair turn;", j.job, j.throttled, j.maxLate.Seconds())
		}
		fmt.Fprintln(b.progress)
	}
	r.fairness, r.fairnessN, r.fairnessWall = fairnessTable(samples, n, o.requests, o.interval), n, median(walls)
	return nil
}

// measureScale applies the workload once per size and kind, then plans each kind once per run,
// the kinds alternating so that a busy spell of the machine hits them all alike.
func (b *bench) measureScale(ctx context.Context, o options, r *results) error {
	dir, err := os.MkdirTemp("", "entrasync-bench-floor-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b.floorProvider = filepath.Join(dir, "terraform-provider-floor")
	if err := buildFloorProvider(ctx, b.floorProvider); err != nil {
		return fmt.Errorf("plan scale: %w", err)
	}
	r.scale, r.scaleN = newScaleTable(), o.planResources
	var sizes []scaleSummary
	for _, n := range []int{o.planResources, o.planResourcesLarge} {
		if n == 0 || (n == o.planResourcesLarge && !o.cliPlanLarge) {
			continue
		}
		fmt.Fprintf(b.progress, "scale: applying %d resources of each kind once...\n", n)
		s, err := b.prepareScale(ctx, n)
		if err != nil {
			return fmt.Errorf("plan scale: %w", err)
		}
		samples := map[string][]planSample{}
		for run := 1; run <= o.runs; run++ {
			for _, kind := range b.scaleKinds() {
				p, err := b.plan(ctx, s, kind)
				if err != nil {
					s.close()
					return fmt.Errorf("plan scale: %w", err)
				}
				samples[kind.name] = append(samples[kind.name], p)
				fmt.Fprintf(b.progress, "run %d/%d plan of %d %s: %.2fs, provider CPU %.2fs, %d API requests\n",
					run, o.runs, n, kind.name, p.wall.Seconds(), p.provider.cpu.Seconds(), p.apiRequests)
			}
		}
		s.close()
		sizes = append(sizes, scaleRows(r.scale, n, samples))
	}
	if len(sizes) > 0 {
		r.goal = goalTable(sizes[0])
	}
	if len(sizes) > 1 {
		r.growth = growth(sizes[0], sizes[1])
	}
	return nil
}

// buildFloorProvider builds the floor provider of tools/bench/floor into path.
func buildFloorProvider(ctx context.Context, path string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", path, "./tools/bench/cmd/terraform-provider-floor")
	cmd.Env = cleanEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the floor provider: %w\n%s", err, out)
	}
	return nil
}

// measureStartup times the provider's schema through Terraform against the floor, once per run.
func (b *bench) measureStartup(ctx context.Context, o options, r *results) error {
	s, err := b.prepareStartup()
	if err != nil {
		return fmt.Errorf("start-up: %w", err)
	}
	defer s.close()
	var withProvider, floor []float64
	for run := 1; run <= o.runs; run++ {
		e, err := b.schemaTime(ctx, s.entrasync)
		if err != nil {
			return fmt.Errorf("start-up: %w", err)
		}
		f, err := b.schemaTime(ctx, s.floor)
		if err != nil {
			return fmt.Errorf("start-up: %w", err)
		}
		withProvider, floor = append(withProvider, e.Seconds()), append(floor, f.Seconds())
	}
	size, modules, err := binaryFacts(o.provider)
	if err != nil {
		return fmt.Errorf("start-up: %w", err)
	}
	r.startup = startupTable(withProvider, floor, size, modules)
	return nil
}

// machineFacts describes this machine from /proc: cores, CPU model, memory, kernel.
func machineFacts() string {
	facts := []string{fmt.Sprintf("%d cores", runtime.NumCPU())}
	if cpu, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(cpu), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				facts[0] += " (" + strings.TrimSpace(value) + ")"
				break
			}
		}
	}
	if mem, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kib int64
		if _, err := fmt.Sscanf(string(mem), "MemTotal: %d kB", &kib); err == nil {
			facts = append(facts, fmt.Sprintf("%.0f GiB", float64(kib)/(1<<20)))
		}
	}
	if release, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		facts = append(facts, "Linux "+strings.TrimSpace(string(release)))
	}
	return strings.Join(facts, ", ")
}

// loadAverage is the 1-minute load average, to tell a busy machine from an idle one.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(data) + " unknown")[0]
}

// results is everything one run of the bench measured.
type results struct {
	command, machine, terraform, goVersion string
	date                                   time.Time
	loadStart, loadEnd                     string
	requests, parallelism, runs            int
	interval                               time.Duration

	throughput   *table
	timeline     []timelineMode
	timelineN    int
	timelineFile string // the image's name, next to the results file; "" when not drawn
	fairness     *table
	fairnessN    int
	fairnessWall float64
	teams        *table
	twoApplies   *table
	scale        *table
	scaleN       int
	goal         *table
	growth       string // how the per-resource figures grow from the first size to the second
	inProcess    *table
	stateSize    *table
	inProcessN   int
	startup      *table
	goBench      []string
}

func (r *results) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark results\n\n")
	fmt.Fprintf(&b, "Reproduce with `%s` (`make bench` builds the provider first).\n\n", r.command)
	fmt.Fprintf(&b, "- Measured %s on %s; load average (1 min) %s at the start, %s at the end.\n",
		r.date.Format("2006-01-02 15:04 UTC"), r.machine, r.loadStart, r.loadEnd)
	fmt.Fprintf(&b, "- %s, %s.\n", r.terraform, r.goVersion)
	fmt.Fprintf(&b, "- The fake Graph service runs in the bench process on loopback and admits %d provisionOnDemand calls per job "+
		"in any %s window; rejected calls count in the window too, as on a strict server. Medians of %d run(s); "+
		"the scenarios alternate within each run.\n", r.requests, r.interval, r.runs)
	if r.throughput != nil {
		fmt.Fprintf(&b, "\n## Throughput at the rate limit\n\n%s\n", r.throughput)
		fmt.Fprintf(&b, "- One `terraform apply -parallelism=%d` of N resources, one user each, through one job. Modes: "+
			"the provider's limiter set to the server's limit; `rate_limit_requests = 0` with Retry-After on every 429 "+
			"(still this provider, which pauses every caller of the job on a Retry-After: a kind stand-in for clients that "+
			"only delay the call that got the 429); `rate_limit_requests = 0` and 429s without Retry-After "+
			"(exponential backoff with jitter).\n", r.parallelism)
		fmt.Fprintf(&b, "- wall: the whole apply, planning included (the provider process is already running; its start-up is measured below). "+
			"bound: (ceil(N / %d) - 1) x %s, the least time from the first call to the last. calls span: that time as the fake saw it.\n",
			r.requests, r.interval)
		fmt.Fprintf(&b, "- requests: every API request the fake received: provisionOnDemand calls, rejected ones included, and reads (such as the job's schema); 429s: median (fewest-most of the runs); "+
			"created: resources whose call succeeded; "+
			"provider peak: the provider process's peak resident memory (VmHWM, read just before it stops).\n")
	}
	if r.timelineFile != "" {
		fmt.Fprintf(&b, "\n![provisionOnDemand calls over time, by mode](%s)\n\n", r.timelineFile)
		fmt.Fprintf(&b, "- The calls of the last run at N=%d as the fake saw them: each at its arrival, at the height of the calls the "+
			"fake had counted in the %s window ending there (itself and rejected calls included); the dashed line is the limit. "+
			"Drawn by tools/bench/timeline (gonum.org/v1/plot, a module of its own).\n", r.timelineN, r.interval)
	}
	if r.fairness != nil {
		fmt.Fprintf(&b, "\n## Fairness: 3 jobs at once\n\n%s\n", r.fairness)
		fmt.Fprintf(&b, "- 3 jobs x %d resources in one apply (parallelism %d, so Terraform queues no job behind another); "+
			"whole apply: %.1f s. Each job has its own limit: its calls span should match the bound of %d calls alone.\n",
			r.fairnessN, 3*r.fairnessN, r.fairnessWall, r.fairnessN)
		fmt.Fprintf(&b, "- Fair turn of a job's k-th call: the run's first call + floor(k / %d) x %s; "+
			"the worst wait beyond it over all runs must stay within one interval.\n", r.requests, r.interval)
	}
	b.WriteString(r.teamsMarkdown())
	if r.scale != nil {
		fmt.Fprintf(&b, "\n## Scale of plan: %d resources in state\n\n%s\n", r.scaleN, r.scale)
		fmt.Fprintf(&b, "- `terraform plan -detailed-exitcode` (refresh included) of applied resources, no changes pending. Workload: "+
			"one subject per resource, four of five a user (an answer of four steps and seven modified properties), every fifth "+
			"a group sent with five members (six such entries). The floor provider (tools/bench/floor) has the same inputs and a "+
			"flat computed `status` on the same terraform-plugin-framework; terraform_data is Terraform's own floor.\n")
		fmt.Fprintf(&b, "- Provider CPU (user + system) and peak memory (VmHWM, read just before it stops; Terraform's sampled every 10 ms): a provider process started for that plan alone; "+
			"ratios: run by run, entrasync against the floor provider of the same run, then the median. API requests: the most any run made. "+
			"Provider log: what the provider wrote to stderr; the floor provider logs as a framework provider does by default (the SDK at TRACE), "+
			"entrasync at the level Terraform shows (none here). Where the time goes: [PROFILE.md](PROFILE.md).\n")
	}
	if r.goal != nil {
		fmt.Fprintf(&b, "\n### Issue 17's goal at %d resources\n\n%s\n", r.scaleN, r.goal)
		if r.growth != "" {
			fmt.Fprintf(&b, "- Growth: %s\n", r.growth)
		}
	}
	if r.inProcess != nil {
		fmt.Fprintf(&b, "\n## Plan of %d resources, RPC by RPC, in process\n\n%s\n%s\n", r.inProcessN, r.inProcess, r.stateSize)
		fmt.Fprintf(&b, "- The same workload planned through each provider's protocol 6 server in the bench process (no CLI, no gRPC): "+
			"the four RPCs Terraform sends each instance of a refreshing plan with no changes pending. Time per RPC is wall time on one "+
			"goroutine (it moves with the machine's load); allocations do not. Medians of %d run(s). State: the mean size of an "+
			"instance's attributes as JSON, as the state file holds them. \"SDK logs on\": the SDK's loggers at their default level (TRACE), "+
			"writing to a file, as in a provider process that does not set their level; the other rows have no logger.\n", r.runs)
	}
	b.WriteString(r.twoAppliesMarkdown())
	if r.startup != nil {
		fmt.Fprintf(&b, "\n## Start-up\n\n%s\n", r.startup)
		fmt.Fprintf(&b, "- Terraform starts the provider itself (dev_overrides) for `terraform providers schema -json`.\n")
	}
	if len(r.goBench) > 0 {
		fmt.Fprintf(&b, "\n## Go benchmarks\n\n`go test -run '^$' -bench . -benchmem %s`: decoding a 6-entry group answer, "+
			"and the limiter under 100 concurrent callers.\n\n```\n%s\n```\n", goBenchmarkPackage, strings.Join(r.goBench, "\n"))
	}
	return b.String()
}
