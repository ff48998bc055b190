package use_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/use"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// verifyEnv is an in-process emulator with organization acme (projects web
// and mobile) and a token for it, and an empty configuration directory: no
// organization or project in the environment.
func verifyEnv(t *testing.T) map[string]string {
	t.Helper()
	env := clitest.Emulator(t, clitest.Projects("mobile")).Env
	delete(env, "MB_ORG")
	delete(env, "MB_PROJECT")
	return env
}

func runEnv(env map[string]string, args ...string) (string, string, int) {
	return clitest.Run(env, args...)
}

func configFile(t *testing.T, env map[string]string) string {
	t.Helper()
	return clitest.ConfigFile(t, env["MB_CONFIG_DIR"])
}

// use checks with the API before saving: what it says, its exit code and the
// configuration file afterwards.
func TestUseVerifies(t *testing.T) {
	tests := []struct {
		name      string
		saved     []string // a `use ... --no-verify` run first, if any
		args      []string
		wantCode  int
		wantErr   []string // in stderr
		wantFile  []string // in config.yaml afterwards
		notInFile []string
	}{
		{name: "org and project", args: []string{"--org", "acme", "--project", "web"},
			wantErr: []string{"Now using organization ", "(acme), project ", "(web)."}, wantFile: []string{"org: acme", "project: web"}},
		{name: "project in the token's organization", args: []string{"--project", "mobile"},
			wantErr: []string{"Now using organization acme (from the token's org claim; not saved), project ", "(mobile)"}, wantFile: []string{"project: mobile"}, notInFile: []string{"org:"}},
		{name: "project in the saved organization", saved: []string{"--org", "acme", "--project", "web"}, args: []string{"--project", "mobile"},
			wantFile: []string{"org: acme", "project: mobile"}},
		{name: "unknown project", saved: []string{"--org", "acme", "--project", "web"}, args: []string{"--project", "nope"},
			wantCode: cmdutil.ExitNotFound, wantErr: []string{"nothing was saved"}, wantFile: []string{"project: web"}, notInFile: []string{"nope"}},
		{name: "another organization", args: []string{"--org", "other", "--project", "web"},
			wantCode: cmdutil.ExitAuth, wantErr: []string{"not accepted for this organization", "nothing was saved"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := verifyEnv(t)
			if tt.saved != nil {
				if _, stderr, code := runEnv(env, append(append([]string{"use"}, tt.saved...), "--no-verify")...); code != 0 {
					t.Fatalf("saving first: %d %s", code, stderr)
				}
			}
			before := configFile(t, env)
			out, stderr, code := runEnv(env, append([]string{"use"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tt.wantCode, stderr)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %q", w, stderr)
				}
			}
			after := configFile(t, env)
			if code != 0 && after != before {
				t.Errorf("a refused use changed config.yaml:\n%s\nwas:\n%s", after, before)
			}
			for _, w := range tt.wantFile {
				if !strings.Contains(after, w) {
					t.Errorf("config.yaml lacks %q:\n%s", w, after)
				}
			}
			for _, w := range tt.notInFile {
				if strings.Contains(after, w) {
					t.Errorf("config.yaml has %q:\n%s", w, after)
				}
			}
		})
	}
}

// The run function uses its context: cancelled, it saves nothing (with or
// without the check) and returns the cancellation.
func TestUseRunCancelled(t *testing.T) {
	for _, args := range [][]string{
		{"use", "--org", "acme", "--project", "web", "--no-verify"},
		{"use", "--org", "acme", "--project", "web"},
		{"use", "--clear"},
	} {
		env := verifyEnv(t)
		ios, _, _, errOut := iostreams.Test()
		f := cmdutil.New(ios, func(k string) string { return env[k] })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		root := underRoot(use.NewCmdUse(f, nil))
		root.SetArgs(args)
		if err := root.ExecuteContext(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("%v: err = %v, want context.Canceled", args, err)
		}
		if got := configFile(t, env); got != "" {
			t.Errorf("%v: a cancelled use wrote config.yaml:\n%s", args, got)
		}
		if errOut.Len() != 0 {
			t.Errorf("%v: stderr %q", args, errOut)
		}
	}
}
