package config

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

func newCmdSet(f *cmdutil.Factory) *cobra.Command {
	var unset bool
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
			key := args[0]
			if err := checkKey(key); err != nil {
				return err
			}
			if unset == (len(args) == 2) {
				return cmdutil.FlagErrorf("give either a VALUE or --unset")
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if unset {
				err = cfg.Unset(key)
			} else {
				err = cfg.Set(key, args[1])
			}
			if err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			if err := cfg.Save(); err != nil {
				return fmt.Errorf("saving %s: %w", cfg.Path(), err)
			}
			if unset {
				fmt.Fprintf(f.IOStreams.ErrOut, "Removed %s from profile %s.\n", key, cfg.Profile())
			} else {
				fmt.Fprintf(f.IOStreams.ErrOut, "Set %s in profile %s.\n", key, cfg.Profile())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&unset, "unset", false, "remove the key from the profile")
	return cmd
}
