// Command fakegraph serves the fake Microsoft Graph service on a loopback address for the demo
// and benchmarks. It prints "fakegraph listening on http://127.0.0.1:PORT" once ready, and the
// request log summary on stderr when interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx is done and returns the exit code: 2 for bad flags, 1 when serving fails.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("fakegraph", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "127.0.0.1:0", "loopback `address` to listen on")
	rateRequests := flags.Int("rate-requests", fakegraph.DefaultRateLimitRequests, "provisionOnDemand requests admitted per job and window; 0 disables the limit")
	rateInterval := flags.Duration("rate-interval", fakegraph.DefaultRateLimitInterval, "length of the sliding rate-limit window")
	noRetryAfter := flags.Bool("no-retry-after", false, "answer 429 without a Retry-After header")
	latency := flags.Duration("latency", 0, "delay before every answer")
	steadyDelay := flags.Duration("steady-delay", fakegraph.DefaultSteadyStateDelay, "how long a started job's first cycle takes before it is steady")
	pageSize := flags.Int("members-page-size", fakegraph.DefaultMembersPageSize, "group members per page when the request has no $top (1 to 999)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if err := validate(*addr, *rateRequests, *rateInterval, *latency, *steadyDelay, *pageSize, flags.NArg()); err != nil {
		fmt.Fprintln(stderr, "fakegraph:", err)
		return 2
	}

	opts := fakegraph.Options{
		RateLimitRequests: *rateRequests,
		RateLimitInterval: *rateInterval,
		OmitRetryAfter:    *noRetryAfter,
		Latency:           *latency,
		SteadyStateDelay:  *steadyDelay,
		MembersPageSize:   *pageSize,
	}
	if *rateRequests == 0 {
		opts.RateLimitRequests = fakegraph.NoRateLimit
	}
	listener, err := net.Listen("tcp", listenAddress(*addr))
	if err != nil {
		fmt.Fprintln(stderr, "fakegraph:", err)
		return 1
	}
	srv := fakegraph.New(opts)
	httpServer := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(listener) }()

	// os.Stdout is unbuffered: the line is out when Fprintf returns.
	if _, err := fmt.Fprintf(stdout, "fakegraph listening on http://%s\n", listener.Addr()); err != nil {
		_ = httpServer.Close()
		return 1
	}

	code := 0
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintln(stderr, "fakegraph:", err)
		code = 1
	}
	srv.Close() // release hanging and slow requests so shutdown does not wait for them
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "fakegraph: shutdown:", err)
	}
	_ = srv.WriteSummary(stderr)
	return code
}

func validate(addr string, rateRequests int, rateInterval, latency, steadyDelay time.Duration, pageSize, extraArgs int) error {
	if extraArgs > 0 {
		return errors.New("unexpected arguments")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-addr %q: the fake Graph service only listens on a loopback address (127.0.0.1, ::1 or localhost)", addr)
	}
	if rateRequests < 0 {
		return fmt.Errorf("-rate-requests %d: must be 0 (no limit) or more", rateRequests)
	}
	if rateInterval <= 0 {
		return fmt.Errorf("-rate-interval %s: must be positive", rateInterval)
	}
	if latency < 0 {
		return fmt.Errorf("-latency %s: must not be negative", latency)
	}
	if steadyDelay <= 0 {
		return fmt.Errorf("-steady-delay %s: must be positive", steadyDelay)
	}
	if pageSize < 1 || pageSize > 999 {
		return fmt.Errorf("-members-page-size %d: must be from 1 to 999, as Graph's $top", pageSize)
	}
	return nil
}

// listenAddress pins localhost to 127.0.0.1 so the announced URL is always an IP.
func listenAddress(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "localhost" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}
