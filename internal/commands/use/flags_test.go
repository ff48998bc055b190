package use_test

import (
	"context"
	"io"
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/use"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// underRoot attaches cmd below a parent that has the root's --org and
// --project, which `use` reads.
func underRoot(cmd *cobra.Command) *cobra.Command {
	parent := &cobra.Command{Use: "metabind", SilenceErrors: true, SilenceUsage: true}
	parent.PersistentFlags().String("org", "", "")
	parent.PersistentFlags().String("project", "", "")
	parent.AddCommand(cmd)
	parent.SetOut(io.Discard)
	parent.SetErr(io.Discard)
	return parent
}

// argv → options (through runF; nothing loaded, no request) or a usage error
// (exit 2; cobra's own errors tagged as the root tags them).
func TestUseParsesFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		want      use.Options // flag fields only
		wantUsage bool        // a usage error, exit 2
	}{
		{name: "show", args: nil},
		{name: "-o json", args: []string{"-o", "json"}},
		{name: "both", args: []string{"--org", "acme", "--project", "web"}, want: use.Options{Org: "acme", Project: "web"}},
		{name: "project only", args: []string{"--project", "web"}, want: use.Options{Project: "web"}},
		{name: "no verify", args: []string{"--org", "acme", "--no-verify"}, want: use.Options{Org: "acme", NoVerify: true}},
		{name: "clear", args: []string{"--clear"}, want: use.Options{Clear: true}},
		{name: "clear with org", args: []string{"--clear", "--org", "acme"}, wantUsage: true},
		{name: "clear with project", args: []string{"--project", "web", "--clear"}, wantUsage: true},
		{name: "empty org", args: []string{"--org", ""}, wantUsage: true},
		{name: "empty project", args: []string{"--project="}, wantUsage: true},
		{name: "no-verify alone", args: []string{"--no-verify"}, wantUsage: true},
		{name: "an argument", args: []string{"acme"}, wantUsage: true},
		{name: "--columns (rows only)", args: []string{"--columns", "org"}, wantUsage: true},
		{name: "unknown flag", args: []string{"--bogus"}, wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			f := cmdutil.New(ios, func(string) string { t.Error("parsing read the environment"); return "" })
			var got *use.Options
			root := underRoot(use.NewCmdUse(f, func(ctx context.Context, o *use.Options) error {
				if ctx == nil {
					t.Error("runF got no context")
				}
				got = o
				return nil
			}))
			err := clitest.Parse(root, append([]string{"use"}, tt.args...)...)
			if tt.wantUsage {
				if cmdutil.ExitCode(err) != cmdutil.ExitUsage || got != nil {
					t.Fatalf("err %v (exit %d), ran %v; want a usage error", err, cmdutil.ExitCode(err), got != nil)
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("err %v, ran %v", err, got != nil)
			}
			if got.Org != tt.want.Org || got.Project != tt.want.Project || got.Clear != tt.want.Clear || got.NoVerify != tt.want.NoVerify {
				t.Errorf("options %+v, want %+v", *got, tt.want)
			}
			if got.IO != ios || got.Config == nil || got.Token == nil || got.APIClient == nil || got.Printer == nil {
				t.Errorf("dependencies missing: %+v", got)
			}
			if out.Len() != 0 || errOut.Len() != 0 {
				t.Errorf("parsing wrote %q %q", out, errOut)
			}
		})
	}
}
