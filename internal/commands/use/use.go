// Package use implements `metabind use`, which saves the organization and project
// that later commands act on.
package use

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// Options holds the inputs of `use`.
type Options struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Printer func() (*output.Printer, error)
	Org     string
	Project string
	Clear   bool
}

// NewCmdUse returns the use command. --org and --project are the global flags.
func NewCmdUse(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config, Printer: f.Printer}
	cmd := &cobra.Command{
		Use:   "use --org ORG --project PROJECT | --clear",
		Short: "Save the organization and project that commands act on",
		Long: `Save the organization and project to the active profile of the configuration file,
so later commands need no --org and --project. Values given to a command (flags or
MB_ORG/MB_PROJECT) still take priority over saved ones. Without flags, show the
saved context.`,
		Example: `  metabind use --org acme --project web
  metabind use --project mobile
  metabind use --clear`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if fl := cmd.Flags().Lookup("org"); fl != nil && fl.Changed {
				opts.Org = fl.Value.String()
				if opts.Org == "" {
					return cmdutil.FlagErrorf("--org must not be empty")
				}
			}
			if fl := cmd.Flags().Lookup("project"); fl != nil && fl.Changed {
				opts.Project = fl.Value.String()
				if opts.Project == "" {
					return cmdutil.FlagErrorf("--project must not be empty")
				}
			}
			if opts.Clear && (opts.Org != "" || opts.Project != "") {
				return cmdutil.FlagErrorf("--clear cannot be combined with --org or --project")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return useRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Clear, "clear", false, "forget the saved organization and project")
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputData)
	return cmd
}

func useRun(opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	switch {
	case opts.Clear:
		if err := cfg.Unset("org"); err != nil {
			return err
		}
		if err := cfg.Unset("project"); err != nil {
			return err
		}
		if err := cfg.Save(); err != nil {
			return fmt.Errorf("saving %s: %w", cfg.Path(), err)
		}
		fmt.Fprintln(opts.IO.ErrOut, "Cleared the saved organization and project.")
		return nil
	case opts.Org == "" && opts.Project == "":
		p, err := opts.Printer()
		if err != nil {
			return err
		}
		if p.Structured() {
			return p.Data(opts.IO.Out, struct {
				Org           string `json:"org"`
				OrgSource     string `json:"orgSource"`
				Project       string `json:"project"`
				ProjectSource string `json:"projectSource"`
				Profile       string `json:"profile"`
			}{cfg.Get("org"), string(cfg.Source("org")), cfg.Get("project"), string(cfg.Source("project")), cfg.Profile()})
		}
		return output.WriteKeyValues(opts.IO.Out, [][2]string{
			{"Organization", describe(cfg, "org")},
			{"Project", describe(cfg, "project")},
			{"Profile", cfg.Profile()},
		})
	}
	if opts.Org != "" {
		if err := cfg.Set("org", opts.Org); err != nil {
			return cmdutil.FlagErrorf("%v", err)
		}
	}
	if opts.Project != "" {
		if err := cfg.Set("project", opts.Project); err != nil {
			return cmdutil.FlagErrorf("%v", err)
		}
	}
	if err := cfg.Save(); err != nil {
		return fmt.Errorf("saving %s: %w", cfg.Path(), err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Now using organization %s, project %s.\n",
		output.Sanitize(orNone(cfg.FileValue("org"))), output.Sanitize(orNone(cfg.FileValue("project"))))
	return nil
}

func describe(cfg *config.Config, key string) string {
	v := cfg.Get(key)
	if v == "" {
		return "(not set)"
	}
	return fmt.Sprintf("%s (from %s)", v, cfg.Source(key))
}

func orNone(s string) string {
	if s == "" {
		return "(not set)"
	}
	return s
}
