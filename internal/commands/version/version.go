// Package version implements `metabind version`.
package version

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/build"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

// NewCmdVersion returns the version command. It reads no configuration file:
// -o json or yaml is taken from the flag or MB_OUTPUT only.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.WithOutputFlags(f, cmdutil.OutputData, &cobra.Command{
		Use:   "version",
		Short: "Show the version, commit, build date and Go version",
		Long: `Show the version, commit, build date and Go version of this binary. A development
build says "dev", with the module version or VCS revision where the Go build info
has one, and "unknown" where it has none. -o json or -o yaml prints the same fields.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return Show(f, cmd) },
	})
}

// Show prints the version for `metabind version` and `metabind --version`:
// text, or JSON/YAML when -o (or MB_OUTPUT) asks for it.
func Show(f *cmdutil.Factory, cmd *cobra.Command) error {
	format := f.Getenv("MB_OUTPUT")
	if fl := cmd.Flags().Lookup("output"); fl != nil && fl.Changed {
		format = fl.Value.String()
	}
	fm := output.Table
	if format = strings.TrimSpace(format); format != "" {
		var err error
		if fm, err = output.ParseFormat(format); err != nil {
			return cmdutil.FlagErrorf("%v", err)
		}
	}
	// The configuration file is not read: a command that makes no request
	// must work whatever state it is in.
	p, err := f.PrinterFor(fm)
	if err != nil {
		return err
	}
	if p.Structured() {
		return p.Data(f.IOStreams.Out, build.Get())
	}
	return Print(f.IOStreams.Out, build.Get())
}

// Format renders build information the way `metabind version` and `--version` print it.
func Format(info build.Info) string {
	return fmt.Sprintf("metabind %s\ncommit: %s\nbuilt: %s\ngo: %s\n", info.Display(), info.Commit, info.Date, info.GoVersion)
}

// Print writes Format(info) to w.
func Print(w io.Writer, info build.Info) error {
	_, err := io.WriteString(w, Format(info))
	return err
}
