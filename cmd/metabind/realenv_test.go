package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The real-environment suites (realenv_*_test.go) run metabind against what
// users have on their machines rather than the project's fakes: the Secret
// Service, bash, zsh and fish. Each needs programs that a developer's machine
// may lack; without them the suite skips and says what to install. CI sets
// MB_REQUIRE_REAL_ENV=1, which turns such a skip into a failure, so the suites
// cannot silently stop running there.
const envRequireRealEnv = "MB_REQUIRE_REAL_ENV"

// needPrograms skips (or, under MB_REQUIRE_REAL_ENV=1, fails) the test when a
// program is not on PATH. packages names the Debian packages that provide them.
func needPrograms(t *testing.T, packages string, programs ...string) {
	t.Helper()
	var missing []string
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "needs " + strings.Join(missing, ", ") + " (Debian: apt-get install " + packages + ")"
	if os.Getenv(envRequireRealEnv) == "1" {
		t.Fatalf("%s, and %s=1 forbids skipping this suite", msg, envRequireRealEnv)
	}
	t.Skip("skipping a real-environment suite: " + msg)
}

// metabindBin is the metabind binary (this test binary, re-executed, see
// TestMain), or a skip when the test is not run through go test.
func metabindBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs real programs")
	}
	bin, err := exec.LookPath("metabind")
	if err != nil {
		t.Skip("metabind is not on PATH (run through go test)")
	}
	return bin
}

// runResult is one finished process.
type runResult struct {
	stdout, stderr string
	code           int
}

// runBounded runs a program with env and stdin, and fails the test if it does
// not finish within limit: a hang (a keyring call that is not bounded, a shell
// waiting for input) shows up as a failure that names the command rather than
// as the whole test binary timing out.
func runBounded(t *testing.T, limit time.Duration, env []string, stdin string, name string, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s did not finish within %s\nstderr:\n%s", filepath.Base(name), strings.Join(args, " "), limit, stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	}
	return runResult{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// baseEnv is a clean environment for metabind under home: its own
// configuration directory, no token, no keyring opt-out, no session bus.
func baseEnv(bin, home string) []string {
	return []string{
		"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_RUNTIME_DIR=" + filepath.Join(home, "run"),
		"MB_CONFIG_DIR=" + filepath.Join(home, "metabind"),
		"NO_COLOR=1",
		"LANG=C.UTF-8",
		"TERM=dumb",
	}
}
