package graph

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// sharedWindow keeps a job's window in a file of its own under an exclusive lock (flock), so
// that every process of the machine given the same directory (parallel applies on one CI agent,
// Atlantis workspaces) counts its calls against one window. The in-process limiter still orders
// the callers of its own process; the file only holds the starts.
type sharedWindow struct{ path string }

// sharedEntry is a start as the file keeps it. A call in flight counts as now until its answer,
// but no longer than until: the attempt's timeout, after which its process has given up on it
// (or died, which leaves the entry behind).
type sharedEntry struct {
	At       int64  `json:"at"` // Unix nanoseconds
	Until    int64  `json:"until,omitempty"`
	Owner    string `json:"owner"`
	Ticket   uint64 `json:"ticket"`
	InFlight bool   `json:"in_flight,omitempty"`
}

// processOwner names this process in the window files, so its starts are told apart from others'.
var processOwner = func() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%d-%s", os.Getpid(), hex.EncodeToString(b))
}()

// CheckSharedDir says whether dir can hold shared windows: the OS can lock files, and dir is an
// absolute path to a directory that exists or can be created.
func CheckSharedDir(dir string) error {
	if !fileLocking {
		return errors.New("sharing the rate limit window needs file locking (flock), which this operating system lacks: " +
			"leave it unset, and run one apply per job at a time")
	}
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("%q is not an absolute path", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create directory %q: %w", dir, err)
	}
	return nil
}

// newSharedWindow is the window file of the job key in dir.
func newSharedWindow(dir, key string) *sharedWindow {
	sum := sha256.Sum256([]byte(key))
	return &sharedWindow{path: filepath.Join(dir, "entrasync-"+hex.EncodeToString(sum[:16])+".window")}
}

// update runs edit on the file's starts under the lock and writes back what it returns.
func (w *sharedWindow) update(edit func([]sharedEntry) []sharedEntry) error {
	f, err := os.OpenFile(w.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("graph: shared rate limit window: %w", err)
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return fmt.Errorf("graph: locking the shared rate limit window %s: %w", w.path, err)
	}
	defer func() { _ = unlockFile(f) }()
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("graph: reading the shared rate limit window %s: %w", w.path, err)
	}
	var entries []sharedEntry
	// A file cut short by a crash mid-write reads as empty: the window is lost once, not for good.
	_ = json.Unmarshal(data, &entries)
	entries = edit(entries)
	out, _ := json.Marshal(entries)
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("graph: writing the shared rate limit window %s: %w", w.path, err)
	}
	if _, err := f.WriteAt(out, 0); err != nil {
		return fmt.Errorf("graph: writing the shared rate limit window %s: %w", w.path, err)
	}
	return nil
}

// starts turns the file's entries into the limiter's starts; an entry in flight past its until
// counts as answered then.
func (w *sharedWindow) starts(entries []sharedEntry, now time.Time) []start {
	out := make([]start, 0, len(entries))
	for _, e := range entries {
		s := start{at: time.Unix(0, e.At), inFlight: e.InFlight, ticket: e.Ticket, owner: e.Owner}
		if until := time.Unix(0, e.Until); s.inFlight && e.Until != 0 && !now.Before(until) {
			s.at, s.inFlight = until, false
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b start) int { return a.at.Compare(b.at) })
	return out
}

// entries turns the limiter's starts back into the file's entries.
func (w *sharedWindow) entries(starts []start, flight time.Duration) []sharedEntry {
	out := make([]sharedEntry, 0, len(starts))
	for _, s := range starts {
		e := sharedEntry{At: s.at.UnixNano(), Owner: s.owner, Ticket: s.ticket, InFlight: s.inFlight}
		if s.inFlight {
			e.Until = s.at.Add(flight).UnixNano()
		}
		out = append(out, e)
	}
	return out
}
