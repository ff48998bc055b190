package config_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

func run(env map[string]string, args ...string) (string, string, int) {
	ios, _, out, errOut := iostreams.Test()
	code := app.RunFactory(context.Background(), args, cmdutil.New(ios, func(k string) string { return env[k] }))
	return out.String(), errOut.String(), code
}

func TestSetGetListUnset(t *testing.T) {
	env := map[string]string{"MB_CONFIG_DIR": t.TempDir()}
	if _, stderr, code := run(env, "config", "set", "org", "acme"); code != 0 || !strings.Contains(stderr, "Set org in profile default") {
		t.Fatalf("set: exit %d %q", code, stderr)
	}
	if out, _, code := run(env, "config", "get", "org"); code != 0 || out != "acme\n" {
		t.Errorf("get: exit %d %q", code, out)
	}
	if out, _, _ := run(env, "config", "list"); out != "org=acme\n" {
		t.Errorf("list: %q", out)
	}
	if out, _, _ := run(env, "config", "list", "--jq", ".org"); out != "acme\n" {
		t.Errorf("list --jq: %q", out)
	}
	env["MB_ORG"] = "fromenv"
	if out, _, _ := run(env, "config", "get", "org"); out != "fromenv\n" {
		t.Errorf("get with MB_ORG: %q", out)
	}
	delete(env, "MB_ORG")
	if _, _, code := run(env, "config", "set", "org", "--unset"); code != 0 {
		t.Fatalf("unset: exit %d", code)
	}
	if out, _, _ := run(env, "config", "get", "org"); out != "" {
		t.Errorf("get after unset: %q", out)
	}
	for _, args := range [][]string{
		{"config", "set", "colour", "red"},
		{"config", "set", "org"},
		{"config", "set", "output", "xml"},
		{"config", "get", "colour"},
		{"config", "set", "org", "x", "-o", "json"},
	} {
		if _, _, code := run(env, args...); code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if out, _, _ := run(env, "config", "list"); out != "" {
		t.Errorf("refused sets saved something: %q", out)
	}
}

func TestView(t *testing.T) {
	env := map[string]string{"MB_CONFIG_DIR": t.TempDir(), "MB_PROJECT": "web"}
	run(env, "config", "set", "org", "acme")
	out, stderr, code := run(env, "config", "view", "--show-origin")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"KEY", "org", "acme", "profile", "web", "environment", "output", "default"} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "Profile:") {
		t.Errorf("view's notes are not on stderr: %q", stderr)
	}
	out, _, _ = run(env, "config", "view", "-o", "json")
	var doc struct {
		Profile  string `json:"profile"`
		Settings []struct {
			Key, Value, Origin string
		} `json:"settings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Profile != "default" || len(doc.Settings) < 4 {
		t.Fatalf("view -o json: %v\n%s", err, out)
	}
	out, stderr, _ = run(env, "config", "view", "-o", "tsv", "--columns", "key,value")
	if !strings.HasPrefix(out, "key\tvalue\n") || !strings.Contains(out, "org\tacme\n") || strings.Contains(stderr, "Profile:") {
		t.Errorf("view -o tsv:\n%s\nstderr %q", out, stderr)
	}
}
