package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

// A signal cancels the request in flight: the process exits 130 (SIGINT) or 143
// (SIGTERM), and nothing is retried after the cancel.
func TestSignalCancelsRequestInFlight(t *testing.T) {
	bin, err := exec.LookPath("metabind")
	if err != nil {
		t.Skip("metabind is not on PATH (run through go test)")
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			srv := testsupport.NewUnanswered(t) // hangs until the client goes away or the test ends

			cmd := exec.Command(bin, "keys", "list", "-o", "json")
			cmd.Env = append(os.Environ(),
				"MB_API_URL="+srv.URL, "MB_TOKEN="+fakeJWT, "MB_ORG=acme", "MB_PROJECT=web",
				"MB_CONFIG_DIR="+t.TempDir(), "MB_NO_KEYRING=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-srv.Arrived:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatal("the request never reached the server")
			}
			werr := signalAndWait(t, cmd, tc.sig, "the process did not stop after the signal")
			var ee *exec.ExitError
			if !errors.As(werr, &ee) || ee.ExitCode() != tc.code {
				t.Fatalf("exit: %v, want code %d; stderr: %s", werr, tc.code, stderr.String())
			}
			if n := srv.Hits.Load(); n != 1 {
				t.Fatalf("the server saw %d requests, want 1 (no retry after a cancel)", n)
			}
			want := fmt.Sprintf(`{"error":{"code":"INTERRUPTED","message":"interrupted","exitCode":%d}}`, tc.code)
			if strings.TrimSpace(stderr.String()) != want {
				t.Fatalf("stderr %q, want the JSON error line %s", stderr.String(), want)
			}
		})
	}
}

// fakeJWT has the shape of a JWT (the CLI only reads its claims; the test server
// never checks it).
var fakeJWT = testsupport.JWT(map[string]any{"sub": "ci", "org": "acme", "exp": 4102444800})

// Ctrl-C also stops a command that is waiting for standard input.
func TestSignalStopsAStdinRead(t *testing.T) {
	bin, err := exec.LookPath("metabind")
	if err != nil {
		t.Skip("metabind is not on PATH (run through go test)")
	}
	cmd := exec.Command(bin, "keys", "test", "--stdin", "--org", "acme", "--project", "web")
	cmd.Env = append(os.Environ(), "MB_CONFIG_DIR="+t.TempDir(), "MB_NO_KEYRING=1", "MB_API_URL=http://127.0.0.1:1")
	stdin, err := cmd.StdinPipe() // held open: the read blocks
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until it is blocked reading stdin: its signal handler is installed
	// by then, however slowly a loaded machine started it.
	waitForPipeRead(t, cmd.Process.Pid)
	err = signalAndWait(t, cmd, syscall.SIGINT, "the process kept waiting for stdin after SIGINT")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want 130; stderr: %s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "no API key given") {
		t.Fatalf("misleading message after the interrupt: %s", stderr.String())
	}
}

// signalAndWait sends sig to cmd's process and returns how it ended; a process
// still running 20 s later is killed and the test fails with stuck.
func signalAndWait(t *testing.T, cmd *exec.Cmd, sig os.Signal, stuck string) error {
	t.Helper()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal(stuck)
		return nil
	}
}

// waitForPipeRead waits (up to 15 s) until a thread of process pid is blocked
// reading a pipe, as Linux's /proc/PID/task/*/wchan shows. Where /proc has no
// wchan it waits one second instead.
func waitForPipeRead(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
		if len(tasks) == 0 {
			time.Sleep(time.Second)
			return
		}
		for _, w := range tasks {
			if b, err := os.ReadFile(w); err == nil && (strings.Contains(string(b), "pipe_read") || strings.Contains(string(b), "pipe_wait")) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d never blocked reading stdin", pid)
}
