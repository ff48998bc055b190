// Package root assembles the command tree.
package root

import (
	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/build"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	versionCmd "github.com/metabind/metabind-cli/internal/commands/version"
)

// NewCmdRoot returns the root command with every subcommand attached.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:           "metabind <command> <subcommand> [flags]",
		Short:         "Manage Metabind API keys from the terminal",
		Long:          "metabind creates, lists, inspects, tests and revokes Metabind API keys through the admin API.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       build.Get().Version,
	}
	cmd.SetVersionTemplate(versionCmd.Format(build.Get()))
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	cmd.SetIn(f.IOStreams.In)
	cmd.AddCommand(versionCmd.NewCmdVersion(f))
	return cmd
}
