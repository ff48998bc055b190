// Package cmdutil holds what every command shares: the factory of lazily built
// dependencies, the global options, typed errors and the one mapping from errors
// to exit codes.
package cmdutil

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/build"
	"github.com/metabind/metabind-cli/internal/config"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
	"github.com/metabind/metabind-cli/internal/prompt"
	"github.com/metabind/metabind-cli/internal/redact"
)

// GlobalOptions are the root command's persistent flags that are not part of the
// configuration file (those are read through Config).
type GlobalOptions struct {
	Debug     bool
	Timeout   time.Duration
	NoColor   bool
	AllowHTTP bool
}

// Factory hands commands their dependencies. Everything expensive (configuration,
// credentials, the API client) is built on first use, so a command that makes no
// request never reads a file or touches the keyring.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Global holds the parsed global flags (filled by cobra before RunE).
	Global GlobalOptions
	// Output holds the values of the output flags the running command added
	// (AddOutputFlags).
	Output OutputOptions
	// Flags holds the flags that are also settings (the root's persistent
	// flags, and -o when the command line gives it), for configuration
	// precedence.
	Flags *pflag.FlagSet

	// Keyring overrides the OS keyring (tests); nil means the real one.
	Keyring credstore.Keyring
	// NewPrompter builds the prompter; tests replace it with a prompt.Fake.
	NewPrompter func() prompt.Prompter
	// HTTPOptions lets tests adjust the API client (e.g. a fake transport).
	HTTPOptions func(*api.Options)
	// InterruptCode reports the exit code of the signal that interrupted the
	// command (130 for SIGINT, 143 for SIGTERM), or 0; nil means none.
	InterruptCode func() int

	configOnce sync.Once
	config     *config.Config
	configErr  error

	storeOnce sync.Once
	store     *credstore.Store
	storeErr  error

	tokenOnce sync.Once
	token     credstore.Token
	claims    *credstore.Claims
	tokenErr  error

	clientsMu sync.Mutex
	clients   []*api.Client // every client built, for Changes
}

// New returns a factory over the given streams and environment.
func New(ios *iostreams.IOStreams, getenv func(string) string) *Factory {
	f := &Factory{IOStreams: ios, Getenv: getenv, Now: time.Now}
	f.NewPrompter = func() prompt.Prompter { return prompt.New(f.IOStreams) }
	return f
}

// Config loads the configuration once.
func (f *Factory) Config() (*config.Config, error) {
	f.configOnce.Do(func() {
		dir, err := config.Dir(f.Getenv)
		if err != nil {
			f.configErr = Errorf(ExitError, "cannot find the configuration directory: %v", err).
				WithHint("set MB_CONFIG_DIR to a writable directory")
			return
		}
		f.config, f.configErr = config.Load(config.LoadOptions{Dir: dir, Flags: f.Flags, Getenv: f.Getenv, Profile: f.profileFlag()})
		if f.configErr == nil {
			for _, w := range f.config.Warnings() {
				fmt.Fprintln(f.IOStreams.ErrOut, "warning:", w)
			}
		}
	})
	return f.config, f.configErr
}

func (f *Factory) profileFlag() string {
	if f.Flags == nil {
		return ""
	}
	if fl := f.Flags.Lookup("profile"); fl != nil && fl.Changed {
		return fl.Value.String()
	}
	return ""
}

// CredStore returns the credential store for the active profile.
func (f *Factory) CredStore() (*credstore.Store, error) {
	f.storeOnce.Do(func() {
		cfg, err := f.Config()
		if err != nil {
			f.storeErr = err
			return
		}
		f.store = credstore.New(credstore.Options{
			ConfigDir: configDir(cfg),
			Getenv:    f.Getenv,
			Account:   cfg.Profile(),
			Keyring:   f.Keyring,
		})
		for _, w := range f.store.Warnings() {
			fmt.Fprintln(f.IOStreams.ErrOut, "warning:", w)
		}
	})
	return f.store, f.storeErr
}

func configDir(cfg *config.Config) string { return filepath.Dir(cfg.Path()) }

// Token returns the admin JWT and its decoded claims (nil when undecodable). It
// fails with an exit-4 error when no credential is stored.
func (f *Factory) Token() (credstore.Token, *credstore.Claims, error) {
	f.tokenOnce.Do(func() {
		store, err := f.CredStore()
		if err != nil {
			f.tokenErr = err
			return
		}
		f.token, f.tokenErr = store.Token()
		if f.tokenErr != nil {
			f.tokenErr = NotLoggedIn(f.tokenErr)
			return
		}
		if c, err := credstore.ParseClaims(f.token.Value); err == nil {
			f.claims = &c
			f.tokenErr = f.expired(f.token, &c)
		}
	})
	return f.token, f.claims, f.tokenErr
}

// expired returns the exit-4 error for a token whose exp has passed, else nil.
// Every command that needs the token stops on it before any other check.
func (f *Factory) expired(tok credstore.Token, c *credstore.Claims) error {
	if c.ExpiresAt == nil || c.ExpiresAt.After(f.Now()) {
		return nil
	}
	when := output.RelativeTime(f.Now(), *c.ExpiresAt)
	if tok.Source == credstore.SourceEnv {
		return NewError(ExitAuth, &expiredTokenError{"the token in MB_TOKEN expired " + when}).
			WithHint("set a fresh MB_TOKEN (it wins over `metabind auth login`)")
	}
	return NewError(ExitAuth, &expiredTokenError{"your token expired " + when}).
		WithHint("run `metabind auth login` with a fresh token")
}

type expiredTokenError struct{ msg string }

func (e *expiredTokenError) Error() string { return e.msg }

// IsExpiredToken reports whether err is the error Token returns for an
// expired token.
func IsExpiredToken(err error) bool {
	var e *expiredTokenError
	return errors.As(err, &e)
}

// TokenState describes the token already loaded, to explain a 401; nil when no
// token was loaded.
func (f *Factory) TokenState() *TokenState {
	if f.token.Value == "" {
		return nil
	}
	ts := &TokenState{FromEnv: f.token.Source == credstore.SourceEnv}
	if f.claims != nil {
		ts.ExpiresAt = f.claims.ExpiresAt
	}
	return ts
}

// OutputFormat returns the resolved -o/--output format.
func (f *Factory) OutputFormat() (output.Format, error) {
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	return ParseOutputSetting(cfg.Get("output"), cfg.Source("output"))
}

// ParseOutputSetting reads the output format value, which came from src; a
// value that is not a format is a usage error whose hint says where it came
// from and how to fix it there.
func ParseOutputSetting(value string, src config.Source) (output.Format, error) {
	format, err := output.ParseFormat(value)
	if err == nil {
		return format, nil
	}
	e := FlagErrorf("%v", err)
	switch src {
	case config.SourceEnv:
		return "", e.WithHint("it comes from MB_OUTPUT: unset it, or set it to one of the valid formats")
	case config.SourceProfile:
		return "", e.WithHint("it comes from the \"output\" setting of the configuration file: fix it with `metabind config set output table` (or --unset)")
	}
	return "", e
}

// Printer returns the output layer configured by the command's output flags
// (-o, --jq, --template, --columns, --no-headers; see AddOutputFlags) and the
// `output` setting. It is the only way a command writes data.
func (f *Factory) Printer() (*output.Printer, error) {
	format, err := f.OutputFormat()
	if err != nil {
		return nil, err
	}
	return f.PrinterFor(format)
}

// PrinterFor is Printer with the format given, for commands that do not read
// the configuration (version).
func (f *Factory) PrinterFor(format output.Format) (*output.Printer, error) {
	if given := f.FormatFlagValue(); given != "" && format != output.JSON && (f.Output.JQ != "" || f.Output.Template != "") {
		// MB_OUTPUT or the profile yield to --jq/--template; -o on the same
		// command line is a contradiction.
		return nil, FlagErrorf("-o %s cannot be used with --jq or --template, which format the JSON output", format).
			WithHint("drop -o, or use -o json")
	}
	p, err := output.NewPrinter(format, f.Output.JQ, f.Output.Template, f.Output.Columns, f.Output.NoHeaders)
	if err != nil {
		var oe *output.OptionError
		if errors.As(err, &oe) {
			return nil, FlagErrorf("%s", oe.Message).WithHint(oe.Hint)
		}
		return nil, FlagErrorf("%v", err)
	}
	p.Width = f.IOStreams.TerminalWidth()
	if cs := f.IOStreams.ColorScheme(); cs.Enabled() {
		// Colour only for status words; everything else stays plain.
		p.Paint = func(name, text string) string {
			if name == "status" {
				return cs.Status(text)
			}
			return text
		}
	}
	return p, nil
}

// Scope is the organization and project a command acts on, with where each came from.
type Scope struct {
	Org, Project             string
	OrgSource, ProjectSource config.Source
}

// UnknownProfile returns a usage error when the active profile is a named one
// with no settings in the config file (a mistyped --profile or MB_PROFILE),
// else nil. Commands that only read settings call it; use, config set and
// auth login create the profile instead.
func (f *Factory) UnknownProfile() error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	if note := profileNote(cfg); note != "" {
		return FlagErrorf("%s", note).WithHint(fmt.Sprintf("existing profiles: %s; save settings in a new one with `metabind config set org ORG --profile %s`",
			strings.Join(cfg.Profiles(), ", "), cfg.Profile()))
	}
	return nil
}

// profileNote describes an active named profile that has no settings in the
// config file; "" otherwise.
func profileNote(cfg *config.Config) string {
	if cfg.Profile() == config.DefaultProfile || cfg.ProfileExists() {
		return ""
	}
	return fmt.Sprintf("profile %q has no settings in %s", cfg.Profile(), cfg.Path())
}

// Scope resolves org and project: flag > environment > profile; when no org is set
// anywhere, the token's org claim. A missing value is a usage error that says how
// to set it.
func (f *Factory) Scope() (Scope, error) {
	cfg, err := f.Config()
	if err != nil {
		return Scope{}, err
	}
	s := Scope{Org: cfg.Get("org"), Project: cfg.Get("project"), OrgSource: cfg.Source("org"), ProjectSource: cfg.Source("project")}
	for what, v := range map[string]string{"organization": s.Org, "project": s.Project} {
		if redact.LooksLikeJWT(v) || redact.LooksLikeAPIKey(v) {
			// Never put into a URL: a secret pasted where an id belongs.
			return Scope{}, FlagErrorf("the %s id looks like a secret (a token or an API key's value); nothing was sent", what).
				WithHint("check --org/--project, MB_ORG/MB_PROJECT and `metabind config list`")
		}
	}
	if s.Org == "" {
		if _, claims, err := f.Token(); err == nil && claims != nil && claims.Org != "" {
			s.Org, s.OrgSource = claims.Org, config.SourceToken
		}
	}
	if s.Org == "" || s.Project == "" {
		// An expired token is exit 4 before a missing org or project is exit 2.
		if _, _, err := f.Token(); IsExpiredToken(err) {
			return s, err
		}
	}
	var missing *Error
	switch {
	case s.Org == "" && s.Project == "":
		missing = FlagErrorf("no organization or project set").
			WithHint("pass --org ORG --project PROJECT, set MB_ORG and MB_PROJECT, or save them with `metabind use --org ORG --project PROJECT`")
	case s.Org == "":
		missing = FlagErrorf("no organization set").
			WithHint("pass --org ORG, set MB_ORG, or save it with `metabind use --org ORG`")
	case s.Project == "":
		missing = FlagErrorf("no project set").
			WithHint("pass --project PROJECT, set MB_PROJECT, or save it with `metabind use --project PROJECT`")
	default:
		return s, nil
	}
	if note := profileNote(cfg); note != "" {
		missing = missing.WithHint(missing.Hint + "\n" + note + " (existing profiles: " + strings.Join(cfg.Profiles(), ", ") + ")")
	}
	return s, missing
}

// APIClient builds the admin API client with the stored credential; an expired
// token is an exit-4 error before any request.
func (f *Factory) APIClient() (*api.Client, error) {
	tok, _, err := f.Token()
	if err != nil {
		return nil, err // an expired token stops here (exit 4)
	}
	return f.newClient(tok.Value)
}

// AnonymousClient builds a client that carries no admin credential (keys test).
func (f *Factory) AnonymousClient() (*api.Client, error) { return f.newClient("") }

// ClientWithToken builds a client that sends token rather than the stored
// credential (auth login checks a token before storing it).
func (f *Factory) ClientWithToken(token string) (*api.Client, error) { return f.newClient(token) }

func (f *Factory) newClient(token string) (*api.Client, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	opts := api.Options{
		BaseURL:   cfg.Get("api-url"),
		Token:     token,
		UserAgent: build.UserAgent(),
		Timeout:   f.Global.Timeout,
		// --timeout given bounds the whole command; by default each request
		// has its own limit and waiting for the rate limit is not an error.
		PerCall:   f.Flags == nil || !f.Flags.Changed("timeout"),
		AllowHTTP: f.Global.AllowHTTP || truthy(f.Getenv("MB_ALLOW_HTTP")),
	}
	if f.Global.Debug {
		opts.Debug = f.IOStreams.ErrOut
	}
	if f.HTTPOptions != nil {
		f.HTTPOptions(&opts)
	}
	c, err := api.New(opts)
	if err != nil {
		return nil, FlagErrorf("%v", err)
	}
	f.clientsMu.Lock()
	f.clients = append(f.clients, c)
	f.clientsMu.Unlock()
	return c, nil
}

// Prompter returns a prompter over the command's streams.
func (f *Factory) Prompter() prompt.Prompter { return f.NewPrompter() }

func truthy(s string) bool {
	switch s {
	case "1", "true", "TRUE", "True", "yes", "on":
		return true
	}
	return false
}
