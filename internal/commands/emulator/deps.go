package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"
)

// Deps are what every emulator verb takes from the factory: what every
// command takes, and the environment (for the default database's location).
type Deps struct {
	cmdutil.Deps
	Getenv func(string) string
}

func newDeps(f *cmdutil.Factory) Deps { return Deps{Deps: f.Deps(), Getenv: f.Getenv} }

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
// audit), --db or the default one, and closes it afterwards. Warnings go to
// stderr; rate limits do not matter. A command that only reads (readOnly)
// makes nothing: a missing database is exit 5, not a new empty one, and an
// existing one is opened read-only (no signing secret, no migration, no
// write). Nothing is opened (or made) once ctx has ended.
func (d Deps) withDatabase(ctx context.Context, dbFlag string, readOnly bool, fn func(*emulator.Emulator) error) error {
	dbPath, err := d.resolveDBPath(dbFlag)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dbPath); readOnly && errors.Is(err, fs.ErrNotExist) {
		return cmdutil.Errorf(cmdutil.ExitNotFound, "no emulator database at %s", dbPath).
			WithHint("check --db; a database is made by `metabind emulator start`, `seed` or `token`")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(d.IO.ErrOut, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := emulator.Open(ctx, emulator.Config{DBPath: dbPath, Logger: logger, LastUsedResolution: emulator.DefaultLastUsedResolution, ReadOnly: readOnly})
	if err != nil {
		return ctxErrOr(ctx, cmdutil.Errorf(cmdutil.ExitError, "%v", err))
	}
	defer closeQuietly(e, d.IO.ErrOut)
	return fn(e)
}

// ctxErrOr returns ctx's error when ctx has ended (SIGINT, SIGTERM), else
// err: a step that failed because it was interrupted is reported as the
// interruption (exit 130/143, "error: interrupted"), not as its own raw error.
func ctxErrOr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
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
