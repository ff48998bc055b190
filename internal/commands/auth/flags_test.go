package auth_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/auth"
)

type ctxKey struct{}

// parseCmd runs cmd's flag parsing and validation on args with a context of
// its own, and fails the test when the run function did not get that context
// (when it ran at all).
func parseCmd(t *testing.T, cmd *cobra.Command, gotCtx *context.Context, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.WithValue(context.Background(), ctxKey{}, "the command's"))
	if *gotCtx != nil && (*gotCtx).Value(ctxKey{}) != "the command's" {
		t.Errorf("%s %v: runF got another context", cmd.Name(), args)
	}
	return err
}

func TestLoginFlags(t *testing.T) {
	e := newEnv(t)
	f, _, _ := e.factory("", false, nil)
	for _, c := range []struct {
		args      []string
		withToken bool
	}{
		{nil, false},
		{[]string{"--with-token"}, true},
		{[]string{"--with-token=false"}, false},
	} {
		var got *auth.LoginOptions
		var ctx context.Context
		cmd := auth.NewCmdLogin(f, func(c context.Context, o *auth.LoginOptions) error { got, ctx = o, c; return nil })
		if err := parseCmd(t, cmd, &ctx, c.args...); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got == nil || got.WithToken != c.withToken {
			t.Fatalf("%v: options %+v", c.args, got)
		}
		if got.IO != f.IOStreams || got.Store == nil || got.Prompter == nil || got.ClientFor == nil || got.Getenv == nil || got.Now == nil {
			t.Errorf("%v: the factory's dependencies are not in the options", c.args)
		}
	}

	tok := jwt(t, map[string]any{"sub": "alice"})
	for _, c := range []struct {
		args  []string
		usage bool // a usage error (exit 2); else any error (cobra's flag errors are tagged by the root)
	}{
		{[]string{tok}, true},
		{[]string{"--with-token", tok}, true},
		{[]string{"extra"}, true},
		{[]string{"--token", tok}, false},
		{[]string{"--with-token=maybe"}, false},
	} {
		called := false
		var ctx context.Context
		err := parseCmd(t, auth.NewCmdLogin(f, func(context.Context, *auth.LoginOptions) error { called = true; return nil }), &ctx, c.args...)
		if err == nil || called {
			t.Fatalf("%d args: err %v, run called %v", len(c.args), err, called)
		}
		if c.usage && !cmdutil.IsUsage(err) {
			t.Errorf("%d args: %v is not a usage error", len(c.args), err)
		}
		if c.usage && strings.Contains(err.Error(), tok) {
			t.Errorf("the error echoes the token: %v", err)
		}
	}
}

func TestLogoutFlags(t *testing.T) {
	e := newEnv(t)
	f, _, _ := e.factory("", false, nil)
	var got *auth.LogoutOptions
	var ctx context.Context
	if err := parseCmd(t, auth.NewCmdLogout(f, func(c context.Context, o *auth.LogoutOptions) error { got, ctx = o, c; return nil }), &ctx); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.IO != f.IOStreams || got.Store == nil || got.Getenv == nil {
		t.Fatalf("options: %+v", got)
	}
	for _, args := range [][]string{{"extra"}, {"--all"}, {"-o", "json"}} {
		called := false
		err := parseCmd(t, auth.NewCmdLogout(f, func(context.Context, *auth.LogoutOptions) error { called = true; return nil }), &ctx, args...)
		if err == nil || called {
			t.Errorf("%v: err %v, run called %v", args, err, called)
		}
	}
}

func TestStatusFlags(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		args       []string
		structured bool
	}{
		{nil, false},
		{[]string{"-o", "json"}, true},
		{[]string{"--output", "yaml"}, true},
		{[]string{"--jq", ".user"}, true},
		{[]string{"--template", "{{.user}}"}, true},
	} {
		f, _, _ := e.factory("", false, nil)
		var got *auth.StatusOptions
		var ctx context.Context
		if err := parseCmd(t, auth.NewCmdStatus(f, func(c context.Context, o *auth.StatusOptions) error { got, ctx = o, c; return nil }), &ctx, c.args...); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got == nil || got.IO != f.IOStreams || got.Store == nil || got.Now == nil || got.OrgName == nil {
			t.Fatalf("%v: options %+v", c.args, got)
		}
		p, err := got.Printer()
		if err != nil {
			t.Fatalf("%v: printer: %v", c.args, err)
		}
		if p.Structured() != c.structured {
			t.Errorf("%v: structured output = %v", c.args, p.Structured())
		}
	}
	for _, c := range []struct {
		args     []string
		printErr string // the printer refuses the flags (exit 2)
	}{
		{[]string{"extra"}, ""},
		{[]string{"--columns", "user"}, ""},
		{[]string{"--no-headers"}, ""},
		{[]string{"-o", "xml"}, ""},
		{[]string{"--jq", ".["}, "jq"},
	} {
		f, _, _ := e.factory("", false, nil)
		called := false
		var got *auth.StatusOptions
		var ctx context.Context
		err := parseCmd(t, auth.NewCmdStatus(f, func(_ context.Context, o *auth.StatusOptions) error { called, got = true, o; return nil }), &ctx, c.args...)
		if c.printErr == "" {
			if err == nil || called {
				t.Errorf("%v: err %v, run called %v", c.args, err, called)
			}
			continue
		}
		// -o and --jq are checked where they are used, before anything is read.
		if err == nil && called {
			_, err = got.Printer()
		}
		if !cmdutil.IsUsage(err) || !strings.Contains(err.Error(), c.printErr) {
			t.Errorf("%v: %v, want a usage error about %s", c.args, err, c.printErr)
		}
	}
}
