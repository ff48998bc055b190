package keys

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/prompt"
)

// RevokeOptions holds the inputs of `keys revoke`.
type RevokeOptions struct {
	Deps
	Prompter func() prompt.Prompter
	Args     []string
	Yes      bool
	DryRun   bool
	Select   Selectors
}

// NewCmdRevoke returns `keys revoke`.
func NewCmdRevoke(f *cmdutil.Factory, runF func(context.Context, *RevokeOptions) error) *cobra.Command {
	opts := &RevokeOptions{Deps: newDeps(f), Prompter: f.Prompter}
	cmd := &cobra.Command{
		Use:   "revoke ID|NAME...",
		Short: "Revoke API keys; apps using them lose access at once",
		Long: `Revoke one or more keys. Revocation is immediate and permanent: apps sending the
key are refused from the next request on. The key stays listed, with status revoked.

On a terminal you are asked to confirm. Without one, --yes is required, and without
it nothing is changed (exit 2). Revoking a key that is already revoked succeeds.
Afterwards each key is read back and its status shown; -o json prints the key
object (an array when several keys were given or selected).

Instead of naming keys, select them with the selectors of ` + "`keys list`" + ` (active keys
only): --unused-for, --never-used, --used-since, --created-before, --name-match.
--dry-run lists what would be revoked (named or selected keys) and changes nothing,
so it needs no --yes. One result is reported
per key; when some fail and others succeed the exit code is 7.`,
		Example: `  metabind keys revoke "iOS Production App"
  metabind keys revoke 3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f --yes
  metabind keys revoke --unused-for 90d --dry-run
  metabind keys revoke --unused-for 90d --name-match 'ios-*' --yes`,
		ValidArgsFunction: completeKeyIDs(f, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if err := opts.Select.Validate(); err != nil {
				return err
			}
			switch {
			case len(args) == 0 && !opts.Select.Active():
				return cmdutil.FlagErrorf("name the keys to revoke (ID|NAME...) or select them (e.g. --unused-for 90d)")
			case len(args) > 0 && opts.Select.Active():
				return cmdutil.FlagErrorf("give keys by ID|NAME or by selectors, not both").
					WithHint("to revoke named keys among those a selector finds, list them first: `metabind keys revoke --unused-for 90d --dry-run`")
			}
			if !opts.Yes && !opts.DryRun && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("refusing to revoke without confirmation: standard input is not a terminal").
					WithHint("pass --yes to revoke non-interactively")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return revokeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "revoke without asking for confirmation")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "list the keys that would be revoked, change nothing")
	opts.Select.AddFlags(cmd.Flags())
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputRows)
	return cmd
}

func revokeRun(ctx context.Context, opts *RevokeOptions) error {
	p, scope, client, err := opts.prepare()
	if err != nil {
		return err
	}
	var keys []api.Key
	if opts.Select.Active() {
		all, err := client.ListAllKeys(ctx, scope.Org, scope.Project, api.ListOptions{Status: api.StatusActive, Limit: maxPageSize}, nil)
		if err != nil {
			return err
		}
		keys = opts.Select.Filter(all, opts.Now())
		if opts.DryRun || len(keys) == 0 {
			if !p.Structured() {
				if opts.DryRun {
					fmt.Fprintf(opts.IO.ErrOut, "%s; dry run, nothing was revoked.\n", output.Plural(len(keys), "active key matches", "active keys match"))
				} else {
					fmt.Fprintln(opts.IO.ErrOut, "No active keys match; nothing to revoke.")
				}
				if len(keys) == 0 {
					return nil
				}
			}
			return writeKeys(opts.IO.Out, p, keys, opts.Now(), opts.IO.IsStdoutTTY())
		}
	} else {
		keys, err = newResolver(client, scope).resolveAll(ctx, opts.Args)
		if err != nil {
			return err
		}
		if opts.DryRun {
			// What would be revoked: the active ones (the others already are).
			var active []api.Key
			for _, k := range keys {
				if k.Status == api.StatusActive {
					active = append(active, k)
				}
			}
			if !p.Structured() {
				others := ""
				if len(active) < len(keys) {
					others = " (the others already are)"
				}
				fmt.Fprintf(opts.IO.ErrOut, "Active and would be revoked: %d of %s%s; dry run, nothing was revoked.\n", len(active), output.Plural(len(keys), "named key", "named keys"), others)
				if len(active) == 0 {
					return nil
				}
			}
			if active == nil {
				active = []api.Key{}
			}
			return writeKeys(opts.IO.Out, p, active, opts.Now(), opts.IO.IsStdoutTTY())
		}
	}
	if !opts.Yes {
		ok, err := opts.Prompter().Confirm(ctx, revokeQuestion(keys), false)
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.ErrCancelled
		}
	}
	results, failed := revokeKeys(ctx, client, scope, keys, opts.IO)
	if err := writeResults(opts.IO.Out, p, results, failed, len(opts.Args) == 1 && !opts.Select.Active(), opts.Now()); err != nil {
		return err
	}
	return bulkError("revoke", results, failed)
}

func revokeQuestion(keys []api.Key) string {
	if len(keys) == 1 {
		return fmt.Sprintf("Revoke %q (%s)? Apps using it lose access immediately.", keys[0].Name, shortID(keys[0].ID))
	}
	return fmt.Sprintf("Revoke %d keys: %s? Apps using them lose access immediately.", len(keys), confirmList(keys))
}

// result is the outcome for one key of a bulk operation.
type result struct {
	Key api.Key
	Err error
}

// revokeKeys revokes each key, reads it back, and reports per key on stderr.
func revokeKeys(ctx context.Context, client *api.Client, scope cmdutil.Scope, keys []api.Key, ios *iostreams.IOStreams) ([]result, []result) {
	var results, failed []result
	revoked := api.StatusRevoked
	for i, k := range keys {
		if len(keys) > 1 && ios.IsStderrTTY() {
			fmt.Fprintf(ios.ErrOut, "[%d/%d] ", i+1, len(keys))
		}
		label := fmt.Sprintf("%q (%s)", k.Name, k.ID)
		if ctx.Err() != nil {
			failed = append(failed, result{k, ctx.Err()})
			continue
		}
		if k.Status == api.StatusRevoked {
			fmt.Fprintf(ios.ErrOut, "Key %s was already revoked.\n", label)
			results = append(results, result{Key: k})
			continue
		}
		if _, err := client.UpdateKey(ctx, scope.Org, scope.Project, k.ID, api.UpdateKeyRequest{Status: &revoked}); err != nil {
			fmt.Fprintf(ios.ErrOut, "Failed to revoke %s: %s\n", label, output.Sanitize(err.Error()))
			failed = append(failed, result{k, err})
			continue
		}
		fresh, err := client.GetKey(ctx, scope.Org, scope.Project, k.ID)
		if err != nil {
			fmt.Fprintf(ios.ErrOut, "Revoked %s, but reading it back failed: %s\n", label, output.Sanitize(err.Error()))
			k.Status = revoked
			results = append(results, result{Key: k})
			continue
		}
		fmt.Fprintf(ios.ErrOut, "Revoked %s: status is now %s.\n", label, fresh.Status)
		results = append(results, result{Key: *fresh})
	}
	return results, failed
}

// keyResult is one key's outcome in the JSON/YAML of a bulk command: the key
// object, plus "error" when the operation failed for it.
type keyResult struct {
	api.Key
	Error string `json:"error,omitempty"`
}

// writeResults prints one result per key acted on: a table of those that
// succeeded (failures are reported on stderr), or, as data, a bare object for a
// single named key and otherwise an array holding every key, failed ones with
// their error.
func writeResults(w io.Writer, p *output.Printer, results, failed []result, single bool, now time.Time) error {
	if p.Structured() {
		if single && len(results) == 1 && len(failed) == 0 {
			return p.Data(w, results[0].Key)
		}
		if single && len(results) == 0 {
			return nil // the error says what happened
		}
		all := make([]keyResult, 0, len(results)+len(failed))
		for _, r := range results {
			all = append(all, keyResult{Key: r.Key})
		}
		for _, r := range failed {
			all = append(all, keyResult{Key: r.Key, Error: r.Err.Error()})
		}
		return p.Data(w, all)
	}
	if len(results) == 0 {
		return nil
	}
	keys := make([]api.Key, 0, len(results))
	for _, r := range results {
		keys = append(keys, r.Key)
	}
	return output.PrintList(p, w, keys, keyColumns(now, false), []string{"id", "name", "status"})
}

// bulkError turns per-key failures into the command's error: the lone error when
// one key was acted on, else a partial-failure error (exit 7) naming which keys
// failed and which succeeded.
func bulkError(verb string, done, failed []result) error {
	total := len(done) + len(failed)
	switch {
	case len(failed) == 0:
		return nil
	case total == 1:
		return failed[0].Err
	case len(done) == 0:
		return cmdutil.Errorf(cmdutil.ExitError, "failed to %s all %d keys", verb, total)
	}
	ids := func(rs []result) string {
		names := make([]string, len(rs))
		for i, r := range rs {
			names[i] = r.Key.ID
		}
		return strings.Join(names, ", ")
	}
	return cmdutil.Errorf(cmdutil.ExitPartial, "%d of %d keys could not be %sd: %s; %sd: %s", len(failed), total, verb, ids(failed), verb, ids(done)).
		WithHint("run the same command again to retry the keys that failed")
}
