package version_test

import (
	"context"
	"testing"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/version"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// argv and MB_OUTPUT → options (through runF) or a usage error (exit 2;
// cobra's own errors tagged as the root tags them).
func TestVersionParsesFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		mbOutput string
		want     output.Format // "" for an error
		jq       string
	}{
		{name: "none", want: output.Table},
		{name: "-o json", args: []string{"-o", "json"}, want: output.JSON},
		{name: "--output=yaml", args: []string{"--output=yaml"}, want: output.YAML},
		{name: "MB_OUTPUT", mbOutput: " json ", want: output.JSON},
		{name: "-o wins over MB_OUTPUT", mbOutput: "json", args: []string{"-o", "table"}, want: output.Table},
		{name: "--jq", args: []string{"--jq", ".version"}, want: output.Table, jq: ".version"},
		{name: "bad MB_OUTPUT", mbOutput: "xml"},
		{name: "bad -o", args: []string{"-o", "xml"}},
		{name: "an argument", args: []string{"extra"}},
		{name: "--columns (rows only)", args: []string{"--columns", "version"}},
		{name: "--no-headers (rows only)", args: []string{"--no-headers"}},
		{name: "unknown flag", args: []string{"--short"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			f := cmdutil.New(ios, func(k string) string {
				if k != "MB_OUTPUT" {
					t.Errorf("parsing read %s", k)
				}
				return tt.mbOutput
			})
			var got *version.Options
			cmd := version.NewCmdVersion(f, func(ctx context.Context, o *version.Options) error {
				if ctx == nil {
					t.Error("runF got no context")
				}
				got = o
				return nil
			})
			err := clitest.Parse(cmd, tt.args...)
			if tt.want == "" {
				if cmdutil.ExitCode(err) != cmdutil.ExitUsage || got != nil {
					t.Fatalf("err %v (exit %d), ran %v; want a usage error", err, cmdutil.ExitCode(err), got != nil)
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("err %v, ran %v", err, got != nil)
			}
			if got.Format != tt.want || f.Output.JQ != tt.jq {
				t.Errorf("format %q, jq %q; want %q, %q", got.Format, f.Output.JQ, tt.want, tt.jq)
			}
			if got.IO != ios || got.PrinterFor == nil || got.BuildInfo == nil {
				t.Errorf("dependencies missing: %+v", got)
			}
			if out.Len() != 0 || errOut.Len() != 0 {
				t.Errorf("parsing wrote %q %q", out, errOut)
			}
		})
	}
}
