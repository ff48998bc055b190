package keys

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
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
exit code is 7.`,
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
	keys, err := newResolver(client, scope).resolveAll(ctx, opts.Args)
	if err != nil {
		return err
	}
	if !opts.Yes {
		p := opts.Prompter()
		for _, k := range keys {
			typed, err := p.Input(ctx, fmt.Sprintf("Deleting %q (%s) cannot be undone. Type its name to confirm:", k.Name, shortID(k.ID)))
			if err != nil {
				return err
			}
			if !equalFoldTrim(typed, k.Name) {
				return cmdutil.Errorf(cmdutil.ExitError, "the name typed does not match %q; nothing was deleted", k.Name)
			}
		}
	}
	var results, failed []result
	for i, k := range keys {
		if len(keys) > 1 && opts.IO.IsStderrTTY() {
			fmt.Fprintf(opts.IO.ErrOut, "[%d/%d] ", i+1, len(keys))
		}
		label := fmt.Sprintf("%q (%s)", k.Name, k.ID)
		if err := client.DeleteKey(ctx, scope.Org, scope.Project, k.ID); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "Failed to delete %s: %s\n", label, output.Sanitize(err.Error()))
			failed = append(failed, result{k, err})
			continue
		}
		fmt.Fprintf(opts.IO.ErrOut, "Deleted %s.\n", label)
		results = append(results, result{Key: k})
	}
	if p.Structured() {
		type deleted struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Deleted bool   `json:"deleted"`
			Error   string `json:"error,omitempty"`
		}
		out := make([]deleted, 0, len(keys))
		for _, r := range results {
			out = append(out, deleted{ID: r.Key.ID, Name: r.Key.Name, Deleted: true})
		}
		for _, r := range failed {
			out = append(out, deleted{ID: r.Key.ID, Name: r.Key.Name, Error: r.Err.Error()})
		}
		var v any = out
		if len(opts.Args) == 1 && len(out) == 1 {
			v = out[0] // one key named: one object, as revoke prints
		}
		if err := p.Data(opts.IO.Out, v); err != nil {
			return err
		}
	}
	return bulkError("delete", results, failed)
}
