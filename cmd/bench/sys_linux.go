package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat; it is
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// childAttrs makes a child die with the harness, so an interrupted run leaves
// no server behind.
func childAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// usage returns the peak resident set size (KiB) and the user+system CPU time of
// a child that has been waited for.
func usage(ps *os.ProcessState) (maxRSSKiB int64, cpu time.Duration) {
	if ps == nil {
		return 0, 0
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, ps.UserTime() + ps.SystemTime()
	}
	// On Linux ru_maxrss is in kilobytes (KiB).
	return int64(ru.Maxrss), ps.UserTime() + ps.SystemTime()
}

// procCPU returns the user+system CPU time consumed so far by every thread of a
// running process, from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces; the
	// fields after the last ')' start with field 3 (state).
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat format", pid)
	}
	f := strings.Fields(s[i+1:])
	// utime and stime are fields 14 and 15, i.e. f[11] and f[12].
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat format", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc/%d/stat format", pid)
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// selfCPU returns the user+system CPU time the harness itself has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuModel returns the "model name" of the first CPU in /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// kernel returns the running kernel's release.
func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return "Linux " + strings.TrimSpace(string(b))
}

// spawnSupported says whether commands are timed through the -spawn helper.
const spawnSupported = true

// spawn is the -spawn mode: run argv (argv[0] a resolved path) with this
// process's environment and standard streams, wait for it, and write
// "wall_ns maxrss_kib cpu_ns status floor_kib" to file descriptor 3, where
// floor_kib is the helper's own peak RSS when it forked.
//
// It exists because of how Linux accounts peak memory: a child's ru_maxrss
// starts from the peak RSS of the address space it was forked from (os/exec
// forks with CLONE_VM, so that is the parent's), which would make every
// command look at least as big as the harness. Forked from this small
// process instead, a command's peak is exact unless it is smaller than the
// helper itself, which the floor reports.
func spawn(argv []string) int {
	report := os.NewFile(3, "report")
	if report == nil || len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "bench: -spawn needs a command and file descriptor 3")
		return 2
	}
	syscall.CloseOnExec(3)
	attr := &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	}
	floor := peakRSS(os.Getpid())
	t0 := time.Now()
	pid, err := syscall.ForkExec(argv[0], argv, attr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s: %v\n", argv[0], err)
		return 1
	}
	var ws syscall.WaitStatus
	var ru syscall.Rusage
	for {
		_, err = syscall.Wait4(pid, &ws, 0, &ru)
		if err != syscall.EINTR {
			break
		}
	}
	wall := time.Since(t0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: wait: %v\n", err)
		return 1
	}
	status := ws.ExitStatus()
	if ws.Signaled() {
		status = -int(ws.Signal())
	}
	cpu := ru.Utime.Nano() + ru.Stime.Nano()
	fmt.Fprintf(report, "%d %d %d %d %d\n", wall.Nanoseconds(), ru.Maxrss, cpu, status, floor)
	return 0
}

// peakRSS returns a running process's peak resident set size (VmHWM, KiB),
// which counts only its own address space.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return 0
}
