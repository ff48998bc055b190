package keys

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// ShowOptions holds the inputs of `keys show`.
type ShowOptions struct {
	IO        *iostreams.IOStreams
	APIClient func() (*api.Client, error)
	Scope     func() (cmdutil.Scope, error)
	Printer   func() (*output.Printer, error)
	Now       func() time.Time
	Arg       string
}

// NewCmdShow returns `keys show`.
func NewCmdShow(f *cmdutil.Factory, runF func(context.Context, *ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IOStreams, APIClient: f.APIClient, Scope: f.Scope, Printer: f.Printer, Now: f.Now}
	return &cobra.Command{
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
	}
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	scope, err := opts.Scope()
	if err != nil {
		return err
	}
	client, err := opts.APIClient()
	if err != nil {
		return err
	}
	key, err := newResolver(client, scope).resolve(ctx, opts.Arg)
	if err != nil {
		return err
	}
	return writeKey(opts.IO.Out, p, key, opts.Now())
}
