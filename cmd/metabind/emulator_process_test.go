package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/emulator"
)

// emulatorProc is `metabind emulator start` running as its own process.
type emulatorProc struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	done   chan error
}

// startEmulator runs `metabind emulator start --addr 127.0.0.1:0` with args and
// waits until it is listening.
func startEmulator(t *testing.T, args ...string) *emulatorProc {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "url")
	p := &emulatorProc{stderr: new(bytes.Buffer), done: make(chan error, 1)}
	p.cmd = exec.Command(metabindBin(t), append([]string{"emulator", "start", "--addr", "127.0.0.1:0", "--ready-file", ready}, args...)...)
	p.cmd.Env = append(os.Environ(), "MB_NO_KEYRING=1", "MB_CONFIG_DIR="+t.TempDir())
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	deadline := time.After(30 * time.Second)
	for p.url == "" {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("emulator exited early: %v\n%s", err, p.stderr)
		case <-deadline:
			t.Fatalf("emulator not ready\n%s", p.stderr)
		case <-time.After(10 * time.Millisecond):
		}
		if b, err := os.ReadFile(ready); err == nil {
			p.url = strings.TrimSpace(string(b))
		}
	}
	return p
}

// wait waits for the process to exit and returns its exit code.
func (p *emulatorProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		t.Fatalf("emulator did not exit\n%s", p.stderr)
		return -1
	}
}

// runMetabind runs the binary to completion and returns its exit code and stderr.
func runMetabind(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, metabindBin(t), args...)
	cmd.Env = append(os.Environ(), "MB_NO_KEYRING=1", "MB_CONFIG_DIR="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if ctx.Err() != nil {
		t.Fatalf("metabind %s did not exit within 30 s\n%s", strings.Join(args, " "), stderr.String())
	}
	if errors.As(err, &ee) {
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// Two servers on one database, through a symbolic link or a hard link: the
// second is refused, exit 1, and names the first (pid and URL).
func TestEmulatorSecondServerRefused(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	if err := os.Mkdir(a, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(a, "emulator.db")
	if err := os.Symlink("emulator.db", filepath.Join(a, "link.db")); err != nil {
		t.Fatal(err)
	}
	first := startEmulator(t, "--db", db)
	pid := strconv.Itoa(first.cmd.Process.Pid)

	code, stderr := runMetabind(t, "emulator", "start", "--addr", "127.0.0.1:0", "--db", filepath.Join(a, "link.db"))
	if code != 1 || !strings.Contains(stderr, "already serving") || !strings.Contains(stderr, "pid "+pid) || !strings.Contains(stderr, first.url) {
		t.Fatalf("second server through a symlink: exit %d, stderr:\n%s", code, stderr)
	}
	if err := os.Link(db, filepath.Join(dir, "hard.db")); err == nil && runtimeLinux() {
		code, stderr := runMetabind(t, "emulator", "start", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "hard.db"))
		if code != 1 || !strings.Contains(stderr, "already serving") || !strings.Contains(stderr, "pid "+pid) {
			t.Fatalf("second server through a hard link: exit %d, stderr:\n%s", code, stderr)
		}
	}
	// The first one is still serving.
	resp, err := http.Get(first.url + "/api/v1/organizations/x/projects/y/tags")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("first server: %d", resp.StatusCode)
	}
}

func runtimeLinux() bool { _, err := os.Stat("/proc/locks"); return err == nil }

// A key revoked by another process stops working on a running server at once,
// although the server had just verified (and cached) it.
func TestEmulatorSeesRevokeByAnotherProcess(t *testing.T) {
	db := filepath.Join(t.TempDir(), "emulator.db")
	srv := startEmulator(t, "--db", db, "--seed", "--rate-limit", "0")

	// This test process is the other process.
	ctx := context.Background()
	e, err := emulator.Open(ctx, emulator.Config{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tok, err := e.MintToken(emulator.TokenRequest{Org: "acme", Subject: "other", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// Create the key through the server.
	req, _ := http.NewRequest("POST", srv.url+"/app/v1/organizations/acme/projects/web/api-keys", strings.NewReader(`{"name":"shared"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	body := do(t, req, http.StatusCreated)
	key := jsonField(t, body, "key")
	id := jsonField(t, body, "id")
	check := func(want int) {
		t.Helper()
		r, _ := http.NewRequest("GET", srv.url+"/api/v1/organizations/acme/projects/web/tags?limit=1", nil)
		r.Header.Set("X-Api-Key", key)
		do(t, r, want)
	}
	check(http.StatusOK)
	check(http.StatusOK)

	// Revoke it in this process, on the same database file.
	rec := httptest.NewRecorder()
	put, _ := http.NewRequest("PUT", "/app/v1/organizations/acme/projects/web/api-keys/"+id, strings.NewReader(`{"status":"revoked"}`))
	put.Header.Set("Authorization", "Bearer "+tok)
	put.Header.Set("Content-Type", "application/json")
	e.Handler().ServeHTTP(rec, put)
	if rec.Code != http.StatusOK {
		t.Fatalf("revoke in the other process: %d %s", rec.Code, rec.Body.String())
	}
	// The server checks for such changes at most every 100 ms; poll well past
	// that rather than time it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, _ := http.NewRequest("GET", srv.url+"/api/v1/organizations/acme/projects/web/tags?limit=1", nil)
		r.Header.Set("X-Api-Key", key)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized {
			return
		}
		if resp.StatusCode != http.StatusOK || time.Now().After(deadline) {
			t.Fatalf("after the revoke in another process: %d", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The address is bound before the database is touched: when it is in use the
// command exits 1 at once, names the address and --addr, and makes no database.
func TestEmulatorStartAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "sub", "emulator.db")
	start := time.Now()
	code, stderr := runMetabind(t, "emulator", "start", "--addr", ln.Addr().String(), "--db", db, "--seed")
	if code != 1 || !strings.Contains(stderr, ln.Addr().String()) || !strings.Contains(stderr, "--addr") || !strings.Contains(stderr, "another process is using it") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
		t.Fatalf("the database directory was made: %v", err)
	}
	t.Logf("refused in %s", time.Since(start))

	// An address that is not one is said to be wrong, not to be in use.
	code, stderr = runMetabind(t, "emulator", "start", "--addr", "999.1.1.1:0", "--db", db)
	if code != 1 || !strings.Contains(stderr, "check --addr") || strings.Contains(stderr, "another process") {
		t.Fatalf("bad address: exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
		t.Fatalf("the database directory was made: %v", err)
	}
}

// SIGINT and SIGTERM shut the server down gracefully, exit 0.
func TestEmulatorStartSignalExitsZero(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			p := startEmulator(t, "--db", ":memory:")
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t); code != 0 {
				t.Fatalf("exit %d after %s, want 0\n%s", code, sig, p.stderr)
			}
			if !strings.Contains(p.stderr.String(), "metabind emulator stopped") {
				t.Errorf("stderr:\n%s", p.stderr)
			}
		})
	}
}

func do(t *testing.T, r *http.Request, want int) []byte {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", r.Method, r.URL.Path, resp.StatusCode, want, b)
	}
	return b
}

func jsonField(t *testing.T, body []byte, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[name].(string)
	if s == "" {
		t.Fatalf("no %q in %s", name, body)
	}
	return s
}
