package keys

import (
	"context"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

// completionBudget bounds the API call a tab press may make.
const completionBudget = 2 * time.Second

// completeKeyIDs offers the project's key ids, each described by its name.
// It never prompts, prints nothing but candidates, and gives up quietly after
// completionBudget or when there is no credential or context.
func completeKeyIDs(f *cmdutil.Factory, maxArgs int) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		none := cobra.ShellCompDirectiveNoFileComp
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
		page, err := client.ListKeys(ctx, scope.Org, scope.Project, api.ListOptions{Limit: maxPageSize})
		if err != nil {
			return nil, none
		}
		out := make([]cobra.Completion, 0, len(page.Keys))
		for _, k := range page.Keys {
			out = append(out, cobra.CompletionWithDesc(k.ID, output.Sanitize(k.Name)+" ("+k.Status+")"))
		}
		return out, none
	}
}
