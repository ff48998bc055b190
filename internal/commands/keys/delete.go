package keys

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/prompt"
)

// DeleteOptions holds the inputs of `keys delete`.
type DeleteOptions struct {
	Deps
	Prompter func() prompt.Prompter
	Args     []string
	Yes      bool
}

// NewCmdDelete returns `keys delete`.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{Deps: newDeps(f), Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:   "delete ID|NAME...",
		Short: "Delete API keys permanently",
		Long: `Delete keys permanently: unlike revoke, the key disappears from the list and its
history with it. Apps using it lose access at once.

On a terminal you confirm each key by typing its name. Without a terminal, --yes is
required. One result is reported per key; when some fail and others succeed the
exit code is 7. With --yes a key given by its full id is deleted with one request;
when several keys are given, one the API no longer has counts as "not found"
(already deleted), not as a failure, so the same command can be run again.`,
		Example: `  metabind keys delete "old test key"
  metabind keys delete 3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f --yes`,
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeKeyIDs(f, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if !opts.Yes && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("refusing to delete without confirmation: standard input is not a terminal").
					WithHint("pass --yes to delete non-interactively")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking for confirmation")
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputData)
	return cmd
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	p, scope, client, err := opts.prepare()
	if err != nil {
		return err
	}
	// With --yes, a full id is deleted directly (one request per key).
	targets, err := newResolver(client, scope).resolveTargets(ctx, opts.Args, opts.Yes)
	if err != nil {
		return err
	}
	if !opts.Yes {
		p := opts.Prompter()
		for _, t := range targets {
			k := t.key
			typed, err := p.Input(ctx, fmt.Sprintf("Deleting %q (%s) cannot be undone. Type its name to confirm:", k.Name, shortID(k.ID)))
			if err != nil {
				return err
			}
			if !equalFoldTrim(typed, k.Name) {
				return cmdutil.Errorf(cmdutil.ExitError, "the name typed does not match %q; nothing was deleted", k.Name)
			}
		}
	}
	results := deleteKeys(ctx, client, scope, targets, opts.IO)
	summarize(opts.IO, client, results)
	if p.Structured() {
		type deleted struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Deleted bool   `json:"deleted"`
			Outcome string `json:"outcome"`
			Error   string `json:"error,omitempty"`
		}
		out := make([]deleted, 0, len(results))
		for _, r := range results {
			d := deleted{ID: r.Key.ID, Name: r.Key.Name, Deleted: r.Err == nil, Outcome: r.Outcome}
			if r.Err != nil {
				d.Error = r.Err.Error()
			}
			out = append(out, d)
		}
		var v any = out
		if len(opts.Args) == 1 && len(out) == 1 {
			v = out[0] // one key named: one object, as revoke prints
		}
		if err := p.Data(opts.IO.Out, v); err != nil {
			return err
		}
	}
	return bulkError(ctx, "delete", results)
}
