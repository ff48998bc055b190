//go:build !linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// The harness measures peak memory and CPU time through Linux interfaces;
// elsewhere those columns read 0 and the timings still work.

func childAttrs(*exec.Cmd) {}

func usage(ps *os.ProcessState) (int64, time.Duration) {
	if ps == nil {
		return 0, 0
	}
	return 0, ps.UserTime() + ps.SystemTime()
}

func procCPU(int) (time.Duration, error) {
	return 0, errors.New("per-process CPU time is read from /proc, which this system lacks")
}

func selfCPU() time.Duration { return 0 }

func cpuModel() string { return "unknown" }

func kernel() string { return runtime.GOOS }

const spawnSupported = false

func spawn([]string) int {
	os.Stderr.WriteString("bench: -spawn is implemented for Linux only\n")
	return 2
}

func peakRSS(int) int64 { return 0 }
