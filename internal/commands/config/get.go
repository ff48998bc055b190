package config

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// GetOptions holds the inputs of `config get`.
type GetOptions struct {
	cmdutil.Deps
	Key string
}

// NewCmdGet returns `config get`.
func NewCmdGet(f *cmdutil.Factory, runF func(context.Context, *GetOptions) error) *cobra.Command {
	opts := &GetOptions{Deps: f.Deps()}
	return &cobra.Command{
		Use:               "get KEY",
		Short:             "Print the value a setting resolves to",
		Long:              "Print the value KEY resolves to (flag > environment > profile > default), alone\non a line; nothing when it is unset.",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: keyArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			if err := checkKey(opts.Key); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
}

func getRun(ctx context.Context, opts *GetOptions) error {
	cfg, err := loadExisting(ctx, opts.Deps)
	if err != nil {
		return err
	}
	if v := cfg.Get(opts.Key); v != "" {
		_, err = fmt.Fprintln(opts.IO.Out, v)
		return err
	}
	return nil
}
