package emulator

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"
)

// maxTokenTTL bounds --ttl: a year is more than any test needs.
const maxTokenTTL = 365 * 24 * time.Hour

// TokenOptions holds what `metabind emulator token` needs.
type TokenOptions struct {
	Deps

	DBPath  string
	Org     string
	Role    string
	Subject string
	TTL     time.Duration
}

// NewCmdToken returns `metabind emulator token`.
func NewCmdToken(f *cmdutil.Factory, runF func(context.Context, *TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{Deps: newDeps(f)}
	cmd := &cobra.Command{
		Use:   "token --org ORG",
		Short: "Mint an admin token for the emulator",
		Long: `Print an admin token (an HS256 JWT) signed with the emulator's secret, for the
emulator's admin API. The token is the only thing written to stdout, so it can
be piped straight into "metabind auth login --with-token".

Only the owner, admin and developer roles may manage API keys; the others get
403, which is what they are for.`,
		Example: `  metabind emulator token --org acme | metabind auth login --with-token
  metabind emulator token --org acme --role viewer --sub alice --ttl 10m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateID("org", opts.Org); err != nil {
				return err
			}
			if !slices.Contains(emulator.Roles, opts.Role) {
				return cmdutil.FlagErrorf("invalid --role %q: use one of %s", opts.Role, strings.Join(emulator.Roles, ", "))
			}
			if strings.TrimSpace(opts.Subject) == "" || len(opts.Subject) > 256 {
				return cmdutil.FlagErrorf("--sub must be 1 to 256 characters")
			}
			if opts.TTL <= 0 || opts.TTL > maxTokenTTL {
				return cmdutil.FlagErrorf("--ttl must be more than 0 and at most %s, got %s", maxTokenTTL, opts.TTL)
			}
			if err := checkOneShotDB(opts.DBPath, "token"); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.DBPath, "db", "", dbFlagUsage)
	fl.StringVar(&opts.Org, "org", "", "organization the token is for (required)")
	fl.StringVar(&opts.Role, "role", "owner", "role claim: "+strings.Join(emulator.Roles, ", "))
	fl.StringVar(&opts.Subject, "sub", "emulator-user", "user id (sub claim); keys created with the token record it as createdBy")
	fl.DurationVar(&opts.TTL, "ttl", time.Hour, "lifetime of the token")
	return cmd
}

func tokenRun(ctx context.Context, opts *TokenOptions) error {
	return opts.withDatabase(ctx, opts.DBPath, false, func(e *emulator.Emulator) error { return mintInto(ctx, e, opts) })
}

// mintInto prints a token signed with e's secret. An interruption (ctx
// ended) prints no token and is reported as the context's error, which the
// app prints as "interrupted".
func mintInto(ctx context.Context, e *emulator.Emulator, opts *TokenOptions) error {
	tok, err := e.MintToken(emulator.TokenRequest{Org: opts.Org, Role: opts.Role, Subject: opts.Subject, TTL: opts.TTL})
	if err != nil {
		return ctxErrOr(ctx, cmdutil.Errorf(cmdutil.ExitError, "mint token: %v", err))
	}
	ok, err := e.OrgExists(ctx, opts.Org)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err == nil && !ok {
		fmt.Fprintf(opts.IO.ErrOut, "warning: organization %q does not exist in %s yet; create it with \"metabind emulator seed --org %s --project PROJECT\"\n",
			opts.Org, e.DBPath(), opts.Org)
	}
	_, err = fmt.Fprintln(opts.IO.Out, tok)
	return err
}
