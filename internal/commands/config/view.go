package config

import (
	"context"
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

// ViewOptions holds the inputs of `config view`.
type ViewOptions struct {
	cmdutil.Deps
	ShowOrigin bool
}

// NewCmdView returns `config view`.
func NewCmdView(f *cmdutil.Factory, runF func(context.Context, *ViewOptions) error) *cobra.Command {
	opts := &ViewOptions{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:   "view [--show-origin]",
		Short: "Show every setting as it resolves now, and the profiles",
		Long: `Show each setting's value as this command line resolves it. With --show-origin,
also where it came from: flag, environment, profile (the config file) or default.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return viewRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ShowOrigin, "show-origin", false, "show where each value came from")
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputRows)
	return cmd
}

func viewRun(ctx context.Context, opts *ViewOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	rows := make([]setting, 0, len(cfg.Keys()))
	for _, k := range cfg.Keys() {
		s := setting{Key: k, Value: cfg.Get(k)}
		if opts.ShowOrigin {
			s.Origin = origin(cfg, k)
		}
		rows = append(rows, s)
	}
	if p.Structured() {
		return p.Data(opts.IO.Out, struct {
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
	if opts.ShowOrigin {
		defaults = append(defaults, "origin")
	}
	if err := output.PrintList(p, opts.IO.Out, rows, cols, defaults); err != nil {
		return err
	}
	if p.Format != output.Table {
		return nil
	}
	return output.WriteKeyValues(opts.IO.ErrOut, [][2]string{
		{"Profile", cfg.Profile()},
		{"Profiles", strings.Join(cfg.Profiles(), ", ")},
		{"File", cfg.Path()},
	})
}

// origin is where a setting's value comes from: flag, environment, profile,
// default, or unset.
func origin(cfg *config.Config, key string) string {
	if src := string(cfg.Source(key)); src != "" {
		return src
	}
	return "unset"
}
