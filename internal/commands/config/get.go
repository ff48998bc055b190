package config

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

func newCmdGet(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:               "get KEY",
		Short:             "Print the value a setting resolves to",
		Long:              "Print the value KEY resolves to (flag > environment > profile > default), alone\non a line; nothing when it is unset.",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: keyArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkKey(args[0]); err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if err := f.UnknownProfile(); err != nil {
				return err
			}
			if v := cfg.Get(args[0]); v != "" {
				_, err = fmt.Fprintln(f.IOStreams.Out, v)
				return err
			}
			return nil
		},
	}
}
