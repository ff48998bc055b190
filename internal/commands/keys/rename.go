package keys

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// RenameOptions holds the inputs of `keys rename`.
type RenameOptions struct {
	Deps
	Arg     string
	NewName string
}

// NewCmdRename returns `keys rename`.
func NewCmdRename(f *cmdutil.Factory, runF func(context.Context, *RenameOptions) error) *cobra.Command {
	opts := &RenameOptions{Deps: newDeps(f)}
	return cmdutil.WithOutputFlags(f, cmdutil.OutputRows, &cobra.Command{
		Use:   "rename ID|NAME NEW_NAME",
		Short: "Give an API key a new name",
		Long: `Rename a key. Names are unique in the project (case-insensitively), 1 to 100
characters, without control characters. Revoked keys can be renamed too.

Renaming a key to the name it already has changes nothing: a notice on stderr,
exit 0, no update sent, and the key as it is on stdout. A change of case or
width only (ios-prod to iOS-Prod) is a rename.`,
		Example:           `  metabind keys rename ios-prod "iOS Production App (2026)"`,
		Args:              cobra.ExactArgs(2),
		ValidArgsFunction: completeKeyIDs(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := checkName("NEW_NAME", args[1])
			if err != nil {
				return err
			}
			opts.Arg, opts.NewName = args[0], name
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return renameRun(cmd.Context(), opts)
		},
	})
}

func renameRun(ctx context.Context, opts *RenameOptions) error {
	p, scope, client, err := opts.prepare()
	if err != nil {
		return err
	}
	key, err := newResolver(client, scope).resolve(ctx, opts.Arg)
	if err != nil {
		return err
	}
	if key.Name == opts.NewName {
		// Nothing to change: no update is sent, so updatedAt and the audit log
		// stay as they are. The key is printed as it is, so scripts that read
		// the output work the same either way.
		fmt.Fprintf(opts.IO.ErrOut, "Key %s is already named %q; nothing changed.\n", shortID(key.ID), key.Name)
		return writeKey(opts.IO.Out, p, key, opts.Now())
	}
	updated, err := client.UpdateKey(ctx, scope.Org, scope.Project, key.ID, api.UpdateKeyRequest{Name: &opts.NewName})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Renamed %q to %q.\n", key.Name, updated.Name)
	return writeKey(opts.IO.Out, p, *updated, opts.Now())
}
