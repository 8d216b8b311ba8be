package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
)

// goBenchmarkPackage holds the Go benchmarks of result decoding and of the limiter.
const goBenchmarkPackage = "./internal/graph/"

// runGoBenchmarks runs the package's Go benchmarks, echoing their output to echo, and returns
// the lines worth recording.
func runGoBenchmarks(ctx context.Context, echo io.Writer) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-count=1", goBenchmarkPackage)
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, echo)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	return benchmarkLines(out.String()), nil
}

// benchmarkLines keeps the CPU line and the result lines of `go test -bench` output.
func benchmarkLines(output string) []string {
	var lines []string
	for _, line := range strings.Split(output, "\n") {
		if strings.HasPrefix(line, "cpu:") || (strings.HasPrefix(line, "Benchmark") && strings.Contains(line, "ns/op")) {
			lines = append(lines, strings.TrimRight(line, " \t"))
		}
	}
	return lines
}
