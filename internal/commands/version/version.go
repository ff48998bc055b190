// Package version implements `metabind version`.
package version

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/build"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// Options holds the inputs of `version` (and of the root's --version). It has
// no configuration provider: a command that makes no request must work
// whatever state the configuration file is in.
type Options struct {
	IO *iostreams.IOStreams
	// PrinterFor builds the output layer for a format without reading the
	// configuration.
	PrinterFor func(output.Format) (*output.Printer, error)
	BuildInfo  func() build.Info
	// Format is -o when given, else MB_OUTPUT, else table.
	Format output.Format
}

func newOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IOStreams, PrinterFor: f.PrinterFor, BuildInfo: build.Get}
}

// NewCmdVersion returns the version command.
func NewCmdVersion(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the version, commit, build date and Go version",
		Long: `Show the version, commit, build date and Go version of this binary. A development
build says "dev", with the module version or VCS revision where the Go build info
has one, and "unknown" where it has none. -o json or -o yaml prints the same fields.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Format, err = format(f, cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return versionRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputData)
	return cmd
}

// Show runs `metabind --version`, which is `metabind version` given as the
// root's flag: cmd is the command that has the -o flag.
func Show(f *cmdutil.Factory, cmd *cobra.Command) error {
	opts := newOptions(f)
	var err error
	if opts.Format, err = format(f, cmd); err != nil {
		return err
	}
	return versionRun(cmd.Context(), opts)
}

// format is cmd's -o when the command line gives it, else MB_OUTPUT, else
// table; the configuration file is not read.
func format(f *cmdutil.Factory, cmd *cobra.Command) (output.Format, error) {
	name, src := f.Getenv("MB_OUTPUT"), config.SourceEnv
	if fl := cmd.Flags().Lookup("output"); fl != nil && fl.Changed {
		name, src = fl.Value.String(), config.SourceFlag
	}
	return cmdutil.ParseOutputSetting(name, src)
}

func versionRun(ctx context.Context, opts *Options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := opts.PrinterFor(opts.Format)
	if err != nil {
		return err
	}
	info := opts.BuildInfo()
	if p.Structured() {
		return p.Data(opts.IO.Out, info)
	}
	return Print(opts.IO.Out, info)
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
