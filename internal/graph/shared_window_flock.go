//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package graph

import (
	"os"
	"syscall"
)

// fileLocking says whether shared windows work here: flock(2) is there.
const fileLocking = true

// lockFile waits for the exclusive lock of f; the kernel drops it if the process dies.
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
