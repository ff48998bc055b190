package config

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/output"
)

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.WithOutputFlags(f, cmdutil.OutputData, &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the settings saved in the active profile",
		Long:    "List the settings saved in the active profile as key=value lines (-o json: an\nobject).",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if err := f.UnknownProfile(); err != nil {
				return err
			}
			p, err := f.Printer()
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
				return p.Data(f.IOStreams.Out, saved)
			}
			for _, k := range cfg.Keys() {
				if v, ok := saved[k]; ok {
					fmt.Fprintf(f.IOStreams.Out, "%s=%s\n", k, output.Sanitize(v))
				}
			}
			return nil
		},
	})
}
