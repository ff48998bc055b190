// Package auth implements `metabind auth login|status|logout`.
package auth

import (
	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// NewCmdAuth returns the auth command group.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Log in, check and remove the admin credential",
		Long: `The admin API authenticates with a JWT from the Metabind web app
(Settings → API Keys → Create JWT). metabind stores it in the OS keyring, or in a
0600 file in the configuration directory where no keyring answers.`,
	}
	cmd.AddCommand(NewCmdLogin(f, nil), NewCmdStatus(f, nil), NewCmdLogout(f, nil))
	return cmd
}
