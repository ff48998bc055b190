package version_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/build"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/version"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

func run(env map[string]string, args ...string) (string, string, int) {
	ios, _, out, errOut := iostreams.Test()
	code := app.RunFactory(context.Background(), args, cmdutil.New(ios, func(k string) string { return env[k] }))
	return out.String(), errOut.String(), code
}

func TestVersionText(t *testing.T) {
	out, _, code := run(nil, "version")
	if code != 0 || out != version.Format(build.Get()) || !strings.HasPrefix(out, "metabind ") {
		t.Fatalf("exit %d: %q", code, out)
	}
	if same, _, _ := run(nil, "--version"); same != out {
		t.Errorf("--version %q differs from version %q", same, out)
	}
}

// -o json (or MB_OUTPUT=json) prints the fields; --jq and --template apply;
// the configuration file is never read (MB_CONFIG_DIR points nowhere).
func TestVersionData(t *testing.T) {
	env := map[string]string{"MB_CONFIG_DIR": "/nonexistent/metabind"}
	for _, args := range [][]string{{"version", "-o", "json"}, {"--version", "-o", "json"}} {
		out, stderr, code := run(env, args...)
		var info map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &info) != nil || info["goVersion"] == nil {
			t.Errorf("%v: exit %d, %q %q", args, code, out, stderr)
		}
	}
	env["MB_OUTPUT"] = "json"
	if out, _, code := run(env, "version"); code != 0 || !json.Valid([]byte(out)) {
		t.Errorf("MB_OUTPUT=json: exit %d, %q", code, out)
	}
	delete(env, "MB_OUTPUT")
	if out, _, code := run(env, "version", "--jq", ".version"); code != 0 || out != build.Get().Version+"\n" {
		t.Errorf("--jq .version: exit %d, %q", code, out)
	}
	if out, _, code := run(env, "version", "--template", "{{.goVersion}}"); code != 0 || !strings.HasPrefix(out, "go1.") {
		t.Errorf("--template: exit %d, %q", code, out)
	}
	for _, args := range [][]string{{"version", "-o", "xml"}, {"version", "--columns", "version"}, {"version", "extra"}} {
		if _, _, code := run(env, args...); code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// A configuration file that cannot be read does not matter: version never
// loads it, and leaves it as it was.
func TestVersionIgnoresConfig(t *testing.T) {
	dir := t.TempDir()
	bad := []byte("org: [unclosed\n")
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), bad, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MB_CONFIG_DIR": dir}
	for _, args := range [][]string{{"version"}, {"version", "-o", "yaml"}, {"--version"}} {
		out, stderr, code := run(env, args...)
		if code != 0 || !strings.Contains(out, "dev") || stderr != "" {
			t.Errorf("%v: exit %d, %q %q", args, code, out, stderr)
		}
	}
	if _, stderr, code := run(env, "config", "list"); code == 0 || !strings.Contains(stderr, "config.yaml") {
		t.Errorf("the file is not bad after all: exit %d %q", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "config.yaml")); err != nil || string(b) != string(bad) {
		t.Errorf("config.yaml now %q, %v", b, err)
	}
}
