package keys

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

const (
	defaultListLimit = 20
	maxPageSize      = 100
)

// ListOptions holds the inputs of `keys list`.
type ListOptions struct {
	Deps
	Status string
	Limit  int
	All    bool
	Sort   string
	Order  string
	Select Selectors

	limitSet bool
}

// NewCmdList returns `keys list`.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Deps: newDeps(f)}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the project's API keys with their status and last use",
		Long: `List the project's API keys: ID, NAME, STATUS, LAST USED and CREATED.

On a terminal times are relative ("3 hours ago", "never"); piped, and in JSON and
YAML, they are RFC 3339. -o json prints an array of key objects ([] when there are
none). Without --all at most --limit keys are shown; --all follows the pagination
to the end.

--sort takes a JSON field name: name (A→Z), createdAt (newest first), updatedAt
(newest first), lastUsed (most recent first; a never-used key counts as the oldest
use, so it comes last), status (active first). created and last-used are accepted
too. --order asc or desc reverses or confirms that direction (--sort lastUsed
--order asc: the longest-unused keys first). Without --sort, keys come in the
server's order.

Selectors find stale keys; they combine with AND and imply reading every page:
--unused-for 90d (not used for 90 days; a never-used key counts from its creation),
--never-used, --used-since 24h, --created-before 2026-01-01, --name-match 'ios-*'.`,
		Example: `  metabind keys list
  metabind keys list --status active --sort lastUsed --order asc
  metabind keys list --all -o json
  metabind keys list --unused-for 90d --status active`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Status {
			case "", api.StatusActive, api.StatusRevoked:
			default:
				return cmdutil.FlagErrorf("invalid --status %q: use active or revoked", opts.Status)
			}
			if opts.Sort != "" {
				field, ok := sortField(opts.Sort)
				if !ok {
					return cmdutil.FlagErrorf("invalid --sort %q: use %s", opts.Sort, strings.Join(sortFields, ", "))
				}
				opts.Sort = field
			}
			switch opts.Order {
			case "", "asc", "desc":
			default:
				return cmdutil.FlagErrorf("invalid --order %q: use asc or desc", opts.Order)
			}
			if opts.Order != "" && opts.Sort == "" {
				return cmdutil.FlagErrorf("--order needs --sort").
					WithHint("e.g. --sort lastUsed --order asc for the longest-unused keys first")
			}
			if err := opts.Select.Validate(); err != nil {
				return err
			}
			opts.limitSet = cmd.Flags().Changed("limit")
			if opts.limitSet {
				if opts.All {
					return cmdutil.FlagErrorf("--limit and --all cannot be used together").
						WithHint("use --all for every key, or --limit N for the first N")
				}
				if opts.Limit < 1 {
					return cmdutil.FlagErrorf("invalid --limit %d: it must be at least 1", opts.Limit)
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Status, "status", "", "only keys with this status: active or revoked")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "L", defaultListLimit, "maximum number of keys to show")
	cmd.Flags().BoolVar(&opts.All, "all", false, "list every key, following the pagination")
	cmd.Flags().StringVar(&opts.Sort, "sort", "", "sort by a field: "+strings.Join(sortFields, ", "))
	cmd.Flags().StringVar(&opts.Order, "order", "", "sort direction: asc or desc (default: the field's natural order)")
	opts.Select.AddFlags(cmd.Flags())
	_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions([]string{api.StatusActive, api.StatusRevoked}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions(sortFields, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("order", cobra.FixedCompletions([]string{"asc", "desc"}, cobra.ShellCompDirectiveNoFileComp))
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputRows)
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	p, scope, client, err := opts.prepare()
	if err != nil {
		return err
	}
	var keys []api.Key
	more := false
	// Selectors, and a sort with a limit, need every key before choosing some.
	if opts.All || opts.Select.Active() || opts.Sort != "" {
		var progress func(int)
		if opts.IO.IsStderrTTY() {
			progress = func(n int) { fmt.Fprintf(opts.IO.ErrOut, "\rFetched %d keys…", n) }
		}
		keys, err = client.ListAllKeys(ctx, scope.Org, scope.Project, api.ListOptions{Status: opts.Status, Limit: maxPageSize}, progress)
		if progress != nil {
			fmt.Fprint(opts.IO.ErrOut, "\r\033[K")
		}
		if err != nil {
			return err
		}
		if opts.Select.Active() {
			keys = opts.Select.Filter(keys, opts.Now())
		}
		sortKeys(keys, opts.Sort, opts.Order)
		// Selectors show every match unless --limit is given; a plain sorted list
		// keeps the default limit.
		if !opts.All && (opts.limitSet || !opts.Select.Active()) && len(keys) > opts.Limit {
			keys, more = keys[:opts.Limit], true
		}
	} else {
		keys, more, err = fetchUpTo(ctx, client, scope, opts.Status, opts.Limit)
		if err != nil {
			return err
		}
	}
	if err := writeKeys(opts.IO.Out, p, keys, opts.Now(), opts.IO.IsStdoutTTY()); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(opts.IO.ErrOut, "Showing the first %s; more exist. Use --all, or a larger --limit.\n", output.Plural(len(keys), "key", "keys"))
	} else if len(keys) == 0 && !p.Structured() {
		if opts.Select.Active() || opts.Status != "" {
			fmt.Fprintln(opts.IO.ErrOut, "No API keys match.")
		} else {
			fmt.Fprintln(opts.IO.ErrOut, "No API keys found. Create one with `metabind keys create --name NAME`.")
		}
	}
	return nil
}

// fetchUpTo reads pages until limit keys are collected; more reports whether the
// server has further keys.
func fetchUpTo(ctx context.Context, client *api.Client, scope cmdutil.Scope, status string, limit int) ([]api.Key, bool, error) {
	var keys []api.Key
	o := api.ListOptions{Status: status}
	for {
		o.Limit = min(limit-len(keys), maxPageSize)
		page, err := client.ListKeys(ctx, scope.Org, scope.Project, o)
		if err != nil {
			return nil, false, err
		}
		keys = append(keys, page.Keys...)
		hasNext := page.NextKey != "" || (page.Pages > 0 && page.Page < page.Pages)
		if len(keys) >= limit {
			if len(keys) > limit {
				keys, hasNext = keys[:limit], true
			}
			return keys, hasNext, nil
		}
		if !hasNext || len(page.Keys) == 0 {
			return keys, false, nil
		}
		o.LastKey = page.NextKey
		if page.NextKey == "" {
			o.Page = page.Page + 1
		}
	}
}

// sortFields are the fields --sort takes, by their JSON names.
var sortFields = []string{"name", "createdAt", "updatedAt", "lastUsed", "status"}

// sortAliases are the earlier spellings --sort keeps accepting.
var sortAliases = map[string]string{"created": "createdAt", "updated": "updatedAt", "lastused": "lastUsed"}

// sortField resolves a --sort value to a JSON field name, ignoring case, "-"
// and "_" (last-used, last_used and lastUsed are one field).
func sortField(s string) (string, bool) {
	key := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(s))
	for _, f := range sortFields {
		if key == strings.ToLower(f) {
			return f, true
		}
	}
	f, ok := sortAliases[key]
	return f, ok
}

// sortKeys sorts keys by field (a JSON field name) in order: asc, desc, or ""
// for the field's natural direction (names and statuses ascending, times
// newest first). A never-used key counts as the oldest use.
func sortKeys(keys []api.Key, field, order string) {
	if field == "" {
		return
	}
	var compare func(a, b api.Key) int
	desc := true
	switch field {
	case "name":
		compare, desc = func(a, b api.Key) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) }, false
	case "status":
		compare, desc = func(a, b api.Key) int { return strings.Compare(a.Status, b.Status) }, false
	case "createdAt":
		compare = func(a, b api.Key) int { return a.CreatedAt.Compare(b.CreatedAt) }
	case "updatedAt":
		compare = func(a, b api.Key) int { return a.UpdatedAt.Compare(b.UpdatedAt) }
	case "lastUsed":
		compare = func(a, b api.Key) int {
			switch {
			case a.LastUsed == nil && b.LastUsed == nil:
				return 0
			case a.LastUsed == nil:
				return -1
			case b.LastUsed == nil:
				return 1
			}
			return a.LastUsed.Compare(*b.LastUsed)
		}
	default:
		return
	}
	switch order {
	case "asc":
		desc = false
	case "desc":
		desc = true
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if desc {
			return compare(keys[i], keys[j]) > 0
		}
		return compare(keys[i], keys[j]) < 0
	})
}
