package use_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// run runs a command line in-process with dir as the configuration
// directory and nothing else in the environment.
func run(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	return clitest.Run(map[string]string{"MB_CONFIG_DIR": dir}, args...)
}

func TestUseSavesAndClears(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := run(t, dir, "use", "--org", "acme", "--project", "web", "--no-verify"); code != 0 || !strings.Contains(errOut, "Now using organization acme, project web") {
		t.Fatalf("use: %d %q", code, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil || !strings.Contains(string(b), "org: acme") || !strings.Contains(string(b), "project: web") {
		t.Fatalf("config.yaml = %q, %v", b, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "config.yaml")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("config.yaml mode %v", fi.Mode().Perm())
	}
	out, _, code := run(t, dir, "use")
	if code != 0 || !strings.Contains(out, "acme (from profile)") {
		t.Fatalf("use without flags: %d %q", code, out)
	}
	// Only the project changes; the org stays.
	run(t, dir, "use", "--project", "mobile", "--no-verify")
	b, _ = os.ReadFile(filepath.Join(dir, "config.yaml"))
	if !strings.Contains(string(b), "org: acme") || !strings.Contains(string(b), "project: mobile") {
		t.Fatalf("after --project: %q", b)
	}
	if _, _, code := run(t, dir, "use", "--clear"); code != 0 {
		t.Fatalf("--clear: %d", code)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "config.yaml"))
	if strings.Contains(string(b), "acme") || strings.Contains(string(b), "mobile") {
		t.Fatalf("after --clear: %q", b)
	}
}

func TestUseRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"use", "--clear", "--org", "acme"},
		{"use", "--org", ""},
		{"use", "--org", "has space"},
		{"use", "extra"},
		{"use", "--no-verify"},
		{"use", "--project", "web"}, // no organization to check it in
	} {
		_, errOut, code := run(t, dir, args...)
		if code != cmdutil.ExitUsage {
			t.Errorf("%q: exit %d, want 2 (%q)", args, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "config.yaml")); !os.IsNotExist(err) {
		t.Fatalf("bad input wrote the config file: %v", err)
	}
}

func TestUseShowsContextAsJSON(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "use", "--org", "acme", "--project", "web", "--no-verify")
	out, _, code := run(t, dir, "use", "-o", "json")
	if code != 0 || !strings.Contains(out, `"org": "acme"`) || !strings.Contains(out, `"orgSource": "profile"`) {
		t.Fatalf("use -o json: %d %q", code, out)
	}
}

func TestUseChecksBeforeSaving(t *testing.T) {
	dir := t.TempDir()
	// Not logged in: exit 4, nothing saved, and the way out named.
	_, errOut, code := run(t, dir, "use", "--org", "acme")
	if code != cmdutil.ExitAuth || !strings.Contains(errOut, "--no-verify") {
		t.Fatalf("use without a token: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.yaml")); !os.IsNotExist(err) {
		t.Fatalf("a failed check wrote the config file: %v", err)
	}
}
