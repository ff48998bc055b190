package config

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

// ListOptions holds the inputs of `config list`: its dependencies only (the
// output flags reach the Printer).
type ListOptions struct {
	cmdutil.Deps
}

// NewCmdList returns `config list`.
func NewCmdList(f *cmdutil.Factory, runF func(context.Context, *ListOptions) error) *cobra.Command {
	opts := &ListOptions{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the settings saved in the active profile",
		Long:    "List the settings saved in the active profile as key=value lines (-o json: an\nobject).",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputData)
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	cfg, err := loadExisting(ctx, opts.Deps)
	if err != nil {
		return err
	}
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	saved := map[string]string{}
	for _, k := range cfg.Keys() {
		if v := cfg.FileValue(k); v != "" {
			saved[k] = v
		}
	}
	if p.Structured() {
		return p.Data(opts.IO.Out, saved)
	}
	for _, k := range cfg.Keys() {
		if v, ok := saved[k]; ok {
			fmt.Fprintf(opts.IO.Out, "%s=%s\n", k, output.Sanitize(v))
		}
	}
	return nil
}
