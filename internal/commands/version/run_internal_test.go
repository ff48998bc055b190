package version

import (
	"context"
	"errors"
	"testing"

	"github.com/metabind/metabind-cli/internal/build"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// versionRun with fixed build information: the exact output in each format
// and with the output flags, and no configuration read (the factory's
// environment has none, and reading it fails the test).
func TestVersionRun(t *testing.T) {
	info := build.Info{Version: "dev", Commit: "357f015", Date: "2026-11-26T06:35:24Z", GoVersion: "go1.24.0", ModuleVersion: "v0.0.0-20261126063524-357f01589816"}
	tests := []struct {
		name     string
		format   output.Format
		jq, tmpl string
		wantOut  string
		wantCode int
	}{
		{name: "text", format: output.Table, wantOut: "metabind dev (v0.0.0-20261126063524-357f01589816)\ncommit: 357f015\nbuilt: 2026-11-26T06:35:24Z\ngo: go1.24.0\n"},
		{name: "json", format: output.JSON, wantOut: `{
  "version": "dev",
  "commit": "357f015",
  "date": "2026-11-26T06:35:24Z",
  "goVersion": "go1.24.0",
  "moduleVersion": "v0.0.0-20261126063524-357f01589816"
}
`},
		{name: "yaml", format: output.YAML, wantOut: "version: dev\ncommit: 357f015\ndate: \"2026-11-26T06:35:24Z\"\ngoVersion: go1.24.0\nmoduleVersion: v0.0.0-20261126063524-357f01589816\n"},
		{name: "--jq", format: output.Table, jq: ".commit", wantOut: "357f015\n"},
		{name: "--template", format: output.Table, tmpl: "{{.version}}/{{.goVersion}}", wantOut: "dev/go1.24.0"},
		{name: "bad --jq", format: output.JSON, jq: ".[", wantCode: cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			f := cmdutil.New(ios, func(k string) string { t.Errorf("the run read %s", k); return "" })
			f.Output.JQ, f.Output.Template = tt.jq, tt.tmpl
			opts := newOptions(f)
			opts.Format = tt.format
			opts.BuildInfo = func() build.Info { return info }
			err := versionRun(context.Background(), opts)
			if code := cmdutil.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tt.wantOut)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
}

func TestVersionRunCancelled(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	opts := newOptions(cmdutil.New(ios, func(string) string { return "" }))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := versionRun(ctx, opts); !errors.Is(err, context.Canceled) || out.Len() != 0 {
		t.Errorf("cancelled: %v, printed %q", err, out)
	}
}
