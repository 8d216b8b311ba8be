//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package graph

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sharedLimiters are two limiters of one job sharing dir, as two processes would.
func sharedLimiters(t *testing.T, c clock, limit int, interval time.Duration) (a, b *limiter) {
	t.Helper()
	dir := t.TempDir()
	a, b = newLimiter(c, limit, interval), newLimiter(c, limit, interval)
	a.owner, b.owner = "process-a", "process-b"
	for _, l := range []*limiter{a, b} {
		l.margin = 0
		l.share(dir, "https://graph.example sp-1 scim.shared", time.Minute)
	}
	return a, b
}

func TestSharedWindowCountsEveryProcess(t *testing.T) {
	c := newFakeClock()
	a, b := sharedLimiters(t, c, 2, 10*time.Second)
	t0 := c.Now()
	for range 2 {
		if err := a.wait(context.Background(), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	// The other process sees a's two starts: its first call waits for the window.
	var te *ThrottledError
	if err := b.wait(context.Background(), t0.Add(5*time.Second)); !errors.As(err, &te) || te.RetryAfter != 10*time.Second {
		t.Fatalf("b's call = %v, want throttled for 10s", err)
	}
	c.advance(10 * time.Second)
	if err := b.wait(context.Background(), c.Now().Add(time.Millisecond)); err != nil {
		t.Fatalf("b's call once the window passed = %v", err)
	}
	if err := a.wait(context.Background(), c.Now().Add(time.Second)); err != nil {
		t.Fatalf("a's call with one start in the window = %v", err)
	}
	if err := a.wait(context.Background(), c.Now().Add(time.Second)); !errors.As(err, &te) {
		t.Fatalf("a's third call = %v, want throttled: b's start counts", err)
	}
}

func TestSharedWindowCallInFlightCountsAsNow(t *testing.T) {
	c := newFakeClock()
	a, b := sharedLimiters(t, c, 1, 10*time.Second)
	ticket, err := a.acquire(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	c.advance(30 * time.Second)
	var te *ThrottledError
	if err := b.wait(context.Background(), c.Now().Add(5*time.Second)); !errors.As(err, &te) || te.RetryAfter != 10*time.Second {
		t.Fatalf("b's call while a's is in flight = %v, want throttled for 10s", err)
	}
	a.answered(ticket, c.Now())
	c.advance(10 * time.Second)
	if err := b.wait(context.Background(), c.Now().Add(time.Millisecond)); err != nil {
		t.Fatalf("b's call 10s after a's answer = %v", err)
	}
	if err := a.wait(context.Background(), c.Now().Add(time.Second)); !errors.As(err, &te) {
		t.Fatalf("a's next call = %v, want throttled: b's start counts", err)
	}
}

func TestSharedWindowOfADeadProcessExpires(t *testing.T) {
	c := newFakeClock()
	a, b := sharedLimiters(t, c, 1, 10*time.Second)
	if _, err := a.acquire(context.Background(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	// a never answers (its process died): after the flight limit (1 minute) plus the window, b may call.
	c.advance(70 * time.Second)
	if err := b.wait(context.Background(), c.Now().Add(time.Millisecond)); err != nil {
		t.Fatalf("b's call after a's flight expired = %v", err)
	}
}

func TestCheckSharedDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "windows")
	if err := CheckSharedDir(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("the directory was not created: %v", err)
	}
	if err := CheckSharedDir("relative/dir"); err == nil {
		t.Error("a relative directory was accepted")
	}
}
