package keys

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// parse runs a command's flag parsing and validation with a capturing run function.
func parse(t *testing.T, build func(*cmdutil.Factory) *cobra.Command, tty bool, args ...string) error {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	ios.SetStdinTTY(tty)
	f := cmdutil.New(ios, func(string) string { return "" })
	cmd := build(f)
	// As the root does: cobra's own errors are usage errors where they arise.
	cmdutil.TagUsageErrors(cmd)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cmdutil.NewError(cmdutil.ExitUsage, err) })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	return cmd.ExecuteContext(context.Background())
}

func TestCreateFlags(t *testing.T) {
	var got *CreateOptions
	build := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdCreate(f, func(_ context.Context, o *CreateOptions) error { got = o; return nil })
	}
	cases := []struct {
		args     []string
		wantErr  bool
		wantName string
		quiet    bool
		file     string
	}{
		{args: []string{"--name", "  iOS Production App "}, wantName: "iOS Production App"},
		{args: []string{"--name", "ci", "-q"}, wantName: "ci", quiet: true},
		{args: []string{"--name", "web", "--output-file", "web.key"}, wantName: "web", file: "web.key"},
		{args: []string{}, wantErr: true},
		{args: []string{"--name", ""}, wantErr: true},
		{args: []string{"--name", "   "}, wantErr: true},
		{args: []string{"--name", "bad\x1b[2Jname"}, wantErr: true},
		{args: []string{"--name", "line\nbreak"}, wantErr: true},
		{args: []string{"--name", string(make([]byte, 101))}, wantErr: true},
		{args: []string{"--name", "ci", "-q", "--output-file", "x"}, wantErr: true},
		{args: []string{"--name", "ci", "positional"}, wantErr: true},
	}
	for _, c := range cases {
		got = nil
		err := parse(t, build, false, c.args...)
		if c.wantErr {
			if err == nil {
				t.Errorf("%q: want an error", c.args)
			} else if code := cmdutil.ExitCode(err); code != cmdutil.ExitUsage {
				t.Errorf("%q: exit code %d, want 2 (%v)", c.args, code, err)
			}
			if got != nil {
				t.Errorf("%q: run function called despite invalid input", c.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if got.Name != c.wantName || got.Quiet != c.quiet || got.OutputFile != c.file {
			t.Errorf("%q: got %+v", c.args, got)
		}
	}
}

func TestCreateNameLimitCountsCharacters(t *testing.T) {
	name := ""
	for i := 0; i < 100; i++ {
		name += "é"
	}
	if _, err := checkName("--name", name); err != nil {
		t.Fatalf("100 two-byte characters must be accepted: %v", err)
	}
	if _, err := checkName("--name", name+"é"); err == nil {
		t.Fatal("101 characters must be refused")
	}
}

func TestListFlags(t *testing.T) {
	var got *ListOptions
	build := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdList(f, func(_ context.Context, o *ListOptions) error { got = o; return nil })
	}
	ok := [][]string{{}, {"--status", "active"}, {"--status", "revoked", "--limit", "5"}, {"--all", "--sort", "last-used"}, {"-L", "3", "--sort", "name"}}
	for _, a := range ok {
		got = nil
		if err := parse(t, build, false, a...); err != nil || got == nil {
			t.Errorf("%q: %v", a, err)
		}
	}
	if err := parse(t, build, false); err != nil || got.Limit != 20 {
		t.Errorf("default limit: %v %+v", err, got)
	}
	bad := [][]string{{"--status", "paused"}, {"--limit", "0"}, {"--limit", "-3"}, {"--all", "--limit", "5"}, {"--sort", "size"}, {"extra"}}
	for _, a := range bad {
		got = nil
		err := parse(t, build, false, a...)
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage || got != nil {
			t.Errorf("%q: want usage error, got %v", a, err)
		}
	}
}

func TestRevokeNeedsYesWithoutTTY(t *testing.T) {
	var got *RevokeOptions
	build := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdRevoke(f, func(_ context.Context, o *RevokeOptions) error { got = o; return nil })
	}
	err := parse(t, build, false, "ci")
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || got != nil {
		t.Fatalf("non-TTY without --yes: want exit 2 and no run, got %v", err)
	}
	if err := parse(t, build, false, "ci", "other", "--yes"); err != nil || len(got.Args) != 2 || !got.Yes {
		t.Fatalf("--yes: %v %+v", err, got)
	}
	got = nil
	if err := parse(t, build, true, "ci"); err != nil || got == nil || got.Yes {
		t.Fatalf("TTY without --yes should reach the prompt: %v", err)
	}
	if err := parse(t, build, true); cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Fatalf("no argument: want usage error, got %v", err)
	}
}

func TestTestRefusesKeyAsArgument(t *testing.T) {
	called := false
	build := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdTest(f, func(context.Context, *TestOptions) error { called = true; return nil })
	}
	secret := "7zvFJw9L0qEoYdKx2mBt1sLpZj3nX7gW"
	err := parse(t, build, false, secret)
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || called {
		t.Fatalf("want usage error, got %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("the error echoes the key: %v", err)
	}
}

// Names with control or invisible characters are quoted once: escaped, never
// raw, never escaped twice.
func TestNamesInMessagesAreQuotedOnce(t *testing.T) {
	q := revokeQuestion([]api.Key{{ID: "3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f", Name: "\x1b[31mred\u202e"}})
	if strings.ContainsAny(q, "\x1b\u202e") || strings.Contains(q, `\\x1b`) || !strings.Contains(q, `"\x1b[31mred\u202e"`) {
		t.Errorf("question = %q", q)
	}
	if q := revokeQuestion([]api.Key{{ID: "3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f", Name: "iOS Production App"}}); !strings.HasPrefix(q, `Revoke "iOS Production App" (3f0c9a52)? Apps using it lose access immediately.`) {
		t.Errorf("question = %q", q)
	}
}
