//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package graph

import (
	"errors"
	"os"
)

// fileLocking says whether shared windows work here: not on Windows and other systems without
// flock(2), where CheckSharedDir refuses the setting instead of sharing nothing in silence.
const fileLocking = false

func lockFile(*os.File) error {
	return errors.New("file locking is not supported on this operating system")
}

func unlockFile(*os.File) error { return nil }
