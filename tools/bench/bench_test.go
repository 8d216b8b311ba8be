package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{7}, 7},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := slices.Clone(tc.xs)
		if got := median(tc.xs); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", in, got, tc.want)
		}
		if !slices.Equal(in, tc.xs) {
			t.Errorf("median reordered its input: %v", tc.xs)
		}
	}
}

func TestBound(t *testing.T) {
	for _, tc := range []struct {
		n, requests int
		interval    time.Duration
		want        time.Duration
	}{
		{60, 5, 10 * time.Second, 110 * time.Second}, // the README's example: (60 - 5) / 5 x 10 s
		{30, 5, 2 * time.Second, 10 * time.Second},
		{31, 5, 2 * time.Second, 12 * time.Second},
		{5, 5, 2 * time.Second, 0},
		{6, 5, 2 * time.Second, 2 * time.Second},
		{0, 5, time.Second, 0},
	} {
		if got := bound(tc.n, tc.requests, tc.interval); got != tc.want {
			t.Errorf("bound(%d, %d, %v) = %v, want %v", tc.n, tc.requests, tc.interval, got, tc.want)
		}
	}
}

func TestTableIsPaddedMarkdown(t *testing.T) {
	tb := &table{header: []string{"mode", "N"}, right: []bool{false, true}}
	tb.add("entrasync", "30")
	tb.add("x", "100")
	want := "| mode      |   N |\n" +
		"| --------- | --: |\n" +
		"| entrasync |  30 |\n" +
		"| x         | 100 |\n"
	if got := tb.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestThroughputRowIsMedianOfRuns(t *testing.T) {
	samples := []throughputSample{
		{wall: 12 * time.Second, span: 10 * time.Second, requests: 30, throttled: 0, created: 30, peakRSS: 30 << 20},
		{wall: 10 * time.Second, span: 10 * time.Second, requests: 30, throttled: 2, created: 30, peakRSS: 40 << 20},
		{wall: 11 * time.Second, span: 11 * time.Second, requests: 32, throttled: 1, created: 29, peakRSS: 20 << 20},
	}
	row := summariseThroughput("entrasync", 30, 5, 2*time.Second, samples)
	want := throughputRow{mode: "entrasync", n: 30, wall: 11, bound: 10, span: 10, requests: 30, throttled: 1, throttledMin: 0, throttledMax: 2, created: 30, peakRSS: 30 << 20}
	if row != want {
		t.Fatalf("got %+v, want %+v", row, want)
	}
	// the 429s column shows the range of the runs, so a median of 0 cannot hide a run with some
	got := throughputTable([]throughputRow{row, {mode: "tiny", n: 5, wall: 1, created: 5}}).rows
	if want := []string{"entrasync", "30", "11.0", "10.0", "1.10", "10.0", "30", "1 (0-2)", "30/30", "30.0"}; !slices.Equal(got[0], want) {
		t.Errorf("row %q, want %q", got[0], want)
	}
	if got[1][4] != "-" {
		t.Errorf("wall/bound with a zero bound is %q, want -", got[1][4])
	}
}

func TestAnalyseFairness(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(ds ...time.Duration) []time.Time {
		var ts []time.Time
		for _, d := range ds {
			ts = append(ts, t0.Add(d))
		}
		return ts
	}
	ms := time.Millisecond
	starts := map[string][]time.Time{
		// two per 1s window, each batch 10ms behind the ideal: 10ms late at most
		"b": at(1010*ms, 0, 10*ms, 1000*ms),
		// its first batch starts 300ms after the run's first call, its second 1.5s late
		"a": at(300*ms, 300*ms, 2500*ms),
	}
	got := analyseFairness(starts, map[string]int{"a": 4}, 2, time.Second)
	want := []jobFairness{
		{job: "a", calls: 3, throttled: 4, span: 2200 * ms, maxLate: 1500 * ms},
		{job: "b", calls: 4, span: 1010 * ms, maxLate: 10 * ms},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}

	tb := fairnessTable([]fairnessSample{{jobs: got}, {jobs: want}}, 3, 2, time.Second)
	if a, b := tb.rows[0], tb.rows[1]; a[6] != "1.50" || a[7] != "no" || b[7] != "yes" {
		t.Fatalf("rows %q and %q: want a late by 1.50s (beyond one interval), b within one", a, b)
	}
}

func TestParseReattachLine(t *testing.T) {
	const banner = "\tTF_REATTACH_PROVIDERS='{\"registry.terraform.io/entrasync/entrasync\":{\"Protocol\":\"grpc\",\"ProtocolVersion\":6," +
		"\"Pid\":13846,\"Test\":true,\"Addr\":{\"Network\":\"unix\",\"String\":\"/tmp/plugin3893536692\"}}}'"
	got, ok := parseReattachLine(banner)
	if !ok || !strings.HasPrefix(got, `{"registry.terraform.io/entrasync/entrasync":`) || !strings.HasSuffix(got, "}}}") {
		t.Fatalf("got %q, %v", got, ok)
	}
	for _, line := range []string{
		"Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:",
		"TF_REATTACH_PROVIDERS=''",
		"TF_REATTACH_PROVIDERS='{}'",
		"TF_REATTACH_PROVIDERS='{not json}'",
	} {
		if v, ok := parseReattachLine(line); ok {
			t.Errorf("parseReattachLine(%q) = %q, want no match", line, v)
		}
	}
}

func TestBenchmarkLines(t *testing.T) {
	out := "goos: linux\ngoarch: amd64\npkg: github.com/entrasync/terraform-provider-entrasync/internal/graph\n" +
		"cpu: Intel(R) Xeon(R) Processor\n" +
		"BenchmarkDecodeProvisionResultGroup-2   \t   20000\t     60000 ns/op\t  80.00 MB/s\t   30000 B/op\t     400 allocs/op\n" +
		"BenchmarkLimiter100Callers-2            \t  100000\t     12000 ns/op\n" +
		"PASS\nok  \tgithub.com/entrasync/terraform-provider-entrasync/internal/graph\t3.1s\n"
	got := benchmarkLines(out)
	if len(got) != 3 || got[0] != "cpu: Intel(R) Xeon(R) Processor" ||
		!strings.HasPrefix(got[1], "BenchmarkDecodeProvisionResultGroup-2") || !strings.HasSuffix(got[2], "12000 ns/op") {
		t.Fatalf("got %q", got)
	}
}

func TestParseFlagsRecordsTheCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "make bench"},
		{[]string{"-terraform", "/repo/bin/tofu", "-provider", "/repo/bin/terraform-provider-entrasync"}, "make bench"},
		{[]string{"-write", "-interval", "10s", "-n", "30,100"}, `make bench BENCH_FLAGS="-interval=10s -n=30,100 -write"`},
	} {
		o, err := parseFlags(tc.args, io.Discard)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if o.command != tc.want {
			t.Errorf("%q: command %q, want %q", tc.args, o.command, tc.want)
		}
	}
	o, _ := parseFlags([]string{"-n", "30,100"}, io.Discard)
	if !slices.Equal(o.ns, intList{30, 100}) || o.runs != 3 || o.interval != 2*time.Second || o.requests != 5 || o.parallelism != 10 {
		t.Errorf("defaults: %+v", o)
	}
}

func TestParseFlagsRejectsNonsense(t *testing.T) {
	for _, args := range [][]string{
		{"-runs", "0"}, {"-n", "0"}, {"-n", "30,x"}, {"-interval", "0s"}, {"-requests", "0"},
		{"-parallelism", "0"}, {"-plan-resources", "-1"}, {"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestEntrasyncConfig(t *testing.T) {
	jobs := fairnessJobs(2)
	cfg := entrasyncConfig(providerBlock{endpoint: "http://127.0.0.1:4321", requests: 0, interval: 2 * time.Second}, jobs)
	for _, want := range []string{
		`source = "registry.terraform.io/entrasync/entrasync"`,
		`graph_endpoint      = "http://127.0.0.1:4321"`,
		`rate_limit_requests = 0`,
		`rate_limit_interval = "2s"`,
		`resource "entrasync_provision_on_demand" "scim"`,
		`"b0000000-0000-4000-8000-000000000002",`,
		`object_type_name = "Worker"`,
		`"CN=Ada Park,OU=Staff,DC=corp,DC=example,DC=com",`,
		`count                  = length(local.cloud_sync_subjects)`,
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("configuration lacks %s:\n%s", want, cfg)
		}
	}
	if got := strings.Count(cfg, "resource \"entrasync_provision_on_demand\""); got != 3 {
		t.Errorf("%d resource blocks, want one per job", got)
	}
	if cfg := terraformDataConfig(nil); !strings.Contains(cfg, "subjects = []") {
		t.Errorf("empty subject list is not an empty HCL list:\n%s", cfg)
	}
}

func TestMarkdownLeavesOutSkippedSections(t *testing.T) {
	tb := &table{header: []string{"a"}}
	r := &results{command: "make bench", throughput: tb, goBench: []string{"BenchmarkX-2 1 ns/op"}}
	doc := r.markdown()
	for _, want := range []string{"Reproduce with `make bench`", "## Throughput at the rate limit", "## Go benchmarks", "BenchmarkX-2"} {
		if !strings.Contains(doc, want) {
			t.Errorf("results lack %q", want)
		}
	}
	for _, skipped := range []string{"## Fairness", "## Scale of plan", "## Start-up"} {
		if strings.Contains(doc, skipped) {
			t.Errorf("results show the skipped section %q", skipped)
		}
	}
}

func TestCleanEnvDropsTheCallersSettings(t *testing.T) {
	t.Setenv("TF_CLI_ARGS", "-parallelism=1")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("ENTRASYNC_RATE_LIMIT_REQUESTS", "1")
	t.Setenv("ARM_CLIENT_SECRET", "secret")
	t.Setenv("BENCH_KEPT", "yes")
	env := cleanEnv("TF_CLI_CONFIG_FILE=/tmp/bench.tfrc")
	for _, kv := range env {
		for _, dropped := range []string{"TF_CLI_ARGS=", "TF_LOG=", "ENTRASYNC_", "ARM_"} {
			if strings.HasPrefix(kv, dropped) {
				t.Errorf("kept %s", kv)
			}
		}
	}
	if !slices.Contains(env, "BENCH_KEPT=yes") || env[len(env)-1] != "TF_CLI_CONFIG_FILE=/tmp/bench.tfrc" {
		t.Errorf("lost the rest of the environment or the bench's own settings: %q", env)
	}
}

func TestScaleWorkloadIsFourUsersToOneGroupOfFive(t *testing.T) {
	subjects := scaleWorkload(10)
	seen := map[string]bool{}
	groups := 0
	for i, s := range subjects {
		wantGroup := i%5 == 4
		if (s.objectType == "Group") != wantGroup {
			t.Errorf("subject %d is a %s", i, s.objectType)
		}
		if wantGroup {
			groups++
			if len(s.members) != groupMembers {
				t.Errorf("group %d has %d members, want %d", i, len(s.members), groupMembers)
			}
		}
		for _, id := range append([]string{s.objectID}, s.members...) {
			if seen[id] {
				t.Errorf("id %s is used twice", id)
			}
			seen[id] = true
		}
	}
	if groups != 2 {
		t.Errorf("%d groups in 10 subjects, want 2", groups)
	}
}

// The in-process plan fails when any resource plans a change: entrasync's state, read back
// and planned against its configuration, must stay as applied, as the floor provider's does.
func TestInProcessPlanOfAppliedWorkloadHasNoChanges(t *testing.T) {
	subjects := scaleWorkload(5)
	var sizes []float64
	for _, target := range []inProcessTarget{entrasyncTarget(false), entrasyncTarget(true), floorTarget} {
		plans, err := runInProcessPlan(t.Context(), target, subjects, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		s := plans[0].sample
		if s.instances != 5 || s.byRPC[rpcPlan].allocations == 0 || s.byRPC[rpcRead].wall <= 0 {
			t.Errorf("%s: sample %+v", target.name, s)
		}
		sizes = append(sizes, plans[0].stateBytes)
	}
	if !(sizes[0] > sizes[1] && sizes[1] > sizes[2]) {
		t.Errorf("state bytes per resource: entrasync %.0f, redacted %.0f, floor %.0f; want them in that order, largest first", sizes[0], sizes[1], sizes[2])
	}
}

func TestTimelineCallsAreProvisionCallsFromTheFirst(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	log := []fakegraph.LoggedRequest{
		{Time: t0.Add(-time.Second), Operation: fakegraph.OperationGetSchema},
		{Time: t0.Add(500 * time.Millisecond), Operation: fakegraph.OperationProvisionOnDemand, RateLimited: true},
		{Time: t0, Operation: fakegraph.OperationProvisionOnDemand},
	}
	got := timelineCalls(log)
	want := []timelineCall{{Seconds: 0.5, RateLimited: true}, {Seconds: 0}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestScaleSummaryAndGoal(t *testing.T) {
	ms := func(d float64) time.Duration { return time.Duration(d * float64(time.Millisecond)) }
	sample := func(wallMS, cpuMS float64, rssMiB int64) planSample {
		return planSample{wall: ms(wallMS), provider: usage{cpu: ms(cpuMS), peakRSS: rssMiB << 20}}
	}
	// Two runs of 10 resources: entrasync 2x then 1.2x the floor's wall; CPU 20 and 30 ms in all.
	samples := map[string][]planSample{
		"entrasync_provision_on_demand": {sample(2000, 20, 50), sample(1200, 30, 70)},
		"floor provider":                {sample(1000, 10, 40), sample(1000, 10, 40)},
		"terraform_data":                {sample(500, 0, 0), sample(500, 0, 0)},
	}
	s := scaleRows(newScaleTable(), 10, samples)
	if s.wallRatio != 1.6 || s.cpuRatio != 2.5 || s.cpuMS != 2.5 || s.floorCPUMS != 1 || s.peakMiB != 60 || s.wallPerResourceMS != 160 {
		t.Fatalf("summary = %+v; want wall ratio 1.6 (median of 2 and 1.2), CPU ratio 2.5, 2.5 ms, floor 1 ms, 60 MiB, 160 ms", s)
	}
	goal := goalTable(s).String()
	for _, want := range []string{"| plan wall, entrasync / floor provider |", "1.60x", "| no ", " 2.5 |", "| ≤ 1.5x |", "| yes"} {
		if !strings.Contains(goal, want) {
			t.Errorf("goal table lacks %q:\n%s", want, goal)
		}
	}
	double := s
	double.n, double.cpuMS, double.wallPerResourceMS = 20, 5, 160
	if g := growth(s, double); !strings.Contains(g, "from 10 to 20 resources") || !strings.Contains(g, "(x2.00)") || !strings.Contains(g, "(x1.00)") {
		t.Errorf("growth = %q; want CPU per resource x2.00 and wall per resource x1.00", g)
	}
}

func TestMarkdownShowsTwoAppliesAndGoal(t *testing.T) {
	r := &results{command: "make bench", requests: 5, interval: 2 * time.Second, scaleN: 500,
		twoApplies: &table{header: []string{"x"}}, scale: newScaleTable(), goal: &table{header: []string{"figure"}}, growth: "from 500 to 2000"}
	doc := r.markdown()
	for _, want := range []string{"## Two applies on one job at once", "(30 / 5 - 1) x 2s = 10s", "### Issue 17's goal at 500 resources", "- Growth: from 500 to 2000"} {
		if !strings.Contains(doc, want) {
			t.Errorf("results lack %q", want)
		}
	}
}

func TestPeakMemoryIsTheProcessesOwn(t *testing.T) {
	if got, ok := parseVMHWM("Name:\tterraform\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 1000 kB\n"); !ok || got != 123456<<10 {
		t.Errorf("parseVMHWM = %d, %v; want %d (VmHWM, not VmPeak)", got, ok, 123456<<10)
	}
	if _, ok := parseVMHWM("Name:\tx\n"); ok {
		t.Error("parseVMHWM found a VmHWM in a status without one")
	}
	// A child that holds 16 MiB reads as its own peak, far below this process's after it has held
	// 512 MiB: ru_maxrss would report at least this process's peak. (Under -race every figure is
	// several times larger, so the test compares the two processes rather than fixed sizes.)
	ballast := resident(512)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldsMemory$")
	cmd.Env = append(os.Environ(), "BENCH_HELPER_HOLD_MIB=16")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The helper prints a line once it holds its memory, then blocks until it is killed.
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "holding") {
		t.Fatalf("helper said %q, %v", line, err)
	}
	child, ok := vmHWM(cmd.Process.Pid)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	parent, parentOK := vmHWM(os.Getpid())
	runtime.KeepAlive(ballast)
	if !ok || !parentOK || child < 16<<20 || child > parent-256<<20 {
		t.Errorf("child's peak %d MiB, this process's %d MiB (read: %v, %v); want the child's at least 16 MiB and 256 MiB below this process's",
			child>>20, parent>>20, ok, parentOK)
	}
}

// resident allocates mib MiB and writes to every page, so that they count in the resident set.
func resident(mib int) []byte {
	b := make([]byte, mib<<20)
	ones := bytes.Repeat([]byte{1}, 1<<20)
	for off := 0; off < len(b); off += len(ones) {
		copy(b[off:], ones)
	}
	return b
}

// TestHelperHoldsMemory is the child of TestPeakMemoryIsTheProcessesOwn.
func TestHelperHoldsMemory(t *testing.T) {
	mib, _ := strconv.Atoi(os.Getenv("BENCH_HELPER_HOLD_MIB"))
	if mib == 0 {
		t.Skip("run by TestPeakMemoryIsTheProcessesOwn")
	}
	held := resident(mib)
	fmt.Println("holding", len(held))
	select {} // killed by the parent
}
