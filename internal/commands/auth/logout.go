package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// LogoutOptions holds the inputs of `auth logout`.
type LogoutOptions struct {
	Deps
}

// NewCmdLogout returns `auth logout`.
func NewCmdLogout(f *cmdutil.Factory, runF func(context.Context, *LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{Deps: newDeps(f)}
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the stored admin JWT from every store that holds it",
		Long: `Remove the stored admin JWT from the system keyring and the credentials file.

When no token is stored, logout has nothing to do: it says so on standard error and
exits 0, so a CI clean-up step can always run it. A token in MB_TOKEN is not stored
and cannot be removed by logout; unset the variable.`,
		Example: `  metabind auth logout`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
}

func logoutRun(ctx context.Context, opts *LogoutOptions) error {
	store, err := opts.Store()
	if err != nil {
		return err
	}
	// Not started once interrupted; an interrupt during a keyring call that
	// does not answer ends the command without waiting for its timeout.
	removed, err := iostreams.WithContext(ctx, store.Delete)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("removing the stored token: %w", err)
	}
	envSet := opts.envTokenSet()
	if len(removed) == 0 {
		// Nothing to do is not a failure: clean-up steps run logout unconditionally.
		if envSet {
			fmt.Fprintln(opts.IO.ErrOut, "Not logged in: no stored token to remove. The token in use comes from MB_TOKEN; unset it in your environment.")
			return nil
		}
		fmt.Fprintln(opts.IO.ErrOut, "Not logged in: no stored token to remove.")
		return nil
	}
	names := make([]string, len(removed))
	for i, s := range removed {
		names[i] = describeSource(s)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Logged out: removed the token from %s.\n", strings.Join(names, " and "))
	if envSet {
		fmt.Fprintln(opts.IO.ErrOut, "note: MB_TOKEN is still set in your environment; unset it to log out completely.")
	}
	return nil
}

func describeSource(s credstore.Source) string {
	switch s {
	case credstore.SourceKeyring:
		return "the system keyring"
	case credstore.SourceFile:
		return "the credentials file"
	case credstore.SourceEnv:
		return "MB_TOKEN"
	}
	return string(s)
}
