// Package config implements `metabind config list|get|set|view`.
package config

import (
	"context"
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
	cmd.AddCommand(NewCmdList(f, nil), NewCmdGet(f, nil), NewCmdSet(f, nil), NewCmdView(f, nil))
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

// loadExisting loads the configuration for a verb that only reads settings:
// a named profile with no settings (a mistyped --profile) is a usage error.
func loadExisting(ctx context.Context, d cmdutil.Deps) (*config.Config, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	if err := d.UnknownProfile(); err != nil {
		return nil, err
	}
	return cfg, nil
}
