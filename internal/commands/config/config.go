// Package config implements `metabind config list|get|set|view`.
package config

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/config"
)

// NewCmdConfig returns the config command group.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Read and write settings and profiles",
		Long: `Settings live in config.yaml in the configuration directory (MB_CONFIG_DIR, else
the platform's user configuration directory + metabind).
Keys: ` + strings.Join(config.Keys(), ", ") + `.

Profiles are named sets of settings in the same file, each with its own stored
credential: select one with --profile NAME or MB_PROFILE. ` + "`config set`" + ` creates
the profile when it does not exist.`,
		Example: `  metabind config set api-url https://staging.example.com --profile staging
  metabind config get org
  metabind config view --show-origin`,
	}
	cmd.AddCommand(newCmdList(f), newCmdGet(f), newCmdSet(f), newCmdView(f))
	return cmd
}

func keyArg(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return config.Keys(), cobra.ShellCompDirectiveNoFileComp
	}
	if len(args) == 1 && args[0] == "output" {
		return config.ValidOutputs, cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

func checkKey(key string) error {
	for _, k := range config.Keys() {
		if k == key {
			return nil
		}
	}
	return cmdutil.FlagErrorf("unknown key %q: valid keys are %s", key, strings.Join(config.Keys(), ", "))
}
