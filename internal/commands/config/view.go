package config

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/output"
)

// setting is one row of `config view`.
type setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Origin string `json:"origin,omitempty"`
}

func newCmdView(f *cmdutil.Factory) *cobra.Command {
	var showOrigin bool
	cmd := &cobra.Command{
		Use:   "view [--show-origin]",
		Short: "Show every setting as it resolves now, and the profiles",
		Long: `Show each setting's value as this command line resolves it. With --show-origin,
also where it came from: flag, environment, profile (the config file) or default.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			p, err := f.Printer()
			if err != nil {
				return err
			}
			rows := make([]setting, 0, len(cfg.Keys()))
			for _, k := range cfg.Keys() {
				s := setting{Key: k, Value: cfg.Get(k)}
				if showOrigin {
					s.Origin = origin(cfg, k)
				}
				rows = append(rows, s)
			}
			if p.Structured() {
				return p.Data(f.IOStreams.Out, struct {
					Profile  string    `json:"profile"`
					Path     string    `json:"path"`
					Settings []setting `json:"settings"`
					Profiles []string  `json:"profiles"`
				}{cfg.Profile(), cfg.Path(), rows, cfg.Profiles()})
			}
			cols := []output.Column[setting]{
				{Header: "KEY", Field: "key", Value: func(s setting) string { return s.Key }},
				{Header: "VALUE", Field: "value", Value: func(s setting) string { return s.Value }},
				{Header: "ORIGIN", Field: "origin", Value: func(s setting) string { return origin(cfg, s.Key) }},
			}
			defaults := []string{"key", "value"}
			if showOrigin {
				defaults = append(defaults, "origin")
			}
			if err := output.PrintList(p, f.IOStreams.Out, rows, cols, defaults); err != nil {
				return err
			}
			if p.Format != output.Table {
				return nil
			}
			return output.WriteKeyValues(f.IOStreams.ErrOut, [][2]string{
				{"Profile", cfg.Profile()},
				{"Profiles", strings.Join(cfg.Profiles(), ", ")},
				{"File", cfg.Path()},
			})
		},
	}
	cmd.Flags().BoolVar(&showOrigin, "show-origin", false, "show where each value came from")
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputRows)
	return cmd
}

// origin is where a setting's value comes from: flag, environment, profile,
// default, or unset.
func origin(cfg *config.Config, key string) string {
	if src := string(cfg.Source(key)); src != "" {
		return src
	}
	return "unset"
}
