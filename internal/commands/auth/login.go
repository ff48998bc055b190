package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/prompt"
	"github.com/metabind/metabind-cli/internal/redact"
)

// maxTokenBytes bounds what login reads from stdin.
const maxTokenBytes = 64 << 10

// LoginOptions holds the inputs of `auth login`.
type LoginOptions struct {
	Deps
	Prompter func() prompt.Prompter
	// ClientFor builds an API client that sends the given token.
	ClientFor func(token string) (*api.Client, error)
	WithToken bool
}

// NewCmdLogin returns `auth login`. runF replaces the run function in tests.
func NewCmdLogin(f *cmdutil.Factory, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{Deps: newDeps(f), Prompter: f.Prompter, ClientFor: f.ClientWithToken}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Store an admin JWT for the API",
		Long: `Store the admin JWT that metabind sends to the Metabind admin API.

On a terminal you are asked for the token with hidden input. With --with-token, or
when standard input is not a terminal, the token is read from standard input. The
token is never accepted as an argument, so it stays out of shell history and ps.

Before it is stored, the token is checked: an expired token is refused, and one
request (GET of the organization named in the token's org claim) must not be
refused by the API. A token the API rejects (401 or 403) is exit 4 and nothing is
stored. When the API cannot be reached, or cannot say, the token is stored with a
warning, so you can log in offline.

The token goes to the OS keyring; where none answers (or MB_NO_KEYRING=1), to a
credentials file readable only by you in the configuration directory.`,
		Example: `  metabind auth login
  metabind auth login --with-token < token.txt
  printf '%s' "$METABIND_JWT" | metabind auth login --with-token`,
		Args: cmdutil.NoSecretArgs("pipe the token on standard input (`metabind auth login --with-token < token.txt`) or run `metabind auth login` on a terminal to be asked for it"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.WithToken, "with-token", false, "read the token from standard input")
	return cmd
}

func loginRun(ctx context.Context, opts *LoginOptions) error {
	var token string
	if opts.WithToken || !opts.IO.IsStdinTTY() {
		b, err := iostreams.ReadAll(ctx, opts.IO.In, maxTokenBytes)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("reading the token from standard input: %w", err)
		}
		if len(b) > maxTokenBytes {
			return cmdutil.FlagErrorf("standard input holds more than %d KiB; expected one JWT", maxTokenBytes>>10)
		}
		token = string(b)
	} else {
		fmt.Fprintln(opts.IO.ErrOut, "Paste an admin JWT from the Metabind web app (Settings → API Keys → Create JWT).")
		t, err := opts.Prompter().Password(ctx, "Token: ")
		if err != nil {
			return err
		}
		token = t
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return cmdutil.FlagErrorf("no token given").
			WithHint("pipe it in: `metabind auth login --with-token < token.txt`, or run `metabind auth login` on a terminal")
	}
	claims, err := credstore.ParseClaims(token)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err).WithHint("copy the whole JWT from the Metabind web app: three base64 parts separated by dots")
	}
	now := opts.Now()
	if claims.ExpiresAt != nil && !claims.ExpiresAt.After(now) {
		return cmdutil.Errorf(cmdutil.ExitAuth, "this token expired %s; nothing was stored", output.RelativeTime(now, *claims.ExpiresAt)).
			WithHint("create a fresh JWT in the Metabind web app (Settings → API Keys → Create JWT) and log in with it")
	}
	refused, err := checkToken(ctx, opts, token, claims)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted: nothing is stored
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	saved, err := store.SaveNotify(token, func(path, reason string) {
		fmt.Fprintf(opts.IO.ErrOut, "The system keyring is not used (%s); storing the token in %s (mode 0600).\n", output.Sanitize(reason), output.Sanitize(path))
	})
	if err != nil {
		if saved.Source == "" {
			return fmt.Errorf("storing the token: %w", err)
		}
		// Stored, but a stale copy elsewhere could not be cleaned up.
		fmt.Fprintf(opts.IO.ErrOut, "warning: %v\n", err)
	}
	who := "the token's user"
	if claims.Subject != "" {
		who = output.Sanitize(claims.Subject)
	}
	if claims.Org != "" {
		who += " (organization " + output.Sanitize(claims.Org) + ")"
	}
	switch saved.Source {
	case credstore.SourceKeyring:
		fmt.Fprintf(opts.IO.ErrOut, "Logged in as %s. Token stored in the system keyring.\n", who)
	default:
		why := "no system keyring was used"
		if saved.FallbackReason != "" {
			why = saved.FallbackReason
		}
		fmt.Fprintf(opts.IO.ErrOut, "Logged in as %s. Token stored in %s (mode 0600; %s).\n", who, saved.Path, why)
	}
	if opts.envTokenSet() {
		fmt.Fprintln(opts.IO.ErrOut, "note: MB_TOKEN is set in your environment and takes precedence over the stored token.")
	}
	if !refused && opts.apiURLFlagDiffers() {
		// The token is checked against --api-url, but the flag is not saved:
		// say so, or the next command goes to another API. The URL is not
		// echoed: it may carry a password or a token.
		fmt.Fprintln(opts.IO.ErrOut, "note: --api-url applies to this command only; to keep using that API, run `metabind config set api-url URL` with the same URL, or set MB_API_URL.")
	}
	return nil
}

// apiURLFlagDiffers reports whether --api-url was given with a value other
// than the one the next command would use without it: MB_API_URL, else the
// config file's api-url, else the default.
func (opts *LoginOptions) apiURLFlagDiffers() bool {
	cfg, err := opts.Config()
	if err != nil || cfg.Source("api-url") != config.SourceFlag {
		return false
	}
	without, _ := cfg.WithoutFlag("api-url")
	return strings.TrimRight(cfg.Get("api-url"), "/") != strings.TrimRight(without, "/")
}

// checkToken asks the API, with one request, whether it accepts token: GET of
// the organization in the token's org claim. A 401 or 403 refuses the login
// (exit 4); an API that cannot be reached or does not say leaves a warning and
// the login goes ahead. urlRefused reports that no client could be built for
// the API URL (it may not be used), so the token was sent nowhere.
func checkToken(ctx context.Context, opts *LoginOptions, token string, claims credstore.Claims) (urlRefused bool, err error) {
	if claims.Org == "" {
		fmt.Fprintln(opts.IO.ErrOut, "warning: the token names no organization (no org claim), so it was not checked with the API")
		_, err := opts.ClientFor(token) // builds a client only; sends nothing
		return err != nil, nil
	}
	client, err := opts.ClientFor(token)
	if err != nil {
		// A bad --api-url is for the commands that use it to report; the token
		// is not sent anywhere unsafe.
		fmt.Fprintf(opts.IO.ErrOut, "warning: the token was not checked with the API (%s); storing it anyway\n", redact.Secrets(err.Error()))
		return true, nil
	}
	org := output.Sanitize(claims.Org)
	_, err = client.GetOrganization(ctx, claims.Org)
	var ae *api.Error
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, context.Canceled):
		return false, err
	case errors.As(err, &ae) && ae.StatusCode == 401:
		return false, cmdutil.NewError(cmdutil.ExitAuth, fmt.Errorf("the API refused this token (%w); nothing was stored", err)).
			WithHint("the token is invalid, revoked or for another API (check --api-url); create a fresh JWT in the Metabind web app")
	case errors.As(err, &ae) && ae.StatusCode == 403:
		return false, cmdutil.NewError(cmdutil.ExitAuth, fmt.Errorf("the API refused this token for organization %s (%w); nothing was stored", org, err)).
			WithHint("the token does not give access to its own organization; create a fresh JWT in the Metabind web app")
	case errors.As(err, &ae) && api.IsNotFound(ae):
		fmt.Fprintf(opts.IO.ErrOut, "warning: the API does not know organization %s (from the token's org claim); storing the token anyway\n", org)
	case errors.As(err, &ae):
		fmt.Fprintf(opts.IO.ErrOut, "warning: the token could not be checked (%s); storing it anyway\n", redact.Secrets(err.Error()))
	default:
		fmt.Fprintf(opts.IO.ErrOut, "warning: the API could not be reached to check the token (%s); storing it anyway\n", redact.Secrets(err.Error()))
	}
	return false, nil
}
