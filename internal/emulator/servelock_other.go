//go:build !unix && !windows

package emulator

import "os"

// Without file locks, a second server is not detected on this platform.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}
