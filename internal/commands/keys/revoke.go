package keys

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
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
Each key costs one request, whose answer shows its new status; -o json prints the
key object (an array when several keys were given or selected, each with an
"outcome": revoked, already revoked or failed).

Instead of naming keys, select them with the selectors of ` + "`keys list`" + ` (active keys
only): --unused-for, --never-used, --used-since, --created-before, --name-match.
--dry-run lists what would be revoked (named or selected keys) and changes nothing,
so it needs no --yes. One result is reported per key; when some fail and others
succeed the exit code is 7, and running the same command again completes the
rest: keys already revoked are skipped, without a request, and counted. Requests
are paced to the API's rate limit; waits are shown on stderr, and Ctrl-C during
one stops, naming the keys done (exit 130).`,
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
	var targets []target
	if opts.Select.Active() {
		// Every status: matching keys already revoked (by an earlier run that
		// stopped part way) are skipped and counted, not acted on again.
		all, err := client.ListAllKeys(ctx, scope.Org, scope.Project, api.ListOptions{Limit: maxPageSize}, nil)
		if err != nil {
			return err
		}
		selected := opts.Select.Filter(all, opts.Now())
		var active []api.Key
		for _, k := range selected {
			if k.Status == api.StatusActive {
				active = append(active, k)
			}
		}
		if opts.DryRun || len(selected) == 0 {
			if active == nil {
				active = []api.Key{}
			}
			if !p.Structured() {
				already := ""
				if n := len(selected) - len(active); n > 0 {
					already = fmt.Sprintf(" (%s already revoked)", output.Plural(n, "matching key is", "matching keys are"))
				}
				if opts.DryRun {
					fmt.Fprintf(opts.IO.ErrOut, "%s%s; dry run, nothing was revoked.\n", output.Plural(len(active), "active key matches", "active keys match"), already)
				} else {
					fmt.Fprintf(opts.IO.ErrOut, "No active keys match%s; nothing to revoke.\n", already)
				}
				if len(active) == 0 {
					return nil
				}
			}
			return writeKeys(opts.IO.Out, p, active, opts.Now(), opts.IO.IsStdoutTTY())
		}
		for _, k := range selected {
			targets = append(targets, target{key: k, known: true})
		}
	} else {
		// With --yes and nothing to show first, a full id is acted on directly:
		// the revoke's answer describes the key (one request).
		targets, err = newResolver(client, scope).resolveTargets(ctx, opts.Args, opts.Yes && !opts.DryRun)
		if err != nil {
			return err
		}
		if opts.DryRun {
			// What would be revoked: the active ones (the others already are).
			active := []api.Key{}
			for _, t := range targets {
				if t.key.Status == api.StatusActive {
					active = append(active, t.key)
				}
			}
			if !p.Structured() {
				others := ""
				if len(active) < len(targets) {
					others = " (the others already are)"
				}
				fmt.Fprintf(opts.IO.ErrOut, "Active and would be revoked: %d of %s%s; dry run, nothing was revoked.\n", len(active), output.Plural(len(targets), "named key", "named keys"), others)
				if len(active) == 0 {
					return nil
				}
			}
			return writeKeys(opts.IO.Out, p, active, opts.Now(), opts.IO.IsStdoutTTY())
		}
	}
	var toRevoke []api.Key
	for _, t := range targets {
		if !t.known || t.key.Status != api.StatusRevoked {
			toRevoke = append(toRevoke, t.key)
		}
	}
	if !opts.Yes && len(toRevoke) > 0 {
		ok, err := opts.Prompter().Confirm(ctx, revokeQuestion(toRevoke), false)
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.ErrCancelled
		}
	}
	results := revokeKeys(ctx, client, scope, targets, opts.IO)
	summarize(opts.IO, client, results)
	if err := writeResults(opts.IO.Out, p, results, len(opts.Args) == 1 && !opts.Select.Active(), opts.Now()); err != nil {
		return err
	}
	return bulkError(ctx, "revoke", results)
}

func revokeQuestion(keys []api.Key) string {
	if len(keys) == 1 {
		return fmt.Sprintf("Revoke %q (%s)? Apps using it lose access immediately.", keys[0].Name, shortID(keys[0].ID))
	}
	return fmt.Sprintf("Revoke %d keys: %s? Apps using them lose access immediately.", len(keys), confirmList(keys))
}

// keyResult is one key's outcome in the JSON/YAML of a bulk command: the key
// object, plus "error" when the operation failed for it.
type keyResult struct {
	api.Key
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

// writeResults prints one result per key acted on: a table of those that
// succeeded (failures are reported on stderr), or, as data, a bare object for a
// single named key and otherwise an array holding every key, failed ones with
// their error.
func writeResults(w io.Writer, p *output.Printer, results []result, single bool, now time.Time) error {
	if p.Structured() {
		if single && len(results) == 1 && results[0].Err == nil {
			return p.Data(w, results[0].Key)
		}
		if single && len(results) == 1 {
			return nil // the error says what happened
		}
		all := make([]keyResult, 0, len(results))
		for _, r := range results {
			kr := keyResult{Key: r.Key, Outcome: r.Outcome}
			if r.Err != nil {
				kr.Error = r.Err.Error()
			}
			all = append(all, kr)
		}
		return p.Data(w, all)
	}
	keys := make([]api.Key, 0, len(results))
	for _, r := range results {
		if r.Err == nil {
			keys = append(keys, r.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return output.PrintList(p, w, keys, keyColumns(now, false), []string{"id", "name", "status"})
}
