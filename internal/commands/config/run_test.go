package config_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	configCmd "github.com/metabind/metabind-cli/internal/commands/config"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

func readConfig(t *testing.T, dir string) string {
	t.Helper()
	return clitest.ConfigFile(t, dir)
}

// Each verb against a real configuration directory: stdout, stderr, the exit
// code and config.yaml afterwards (unchanged after every failure).
func TestConfigRuns(t *testing.T) {
	saved := [][]string{{"config", "set", "org", "acme"}, {"config", "set", "project", "web"}}
	tests := []struct {
		name     string
		setup    [][]string
		env      map[string]string
		args     string
		wantCode int
		wantOut  string // exact
		wantErr  string // contained in stderr
		inFile   []string
		notFile  []string
	}{
		{name: "set", args: "config set org acme", wantErr: "Set org in profile default.", inFile: []string{"org: acme"}},
		{name: "set in a new profile", setup: saved, args: "config set api-url https://staging.example.com --profile staging",
			wantErr: "Set api-url in profile staging.", inFile: []string{"org: acme", "staging", "api-url: https://staging.example.com"}},
		{name: "set a bad value", setup: saved, args: "config set output xml", wantCode: cmdutil.ExitUsage, wantErr: "xml", notFile: []string{"xml"}},
		{name: "unset", setup: saved, args: "config set org --unset", wantErr: "Removed org from profile default.", inFile: []string{"project: web"}, notFile: []string{"acme"}},
		{name: "get", setup: saved, args: "config get project", wantOut: "web\n", inFile: []string{"project: web"}},
		{name: "get unset", args: "config get project", wantOut: ""},
		{name: "get from the environment", setup: saved, env: map[string]string{"MB_PROJECT": "mobile"}, args: "config get project", wantOut: "mobile\n"},
		{name: "get the default", args: "config get output", wantOut: "table\n"},
		{name: "get in an unknown profile", setup: saved, args: "config get org --profile nope", wantCode: cmdutil.ExitUsage, wantErr: `profile "nope" has no settings`},
		{name: "list", setup: saved, args: "config list", wantOut: "org=acme\nproject=web\n"},
		{name: "list -o json", setup: saved, args: "config list -o json", wantOut: "{\n  \"org\": \"acme\",\n  \"project\": \"web\"\n}\n"},
		{name: "list in an unknown profile", setup: saved, args: "config list --profile nope", wantCode: cmdutil.ExitUsage, wantErr: `profile "nope" has no settings`},
		{name: "view csv", setup: saved, env: map[string]string{"MB_PROJECT": "mobile"}, args: "config view -o csv --no-headers --columns key,value",
			wantOut: "api-url,https://api.metabind.ai\norg,acme\nproject,mobile\noutput,csv\n"},
		{name: "view --show-origin tsv", setup: saved, env: map[string]string{"MB_PROJECT": "mobile"}, args: "config view --show-origin -o tsv --columns key,origin",
			wantOut: "key\torigin\napi-url\tdefault\norg\tprofile\nproject\tenvironment\noutput\tflag\n"},
		{name: "view --jq", setup: saved, args: "config view -o json --jq .settings[1].value", wantOut: "acme\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"MB_CONFIG_DIR": dir}
			for _, args := range tt.setup {
				if _, stderr, code := run(env, args...); code != 0 {
					t.Fatalf("%v: exit %d %s", args, code, stderr)
				}
			}
			for k, v := range tt.env {
				env[k] = v
			}
			before := readConfig(t, dir)
			out, stderr, code := run(env, strings.Fields(tt.args)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tt.wantCode, stderr)
			}
			if out != tt.wantOut {
				t.Errorf("stdout %q, want %q", out, tt.wantOut)
			}
			if !strings.Contains(stderr, tt.wantErr) || (tt.wantErr == "" && stderr != "") {
				t.Errorf("stderr %q, want %q", stderr, tt.wantErr)
			}
			after := readConfig(t, dir)
			if code != 0 && after != before {
				t.Errorf("a failed command changed config.yaml:\n%s\nwas:\n%s", after, before)
			}
			for _, w := range tt.inFile {
				if !strings.Contains(after, w) {
					t.Errorf("config.yaml lacks %q:\n%s", w, after)
				}
			}
			for _, w := range tt.notFile {
				if strings.Contains(after, w) {
					t.Errorf("config.yaml has %q:\n%s", w, after)
				}
			}
			if fi, err := os.Stat(filepath.Join(dir, "config.yaml")); err == nil && fi.Mode().Perm() != 0o600 {
				t.Errorf("config.yaml mode %v", fi.Mode().Perm())
			}
		})
	}
}

// The run functions use their context: cancelled, set writes nothing and
// the readers print nothing.
func TestConfigRunCancelled(t *testing.T) {
	for _, args := range [][]string{{"set", "org", "acme"}, {"set", "org", "--unset"}, {"get", "org"}, {"list"}, {"view"}} {
		dir := t.TempDir()
		ios, _, out, errOut := iostreams.Test()
		f := cmdutil.New(ios, func(k string) string { return map[string]string{"MB_CONFIG_DIR": dir}[k] })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		cmd := configCmd.NewCmdConfig(f)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		cmd.SetArgs(args)
		if err := cmd.ExecuteContext(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("%v: err = %v, want context.Canceled", args, err)
		}
		if out.Len() != 0 || errOut.Len() != 0 || readConfig(t, dir) != "" {
			t.Errorf("%v: a cancelled command printed %q %q or wrote %q", args, out, errOut, readConfig(t, dir))
		}
	}
}
