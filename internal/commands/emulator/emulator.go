// Package emulator implements `metabind emulator`: run the local Metabind API
// emulator, seed it, mint admin tokens for it and read its audit trail.
package emulator

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/iostreams"
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

// Deps are what every emulator verb takes from the factory.
type Deps struct {
	IO     *iostreams.IOStreams
	Getenv func(string) string
}

func newDeps(f *cmdutil.Factory) Deps { return Deps{IO: f.IOStreams, Getenv: f.Getenv} }

// resolveDBPath returns --db, or the default location.
func (d Deps) resolveDBPath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	p, err := emulator.DefaultDBPath(d.Getenv)
	if err != nil {
		return "", cmdutil.NewError(cmdutil.ExitError, err)
	}
	return p, nil
}

// withDatabase runs fn on the database of a one-shot command (seed, token,
// audit) and closes it afterwards. dbPath is the resolved --db; warnings go to
// stderr, rate limits do not matter. Nothing is opened (or made) once ctx has
// ended.
func (d Deps) withDatabase(ctx context.Context, dbPath string, fn func(*emulator.Emulator) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(d.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := emulator.Open(ctx, emulator.Config{DBPath: dbPath, Logger: logger, LastUsedResolution: emulator.DefaultLastUsedResolution})
	if err != nil {
		return cmdutil.Errorf(cmdutil.ExitError, "%v", err)
	}
	defer closeQuietly(e, d.IO.ErrOut)
	return fn(e)
}

// checkOneShotDB refuses ":memory:" for commands that exit right away: whatever
// they wrote would vanish with them.
func checkOneShotDB(path, command string) error {
	if path == ":memory:" {
		return cmdutil.FlagErrorf("--db :memory: only works with \"metabind emulator start\"; %s needs a database file", command)
	}
	return nil
}

func validateID(flag, v string) error {
	if v == "" {
		return cmdutil.FlagErrorf("--%s is required", flag)
	}
	if !emulator.ValidID(v) {
		return cmdutil.FlagErrorf("invalid --%s %q: use 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'", flag, v)
	}
	return nil
}

func closeQuietly(e *emulator.Emulator, errOut io.Writer) {
	if err := e.Close(); err != nil {
		fmt.Fprintf(errOut, "warning: closing the emulator database: %v\n", err)
	}
}
