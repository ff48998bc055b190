package config

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// SetOptions holds the inputs of `config set`.
type SetOptions struct {
	cmdutil.Deps
	Key   string
	Value string
	Unset bool
}

// NewCmdSet returns `config set`.
func NewCmdSet(f *cmdutil.Factory, runF func(context.Context, *SetOptions) error) *cobra.Command {
	opts := &SetOptions{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:   "set KEY [VALUE]",
		Short: "Save a setting in the active profile",
		Long: `Save KEY = VALUE in the active profile (--profile / MB_PROFILE, else default),
creating the profile when it does not exist. --unset removes the key instead.`,
		Example: `  metabind config set org acme
  metabind config set api-url https://staging.example.com --profile staging
  metabind config set project --unset`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: keyArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key = args[0]
			if err := checkKey(opts.Key); err != nil {
				return err
			}
			if opts.Unset == (len(args) == 2) {
				return cmdutil.FlagErrorf("give either a VALUE or --unset")
			}
			if len(args) == 2 {
				opts.Value = args[1]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return setRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Unset, "unset", false, "remove the key from the profile")
	return cmd
}

func setRun(ctx context.Context, opts *SetOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if opts.Unset {
		err = cfg.Unset(opts.Key)
	} else {
		err = cfg.Set(opts.Key, opts.Value)
	}
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted: the file stays as it was
	}
	if err := cfg.Save(); err != nil {
		return fmt.Errorf("saving %s: %w", cfg.Path(), err)
	}
	if opts.Unset {
		fmt.Fprintf(opts.IO.ErrOut, "Removed %s from profile %s.\n", opts.Key, cfg.Profile())
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "Set %s in profile %s.\n", opts.Key, cfg.Profile())
	}
	return nil
}
