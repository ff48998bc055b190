package emulator

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"
)

// SeedOptions holds what `metabind emulator seed` needs.
type SeedOptions struct {
	Deps

	DBPath  string
	Org     string
	Project string
	Keys    int
}

// NewCmdSeed returns `metabind emulator seed`.
func NewCmdSeed(f *cmdutil.Factory, runF func(context.Context, *SeedOptions) error) *cobra.Command {
	opts := &SeedOptions{Deps: newDeps(f)}
	cmd := &cobra.Command{
		Use:   "seed --org ORG --project PROJECT",
		Short: "Create an organization and project with sample content",
		Long: `Create an organization and a project in the emulator's database with a few
tags, content types, and published and draft content, so the client API serves
something real. Seeding is idempotent: an existing organization or project is
reused. It creates no API keys unless --keys is given.

--keys N adds N keys named bulk-key-00001… straight into the database, for
scale tests. Their values are random and never stored, so they cannot be used
to authenticate.`,
		Example: `  metabind emulator seed --org acme --project web
  metabind emulator seed --org acme --project mobile --keys 10000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateID("org", opts.Org); err != nil {
				return err
			}
			if err := validateID("project", opts.Project); err != nil {
				return err
			}
			if opts.Keys < 0 || opts.Keys > emulator.MaxSeedKeys {
				return cmdutil.FlagErrorf("--keys must be from 0 to %d, got %d", emulator.MaxSeedKeys, opts.Keys)
			}
			if err := checkOneShotDB(opts.DBPath, "seed"); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return seedRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.DBPath, "db", "", dbFlagUsage)
	fl.StringVar(&opts.Org, "org", "", "organization id (required)")
	fl.StringVar(&opts.Project, "project", "", "project id (required)")
	fl.IntVar(&opts.Keys, "keys", 0, "also insert `N` bulk API keys")
	return cmd
}

func seedRun(ctx context.Context, opts *SeedOptions) error {
	return opts.withDatabase(ctx, opts.DBPath, false, func(e *emulator.Emulator) error { return seedInto(ctx, e, opts) })
}

// seedInto seeds the open database e. An interruption (ctx ended) is
// reported as the context's error, which the app prints as "interrupted".
func seedInto(ctx context.Context, e *emulator.Emulator, opts *SeedOptions) error {
	res, err := e.Seed(ctx, opts.Org, opts.Project)
	if err != nil {
		return ctxErrOr(ctx, cmdutil.Errorf(cmdutil.ExitError, "seed: %v", err))
	}
	fmt.Fprintln(opts.IO.ErrOut, describeSeed(res))
	if opts.Keys > 0 {
		n, err := e.SeedKeys(ctx, opts.Org, opts.Project, opts.Keys)
		if err != nil {
			return ctxErrOr(ctx, cmdutil.Errorf(cmdutil.ExitError, "seed keys: %v", err))
		}
		fmt.Fprintf(opts.IO.ErrOut, "inserted %d bulk API keys into project %q\n", n, opts.Project)
	}
	return nil
}
