// Package emulator implements `metabind emulator`: run the local Metabind API
// emulator, seed it, mint admin tokens for it and read its audit trail.
package emulator

import (
	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// NewCmdEmulator returns `metabind emulator` with its subcommands.
func NewCmdEmulator(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "emulator <command>",
		Short: "Run a local emulator of the Metabind API",
		Long: `Run a local, SQLite-backed emulator of the Metabind API: the admin API for
API keys (/app/v1) and the read-only client API (/api/v1).

The emulator signs its own admin tokens with a secret kept beside its database
(made on the first use of any emulator command); mint one with
"metabind emulator token".`,
		Example: `  # Start on the default port with an org and project to work in
  metabind emulator start --seed

  # In another terminal: get a token for it
  metabind emulator token --org acme`,
	}
	cmd.AddCommand(NewCmdStart(f, nil))
	cmd.AddCommand(NewCmdSeed(f, nil))
	cmd.AddCommand(NewCmdToken(f, nil))
	cmd.AddCommand(NewCmdAudit(f, nil))
	return cmd
}

// dbFlagUsage is the --db help shared by every subcommand.
const dbFlagUsage = `database file (default $MB_CONFIG_DIR/emulator.db, else $XDG_DATA_HOME/metabind/emulator.db)`
