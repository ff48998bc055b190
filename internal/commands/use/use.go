// Package use implements `metabind use`, which saves the organization and project
// that later commands act on.
package use

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/output"
)

// Options holds the inputs of `use`: its dependencies and the parsed flags
// (--org and --project are the global flags).
type Options struct {
	cmdutil.Deps
	Org      string
	Project  string
	Clear    bool
	NoVerify bool
}

// NewCmdUse returns the use command. --org and --project are the global flags.
func NewCmdUse(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:   "use --org ORG --project PROJECT | --clear",
		Short: "Save the organization and project that commands act on",
		Long: `Save the organization and project to the active profile of the configuration file,
so later commands need no --org and --project. Values given to a command (flags or
MB_ORG/MB_PROJECT) still take priority over saved ones. Without flags, show the
saved context.

The organization and project are checked with the API first (GET of each, with the
stored token) and nothing is saved when either does not exist (exit 5) or the token
is refused (exit 4). --no-verify saves without asking the API, for setting up
offline or before logging in. With -o json|yaml, --jq or --template, saving or
clearing also prints the saved context, in the form ` + "`use -o json`" + ` shows.`,
		Example: `  metabind use --org acme --project web
  metabind use --project mobile
  metabind use --org acme --project web --no-verify
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
			if opts.NoVerify && opts.Org == "" && opts.Project == "" {
				return cmdutil.FlagErrorf("--no-verify goes with --org or --project")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return useRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Clear, "clear", false, "forget the saved organization and project")
	cmd.Flags().BoolVar(&opts.NoVerify, "no-verify", false, "save without checking with the API that the organization and project exist")
	cmdutil.AddOutputFlags(cmd, f, cmdutil.OutputData)
	return cmd
}

func useRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	// The output options are checked before anything is saved: a bad --jq
	// changes nothing.
	p, err := opts.Printer()
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
		if err := ctx.Err(); err != nil {
			return err // interrupted: the file stays as it was
		}
		if err := cfg.Save(); err != nil {
			return fmt.Errorf("saving %s: %w", cfg.Path(), err)
		}
		fmt.Fprintln(opts.IO.ErrOut, "Cleared the saved organization and project.")
		return printSaved(opts, p, cfg)
	case opts.Org == "" && opts.Project == "":
		if p.Structured() {
			return p.Data(opts.IO.Out, contextOf(cfg))
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
	project := cfg.FileValue("project")
	var orgName, projectName string
	if !opts.NoVerify {
		if orgName, projectName, err = verify(ctx, opts, cfg); err != nil {
			return err
		}
	}
	var orgText string
	if opts.Org != "" {
		orgText = named(opts.Org, orgName)
	} else {
		// Say which organization the project is used in, and where that
		// comes from. --no-verify stays off the credential store: it makes
		// no request.
		inUse, from := orgInUse(opts, cfg, !opts.NoVerify)
		switch {
		case inUse == "" || from == string(config.SourceProfile):
			orgText = named(inUse, "")
		case from == string(config.SourceEnv) && cfg.FileValue("org") != "":
			orgText = fmt.Sprintf("%s (from %s; saved: %s)", output.Sanitize(inUse), from, output.Sanitize(cfg.FileValue("org")))
		default:
			orgText = fmt.Sprintf("%s (from %s; not saved)", output.Sanitize(inUse), from)
		}
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted (during the check, or before it): nothing saved
	}
	if err := cfg.Save(); err != nil {
		return fmt.Errorf("saving %s: %w", cfg.Path(), err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Now using organization %s, project %s.\n", orgText, named(project, projectName))
	for _, k := range []string{"org", "project"} {
		// The environment outranks the file: a value saved under it does
		// not apply in this shell.
		if v, src := cfg.WithoutFlag(k); src == config.SourceEnv && v != cfg.FileValue(k) {
			fmt.Fprintf(opts.IO.ErrOut, "note: %s is set to %s in this environment and takes precedence over the saved value.\n", config.EnvVar(k), output.Sanitize(v))
		}
	}
	return printSaved(opts, p, cfg)
}

// useContext is the data form of the context: what `use -o json` prints, and
// what saving or clearing prints with -o json, --jq or --template.
type useContext struct {
	Org           string `json:"org"`
	OrgSource     string `json:"orgSource"`
	Project       string `json:"project"`
	ProjectSource string `json:"projectSource"`
	Profile       string `json:"profile"`
}

func contextOf(cfg *config.Config) useContext {
	return useContext{cfg.Get("org"), string(cfg.Source("org")), cfg.Get("project"), string(cfg.Source("project")), cfg.Profile()}
}

// savedContextOf is contextOf after a save: the --org and --project of this
// command line are now the profile's values, which is where later commands
// find them.
func savedContextOf(cfg *config.Config) useContext {
	c := contextOf(cfg)
	if cfg.Source("org") == config.SourceFlag {
		c.OrgSource = string(config.SourceProfile)
	}
	if cfg.Source("project") == config.SourceFlag {
		c.ProjectSource = string(config.SourceProfile)
	}
	return c
}

// printSaved prints the context after a save or a clear, in the structured
// formats only: on a terminal the message on stderr says it all.
func printSaved(opts *Options, p *output.Printer, cfg *config.Config) error {
	if !p.Structured() {
		return nil
	}
	return p.Data(opts.IO.Out, savedContextOf(cfg))
}

// verify checks with the API what is about to be saved: the organization when
// --org is given, the project (in the organization that will be in use) when
// --project is given. It returns their names. Nothing has been saved yet, so
// an error leaves the configuration as it was.
func verify(ctx context.Context, opts *Options, cfg *config.Config) (orgName, projectName string, err error) {
	org := opts.Org
	if org == "" {
		org, _ = orgInUse(opts, cfg, true)
	}
	if org == "" {
		return "", "", cmdutil.FlagErrorf("no organization to check project %s in; nothing was saved", output.Sanitize(opts.Project)).
			WithHint("give it too: `metabind use --org ORG --project PROJECT` (or save without a check with --no-verify)")
	}
	client, err := opts.APIClient()
	if err != nil {
		return "", "", notSaved(err)
	}
	if opts.Org != "" {
		o, err := client.GetOrganization(ctx, org)
		if err != nil {
			return "", "", notSaved(err)
		}
		orgName = o.Name
	}
	if opts.Project != "" {
		p, err := client.GetProject(ctx, org, opts.Project)
		if err != nil {
			return "", "", notSaved(err)
		}
		projectName = p.Name
	}
	return orgName, projectName, nil
}

// orgInUse is the organization later commands use (this command's --org
// aside): from the environment, else the file, else (with fromToken) the
// token's org claim; from says which.
func orgInUse(opts *Options, cfg *config.Config, fromToken bool) (org, from string) {
	if v, src := cfg.WithoutFlag("org"); v != "" {
		return v, string(src)
	}
	if !fromToken {
		return "", ""
	}
	if _, claims, err := opts.Token(); err == nil && claims != nil && claims.Org != "" {
		return claims.Org, "the token's org claim"
	}
	return "", ""
}

// notSaved adds to a failed check that nothing was saved and how to save
// without one; the exit code stays that of the failure.
func notSaved(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	code := cmdutil.ExitCode(err)
	hint := "nothing was saved; to save without checking, add --no-verify"
	var ce *cmdutil.Error
	if errors.As(err, &ce) && ce.Hint != "" {
		hint = ce.Hint + "\n" + hint
	}
	var ae *api.Error
	if errors.As(err, &ae) {
		switch {
		case api.IsNotFound(ae):
			hint = "check the id (`metabind status` shows the context in use); nothing was saved"
		case ae.StatusCode == 401 || ae.StatusCode == 403:
			hint = "the token is not accepted for this organization: log in with one for it (`metabind auth login`); nothing was saved"
		}
	}
	return cmdutil.NewError(code, err).WithHint(hint)
}

// named is "Name (id)", as status shows it, or the id alone when the name
// adds nothing.
func named(id, name string) string {
	id = output.Sanitize(orNone(id))
	if name == "" || name == id {
		return id
	}
	return output.Sanitize(name) + " (" + id + ")"
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
