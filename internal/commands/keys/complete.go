package keys

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	keynames "github.com/metabind/metabind-cli/internal/names"
	"github.com/metabind/metabind-cli/internal/output"
)

// completionBudget bounds the API calls a tab press may make, all pages
// together.
const completionBudget = 2 * time.Second

// completionMaxPages stops a tab press from walking an endless or enormous
// list: 50 pages of maxPageSize keys.
const completionMaxPages = 50

// completeKeyIDs offers the keys a command can take: each key's id, described
// by its name and status, and each name that names one key only (names are
// matched without regard to case, as the commands resolve them). revoke and
// rotate, which act on active keys only, are offered only active keys.
// It follows the list's pages until the list ends or completionBudget is
// spent, and then offers what it has. It never prompts, prints nothing but
// candidates, and gives up quietly when there is no credential or context.
func completeKeyIDs(f *cmdutil.Factory, maxArgs int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		none := cobra.ShellCompDirectiveNoFileComp
		status := ""
		if activeOnly[cmd.Name()] {
			status = api.StatusActive
		}
		if maxArgs > 0 && len(args) >= maxArgs {
			return nil, none
		}
		// Warnings (an expired token, a loose file mode) must not reach the shell.
		f.IOStreams.ErrOut = io.Discard
		f.Global.Timeout = completionBudget
		scope, err := f.Scope()
		if err != nil {
			return nil, none
		}
		client, err := f.APIClient()
		if err != nil {
			return nil, none
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), completionBudget)
		defer cancel()
		keys := listForCompletion(ctx, client, scope.Org, scope.Project, status)
		return keyCandidates(keys, toComplete), none
	}
}

// activeOnly names the commands that refuse a revoked key.
var activeOnly = map[string]bool{"revoke": true, "rotate": true}

// listForCompletion fetches the keys page by page and returns those it got
// before an error, the end of ctx or completionMaxPages.
func listForCompletion(ctx context.Context, client *api.Client, org, project, status string) []api.Key {
	var keys []api.Key
	seen := map[string]bool{}
	o := api.ListOptions{Status: status, Limit: maxPageSize}
	for range completionMaxPages {
		page, err := client.ListKeys(ctx, org, project, o)
		if err != nil {
			break
		}
		for _, k := range page.Keys {
			if k.ID == "" || seen[k.ID] || (status != "" && k.Status != status) {
				continue
			}
			seen[k.ID] = true
			keys = append(keys, k)
		}
		switch {
		case page.NextKey != "" && page.NextKey != o.LastKey:
			o.LastKey, o.Page = page.NextKey, 0
		case page.NextKey == "" && page.Pages > 0 && max(o.Page, 1) < page.Pages:
			o.Page, o.LastKey = max(o.Page, 1)+1, ""
		default:
			return keys
		}
	}
	return keys
}

// keyCandidates turns keys into completions that start with toComplete
// (ignoring case).
func keyCandidates(keys []api.Key, toComplete string) []cobra.Completion {
	same := map[string]int{}
	for _, k := range keys {
		same[keynames.Key(k.Name)]++
	}
	prefix := strings.ToLower(toComplete)
	var ids, byName []cobra.Completion
	for _, k := range keys {
		name := output.Sanitize(k.Name)
		if strings.HasPrefix(strings.ToLower(k.ID), prefix) {
			ids = append(ids, cobra.CompletionWithDesc(k.ID, name+" ("+k.Status+")"))
		}
		// A name that several keys share (compared as the API compares names),
		// or that display would alter, cannot
		// be typed back to one key.
		if k.Name != "" && name == k.Name && same[keynames.Key(k.Name)] == 1 &&
			strings.HasPrefix(strings.ToLower(k.Name), prefix) && !strings.ContainsAny(k.Name, "\t\n") {
			byName = append(byName, cobra.CompletionWithDesc(k.Name, k.ID+" ("+k.Status+")"))
		}
	}
	return append(byName, ids...)
}
