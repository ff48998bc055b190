package status_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/status"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// emulatorEnv is the environment of the shared harness: a seeded in-process
// emulator (acme/web) and a token for it.
func emulatorEnv(t *testing.T) map[string]string { return clitest.Emulator(t).Env }

// run runs a command line in-process: stdout, stderr, exit code.
var run = clitest.Run

// The flags reach the options; the run function gets them and the context.
func TestStatusFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := cmdutil.New(ios, func(string) string { return "" })
	type ctxKey struct{}
	var got *status.Options
	var gotCtx context.Context
	cmd := status.NewCmdStatus(f, func(ctx context.Context, o *status.Options) error { got, gotCtx = o, ctx; return nil })
	cmd.SetArgs([]string{"--jq", ".org"})
	ctx := context.WithValue(context.Background(), ctxKey{}, 1)
	if err := cmd.ExecuteContext(ctx); err != nil || got == nil || gotCtx.Value(ctxKey{}) != 1 {
		t.Fatalf("run: %v %+v", err, got)
	}
	if f.Output.JQ != ".org" {
		t.Errorf("--jq did not reach the output options: %+v", f.Output)
	}
	for _, args := range [][]string{{"extra"}, {"--columns", "org"}} {
		cmd := status.NewCmdStatus(f, func(context.Context, *status.Options) error { t.Fatal("ran"); return nil })
		cmd.SetArgs(args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		if err := cmd.Execute(); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// status -o json: every source in the same words (tokenSource was "env"
// beside orgSource "environment"); --jq applies.
func TestStatusRun(t *testing.T) {
	env := emulatorEnv(t)
	out, stderr, code := run(env, "status", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep["tokenSource"] != "environment" || rep["orgSource"] != "environment" || rep["projectSource"] != "environment" ||
		rep["reachable"] != true || rep["loggedIn"] != true || rep["user"] != "alice" {
		t.Errorf("status -o json: %s", out)
	}
	out, _, code = run(env, "status", "--jq", ".httpStatus")
	if code != 0 || out != "200\n" {
		t.Errorf("--jq .httpStatus: exit %d, %q", code, out)
	}
	out, _, _ = run(env, "status")
	if !strings.Contains(out, "alice, token from environment") || !strings.Contains(out, "answers (HTTP 200") {
		t.Errorf("status table:\n%s", out)
	}
	// No project: a usage problem, reported in the JSON too.
	delete(env, "MB_PROJECT")
	out, _, code = run(env, "status", "-o", "json")
	if code != cmdutil.ExitUsage || !strings.Contains(out, `"loggedIn": true`) {
		t.Errorf("no project: exit %d\n%s", code, out)
	}
}
