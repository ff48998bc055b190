package use

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// Completion asks the API about at most this many candidates, within this time.
const (
	maxCompletionChecks = 8
	completionTimeout   = 3 * time.Second
)

// CompleteContext completes --org or --project (key "org" or "project") from
// what the API can tell. No endpoint lists a user's organizations or projects,
// so the candidates are those saved (what saved offers) plus, for --org, the
// organization in the token's claim; each is then looked up: one the API knows
// is described by its name, one it says does not exist (404) or is not the
// token's (403) is dropped, and when the API cannot be asked the candidates
// are offered as they are.
func CompleteContext(f *cmdutil.Factory, key string, saved cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		base, directive := saved(cmd, args, toComplete)
		f.IOStreams.ErrOut = io.Discard
		_, claims, err := f.Token()
		if err != nil || claims == nil {
			return base, directive
		}
		values := make([]string, 0, len(base)+1)
		descs := map[string]string{}
		for _, c := range base {
			v, d, _ := strings.Cut(c, "\t")
			values = append(values, v)
			descs[v] = d
		}
		if key == "org" && claims.Org != "" {
			if _, ok := descs[claims.Org]; !ok {
				values = append(values, claims.Org)
				descs[claims.Org] = "the token's organization"
			}
		}
		org := ""
		if key == "project" {
			if cfg, err := f.Config(); err == nil {
				org = cfg.Get("org")
			}
			if org == "" {
				org = claims.Org
			}
			if org == "" {
				return base, directive
			}
		}
		client, err := f.APIClient()
		if err != nil {
			return base, directive
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		ctx, cancel := context.WithTimeout(ctx, completionTimeout)
		defer cancel()

		out := make([]cobra.Completion, 0, len(values))
		for i, v := range values {
			if !strings.HasPrefix(v, toComplete) {
				continue
			}
			desc := descs[v]
			if i < maxCompletionChecks {
				var (
					name string
					err  error
				)
				if key == "org" {
					var o *api.Organization
					if o, err = client.GetOrganization(ctx, v); err == nil {
						name = o.Name
					}
				} else {
					var p *api.Project
					if p, err = client.GetProject(ctx, org, v); err == nil {
						name = p.Name
					}
				}
				var ae *api.Error
				switch {
				case err == nil && name != "" && desc != "":
					desc = name + " (" + desc + ")"
				case err == nil && name != "":
					desc = name
				case errors.As(err, &ae) && (ae.StatusCode == 404 || ae.StatusCode == 403):
					continue // the API says this one is not usable
				}
			}
			if desc == "" {
				out = append(out, v)
			} else {
				out = append(out, cobra.CompletionWithDesc(v, desc))
			}
		}
		return out, directive
	}
}
