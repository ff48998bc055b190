package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/testsupport"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// The scripts in testdata/ratelimit run bulk commands against a real
// `metabind emulator start --rate-limit N` process on a free port, and count
// the requests in its log. They wait for the rate limit in real time (about 90
// s for the longest), so they run in parallel with each other and are skipped
// with -short.
func TestRateLimitScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the rate limit in real time")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/ratelimit",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			work := env.WorkDir
			env.Setenv("MB_CONFIG_DIR", filepath.Join(work, "config"))
			env.Setenv("MB_NO_KEYRING", "1")
			env.Setenv("HOME", filepath.Join(work, "home"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(work, "home", ".config"))
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":      cmdExits,
			"setenvfile": cmdSetenvFile,
			"waitfile":   cmdWaitFile,
			"countmatch": cmdCountMatch,
			"execwith":   cmdExecWith,
		},
	})
}

// waitfile FILE: wait (up to 30 s) until FILE exists and is not empty.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("waitfile: %s did not appear within 30 s", args[0])
}

// countmatch FILE REGEXP MIN MAX: the number of lines of FILE (or stdout,
// stderr) matching REGEXP is from MIN to MAX.
func cmdCountMatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: countmatch FILE REGEXP MIN MAX")
	}
	re := regexp.MustCompile(args[1])
	lo, err1 := strconv.Atoi(args[2])
	hi, err2 := strconv.Atoi(args[3])
	if err1 != nil || err2 != nil {
		ts.Fatalf("countmatch: MIN and MAX must be numbers")
	}
	n := 0
	for _, line := range strings.Split(ts.ReadFile(args[0]), "\n") {
		if re.MatchString(line) {
			n++
		}
	}
	ts.Logf("countmatch: %d lines of %s match %s", n, args[0], args[1])
	if n < lo || n > hi {
		ts.Fatalf("%d lines of %s match %q; want %d to %d", n, args[0], args[1], lo, hi)
	}
}

// execwith FILE PROGRAM ARGS...: run PROGRAM with ARGS followed by the words
// of FILE (e.g. a list of key ids).
func cmdExecWith(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: execwith FILE PROGRAM [ARGS...]")
	}
	words := strings.Fields(ts.ReadFile(args[0]))
	err := ts.Exec(args[1], append(append([]string{}, args[2:]...), words...)...)
	if neg && err == nil {
		ts.Fatalf("unexpected success")
	}
	if !neg && err != nil {
		ts.Fatalf("%v", err)
	}
}

// Ctrl-C while a bulk revoke waits for the rate limit stops it at once, says
// which keys were revoked, and exits 130.
func TestInterruptDuringRateLimitWait(t *testing.T) {
	bin, err := exec.LookPath("metabind")
	if err != nil {
		t.Skip("metabind is not on PATH (run through go test)")
	}
	s := clitest.Emulator(t,
		// The listing and 3 revokes, then a wait of about 15 s.
		clitest.Configure(func(c *emulator.Config) { c.RateLimit = 4 }),
		clitest.SeedKeys(6), // all active
		clitest.AdminToken("owner", "ci", time.Hour))

	cmd := exec.Command(bin, "keys", "revoke", "--name-match", "bulk-key-*", "--yes")
	cmd.Env = append(os.Environ(), s.Environ()...)
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stderr testsupport.SyncBuffer
	waiting := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(pr)
		signalled := false
		for sc.Scan() {
			_, _ = stderr.Write([]byte(sc.Text() + "\n"))
			if !signalled && strings.HasPrefix(sc.Text(), "rate limit: ") {
				signalled = true
				close(waiting)
			}
		}
	}()
	select {
	case <-waiting:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("no wait for the rate limit was shown; stderr:\n%s", stderr.String())
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	_ = pw.Close()
	stopped := time.Since(start)
	var ee *exec.ExitError
	if !errors.As(werr, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want 130; stderr:\n%s", werr, stderr.String())
	}
	if stopped > 5*time.Second {
		t.Errorf("the command took %s to stop after Ctrl-C during a wait", stopped)
	}
	<-drained // the scanner has read everything the command wrote
	out := stderr.String()
	for _, want := range []string{"rate limit: 3 of 6 revoked, next batch in ", "interrupted: 3 of 6 keys revoked", "not revoked: "} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
}
