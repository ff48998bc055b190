package config_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	configCmd "github.com/metabind/metabind-cli/internal/commands/config"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// parseConfig runs `config ARGS` with every verb's runF recording what it
// got, as one line: the verb and its parsed fields.
func parseConfig(t *testing.T, args ...string) (*cmdutil.Factory, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := cmdutil.New(ios, func(string) string { t.Error("parsing read the environment"); return "" })
	var got string
	deps := func(ctx context.Context, d cmdutil.Deps) {
		if ctx == nil || d.IO != ios || d.Config == nil || d.Printer == nil || d.UnknownProfile == nil {
			t.Errorf("runF got context %v, dependencies %+v", ctx, d)
		}
	}
	group := &cobra.Command{Use: "config", SilenceErrors: true, SilenceUsage: true}
	group.AddCommand(
		configCmd.NewCmdGet(f, func(ctx context.Context, o *configCmd.GetOptions) error {
			deps(ctx, o.Deps)
			got = "get " + o.Key
			return nil
		}),
		configCmd.NewCmdList(f, func(ctx context.Context, o *configCmd.ListOptions) error {
			deps(ctx, o.Deps)
			got = "list"
			return nil
		}),
		configCmd.NewCmdSet(f, func(ctx context.Context, o *configCmd.SetOptions) error {
			deps(ctx, o.Deps)
			got = fmt.Sprintf("set %s=%q unset=%v", o.Key, o.Value, o.Unset)
			return nil
		}),
		configCmd.NewCmdView(f, func(ctx context.Context, o *configCmd.ViewOptions) error {
			deps(ctx, o.Deps)
			got = fmt.Sprintf("view origin=%v", o.ShowOrigin)
			return nil
		}),
	)
	err := clitest.Parse(group, args...)
	if out.Len() != 0 || errOut.Len() != 0 {
		t.Errorf("parsing wrote %q %q", out, errOut)
	}
	return f, got, err
}

// argv → options (through runF; nothing loaded) or a usage error (exit 2;
// cobra's own errors tagged as the root tags them).
func TestConfigParsesFlags(t *testing.T) {
	tests := []struct {
		args  string
		want  string // what runF got; "" for an error
		check func(*testing.T, *cmdutil.Factory)
	}{
		{args: "get org", want: "get org"},
		{args: "get api-url", want: "get api-url"},
		{args: "get colour"},
		{args: "get"},
		{args: "get org project"},
		{args: "get org -o json"}, // get prints a bare value: no output flags
		{args: "list", want: "list"},
		{args: "ls", want: "list"},
		{args: "list -o json --jq .org", want: "list", check: func(t *testing.T, f *cmdutil.Factory) {
			if f.FormatFlagValue() != "json" || f.Output.JQ != ".org" {
				t.Errorf("output options: -o %q, %+v", f.FormatFlagValue(), f.Output)
			}
		}},
		{args: "list extra"},
		{args: "list --columns key"},
		{args: "set org acme", want: `set org="acme" unset=false`},
		{args: "set org --unset", want: `set org="" unset=true`},
		{args: "set output xml", want: `set output="xml" unset=false`}, // the value is checked by the configuration
		{args: "set org acme --unset"},
		{args: "set org"},
		{args: "set colour red"},
		{args: "set"},
		{args: "set org acme extra"},
		{args: "set org acme -o json"},
		{args: "set org acme --unset=maybe"},
		{args: "view", want: "view origin=false"},
		{args: "view --show-origin", want: "view origin=true"},
		{args: "view -o csv --no-headers --columns key,value", want: "view origin=false", check: func(t *testing.T, f *cmdutil.Factory) {
			if f.FormatFlagValue() != "csv" || !f.Output.NoHeaders || strings.Join(f.Output.Columns, ",") != "key,value" {
				t.Errorf("output options: -o %q, %+v", f.FormatFlagValue(), f.Output)
			}
		}},
		{args: "view -o xml"},
		{args: "view extra"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			f, got, err := parseConfig(t, strings.Fields(tt.args)...)
			if tt.want == "" {
				if cmdutil.ExitCode(err) != cmdutil.ExitUsage || got != "" {
					t.Fatalf("err %v (exit %d), runF got %q; want a usage error", err, cmdutil.ExitCode(err), got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("err %v, runF got %q, want %q", err, got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}
