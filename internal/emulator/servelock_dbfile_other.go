//go:build !linux

package emulator

import "os"

// Elsewhere flock and SQLite's own locks may interact (BSD, macOS) or locks
// are mandatory (Windows), so only the lock beside the resolved path is taken:
// a second server through a hard link is not detected on these platforms.
func lockDBFile(*os.File) error { return nil }

func unlockDBFile(*os.File) {}

func dbLockHolder(*os.File) string { return "" }
