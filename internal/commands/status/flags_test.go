package status_test

import (
	"context"
	"testing"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/status"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// argv → options (through runF, nothing run, nothing loaded) or a usage error
// (exit 2; cobra's own errors tagged as the root tags them).
func TestStatusParsesFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		check   func(t *testing.T, f *cmdutil.Factory)
	}{
		{name: "none", args: nil},
		{name: "-o json", args: []string{"-o", "json"}, check: func(t *testing.T, f *cmdutil.Factory) {
			if got := f.FormatFlagValue(); got != "json" {
				t.Errorf("-o reached the factory as %q", got)
			}
		}},
		{name: "--jq", args: []string{"--jq", ".org"}, check: func(t *testing.T, f *cmdutil.Factory) {
			if f.Output.JQ != ".org" {
				t.Errorf("JQ = %q", f.Output.JQ)
			}
		}},
		{name: "--template", args: []string{"--template", "{{.org}}"}, check: func(t *testing.T, f *cmdutil.Factory) {
			if f.Output.Template != "{{.org}}" {
				t.Errorf("Template = %q", f.Output.Template)
			}
		}},
		{name: "an argument", args: []string{"extra"}, wantErr: true},
		{name: "-o xml", args: []string{"-o", "xml"}, wantErr: true},
		{name: "--columns (rows only)", args: []string{"--columns", "org"}, wantErr: true},
		{name: "--no-headers (rows only)", args: []string{"--no-headers"}, wantErr: true},
		{name: "unknown flag", args: []string{"--bogus"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			f := cmdutil.New(ios, func(string) string { t.Error("parsing read the environment"); return "" })
			var got *status.Options
			cmd := status.NewCmdStatus(f, func(ctx context.Context, o *status.Options) error {
				if ctx == nil {
					t.Error("runF got no context")
				}
				got = o
				return nil
			})
			err := clitest.Parse(cmd, tt.args...)
			if tt.wantErr {
				if cmdutil.ExitCode(err) != cmdutil.ExitUsage || got != nil {
					t.Fatalf("err %v (exit %d), ran %v; want a usage error", err, cmdutil.ExitCode(err), got != nil)
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("err %v, ran %v", err, got != nil)
			}
			if got.IO != ios || got.Config == nil || got.Token == nil || got.Scope == nil || got.APIClient == nil || got.Printer == nil || got.Now == nil {
				t.Errorf("dependencies missing: %+v", got)
			}
			if out.Len() != 0 || errOut.Len() != 0 {
				t.Errorf("parsing wrote %q %q", out, errOut)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}
