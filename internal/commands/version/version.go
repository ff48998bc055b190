// Package version implements `metabind version`.
package version

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/build"
	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// NewCmdVersion returns the version command.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show the version, commit, build date and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return Print(f.IOStreams.Out, build.Get())
		},
	}
}

// Format renders build information the way `metabind version` and `--version` print it.
func Format(info build.Info) string {
	return fmt.Sprintf("metabind %s\ncommit: %s\nbuilt: %s\ngo: %s\n", info.Version, info.Commit, info.Date, info.GoVersion)
}

// Print writes Format(info) to w.
func Print(w io.Writer, info build.Info) error {
	_, err := io.WriteString(w, Format(info))
	return err
}
