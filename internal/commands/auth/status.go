package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// StatusOptions holds the inputs of `auth status`.
type StatusOptions struct {
	Deps
	// OrgName looks up the organization's name with the API ("" when it cannot).
	OrgName func(ctx context.Context, org string) string
}

// NewCmdStatus returns `auth status`.
func NewCmdStatus(f *cmdutil.Factory, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{Deps: newDeps(f), OrgName: orgNamer(f)}
	return cmdutil.WithOutputFlags(f, cmdutil.OutputData, &cobra.Command{
		Use:   "status",
		Short: "Show who is logged in, until when, and where the token comes from",
		Long: `Show the stored admin credential: user, organization claim, expiry, where the token
comes from (MB_TOKEN, the system keyring or the credentials file) and a masked form
of it. The token is read locally and not verified; exits 4 when not logged in,
when the token has expired, or when it is not a JWT at all (then no part of it is
shown). When the API answers within a few seconds, the organization's name is
shown beside its id.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	})
}

// StatusReport is the machine-readable form of `auth status`.
type StatusReport struct {
	LoggedIn  bool       `json:"loggedIn"`
	User      string     `json:"user,omitempty"`
	Org       string     `json:"org,omitempty"`
	OrgName   string     `json:"orgName,omitempty"`
	Role      string     `json:"role,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	Expired   bool       `json:"expired"`
	// Malformed is true when the token is not a JWT at all: it can never
	// work. MalformedReason says why, without quoting the token.
	Malformed       bool   `json:"malformed"`
	MalformedReason string `json:"malformedReason,omitempty"`
	Source          string `json:"source,omitempty"`
	Path            string `json:"path,omitempty"`
	Token           string `json:"token,omitempty"`
	Overrides       bool   `json:"overridesStored,omitempty"`
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	tok, err := iostreams.WithContext(ctx, store.Token)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, credstore.ErrNotLoggedIn) {
		if p.Structured() {
			if err := p.Data(opts.IO.Out, StatusReport{}); err != nil {
				return err
			}
		}
		return cmdutil.Errorf(cmdutil.ExitAuth, "not logged in").WithHint("run `metabind auth login` (or set MB_TOKEN)")
	}
	if err != nil {
		return err
	}
	now := opts.Now()
	rep := StatusReport{LoggedIn: true, Source: string(tok.Source), Path: tok.Path}
	claims, claimErr := credstore.ParseClaims(tok.Value)
	if claimErr == nil {
		rep.Token = credstore.Mask(tok.Value)
		rep.User, rep.Org, rep.Role, rep.ExpiresAt = claims.Subject, claims.Org, claims.Role, claims.ExpiresAt
		rep.Expired = claims.ExpiresAt != nil && !claims.ExpiresAt.After(now)
		rep.LoggedIn = !rep.Expired // an expired token logs no one in
	} else {
		// Not a JWT: no request can succeed with it, so no one is logged in.
		// Not even a masked form is shown: the string may be another secret
		// (an API key pasted by mistake), and it identifies no JWT.
		rep.LoggedIn, rep.Malformed, rep.MalformedReason = false, true, credstore.MalformedReason(claimErr)
	}
	if tok.Source == credstore.SourceEnv {
		rep.Overrides, err = iostreams.WithContext(ctx, func() (bool, error) { return store.HasStored(), nil })
		if err != nil {
			return err
		}
	}
	if rep.LoggedIn && rep.Org != "" && opts.OrgName != nil {
		rep.OrgName = opts.OrgName(ctx, rep.Org)
		if err := ctx.Err(); err != nil {
			return err // interrupted: no report
		}
	}

	if p.Structured() {
		if err := p.Data(opts.IO.Out, rep); err != nil {
			return err
		}
	} else {
		loggedIn := "yes"
		token := rep.Token
		switch {
		case rep.Expired:
			loggedIn = "no (token expired " + output.RelativeTime(now, *claims.ExpiresAt) + ")"
		case rep.Malformed:
			loggedIn = "no (" + tok.NotAJWT(rep.MalformedReason) + ")"
			token = "(hidden: not a JWT)"
		}
		pairs := [][2]string{
			{"Logged in", loggedIn},
			{"User", orDash(rep.User)},
			{"Organization", withName(rep.Org, rep.OrgName)},
		}
		if rep.Role != "" {
			pairs = append(pairs, [2]string{"Role", rep.Role})
		}
		pairs = append(pairs,
			[2]string{"Expires", expiry(claims.ExpiresAt, now, claimErr)},
			[2]string{"Source", sourceText(tok)},
			[2]string{"Token", token},
		)
		if err := output.WriteKeyValues(opts.IO.Out, pairs); err != nil {
			return err
		}
		if rep.Overrides {
			fmt.Fprintln(opts.IO.ErrOut, "note: MB_TOKEN overrides the token stored by `metabind auth login`.")
		}
	}
	if rep.Malformed {
		return cmdutil.Errorf(cmdutil.ExitAuth, "%s", tok.NotAJWT(rep.MalformedReason)).WithHint(tok.NotAJWTHint())
	}
	if rep.Expired {
		return cmdutil.Errorf(cmdutil.ExitAuth, "the token expired %s", output.RelativeTime(now, *claims.ExpiresAt)).
			WithHint("run `metabind auth login` with a fresh token")
	}
	return nil
}

func expiry(exp *time.Time, now time.Time, claimErr error) string {
	switch {
	case claimErr != nil:
		return "unknown (not a readable JWT)"
	case exp == nil:
		return "never (the token has no exp claim)"
	case exp.After(now):
		return fmt.Sprintf("in %s (%s)", output.Duration(exp.Sub(now)), exp.UTC().Format(time.RFC3339))
	default:
		return fmt.Sprintf("expired %s (%s)", output.RelativeTime(now, *exp), exp.UTC().Format(time.RFC3339))
	}
}

func sourceText(t credstore.Token) string {
	switch t.Source {
	case credstore.SourceEnv:
		return "environment (MB_TOKEN)"
	case credstore.SourceKeyring:
		return "system keyring"
	case credstore.SourceFile:
		return "file " + t.Path
	}
	return string(t.Source)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
