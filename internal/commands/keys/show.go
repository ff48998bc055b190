package keys

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// ShowOptions holds the inputs of `keys show`.
type ShowOptions struct {
	Deps
	Arg string
}

// NewCmdShow returns `keys show`.
func NewCmdShow(f *cmdutil.Factory, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Deps: newDeps(f)}
	return cmdutil.WithOutputFlags(f, cmdutil.OutputRows, &cobra.Command{
		Use:   "show ID|NAME",
		Short: "Show every field of one API key",
		Long: `Show one key: id, name, status, project, creator, creation and update times, and
when it was last used (absolute and relative). The secret is never shown again.
-o json prints the bare key object.`,
		Example: `  metabind keys show "iOS Production App"
  metabind keys show 3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeKeyIDs(f, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Arg = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return showRun(cmd.Context(), opts)
		},
	})
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	p, scope, client, err := opts.prepare()
	if err != nil {
		return err
	}
	key, err := newResolver(client, scope).resolve(ctx, opts.Arg)
	if err != nil {
		return err
	}
	return writeKey(opts.IO.Out, p, key, opts.Now())
}
