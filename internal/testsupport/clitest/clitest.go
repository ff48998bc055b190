// Package clitest is the one harness for tests that run metabind command
// lines in-process: a seeded in-process emulator served over httptest with an
// admin token and a ready environment (Emulator), and a command line run
// through app.RunFactory with test streams, returning stdout, stderr and the
// exit code (Run, CLI.Run). It is imported only from _test.go files.
//
// It is a subpackage of testsupport because it imports app, the emulator and
// the API client, whose own internal tests import testsupport: one package
// would be an import cycle. For the same reason a package that app imports
// cannot use it from its internal (same-package) tests.
package clitest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/prompt"
)

// The organization and project every Server is seeded with.
const (
	Org     = "acme"
	Project = "web"
)

// Server is a seeded in-process emulator served over httptest.
type Server struct {
	// URL is the server's base URL.
	URL string
	// Token is an admin token for Org (owner "alice", valid for an hour,
	// unless AdminToken says otherwise).
	Token string
	// Emulator is the emulator behind URL.
	Emulator *emulator.Emulator
	// DBPath is the emulator's database: ":memory:", or a file with DBFile.
	DBPath string
	// Env is a logged-in environment for the CLI: MB_API_URL, MB_TOKEN,
	// MB_ORG, MB_PROJECT, a fresh MB_CONFIG_DIR and MB_NO_KEYRING=1.
	Env map[string]string

	t      testing.TB
	client *api.Client
}

type settings struct {
	configure []func(*emulator.Config)
	dbFile    bool
	keys      int
	projects  []string
	wrap      func(http.Handler) http.Handler
	role, sub string
	ttl       time.Duration
}

// Option changes how Emulator builds a Server.
type Option func(*settings)

// Configure edits the emulator's configuration before it opens. The default is
// emulator.DefaultConfig() with an in-memory database and rate limits off.
func Configure(edit func(*emulator.Config)) Option {
	return func(s *settings) { s.configure = append(s.configure, edit) }
}

// Clock sets the emulator's clock.
func Clock(now func() time.Time) Option {
	return Configure(func(c *emulator.Config) { c.Now = now })
}

// DefaultRateLimit keeps the emulator's default rate limits instead of
// turning them off.
func DefaultRateLimit() Option {
	return Configure(func(c *emulator.Config) { c.RateLimit = emulator.DefaultConfig().RateLimit })
}

// DBFile puts the database in a file under t.TempDir(), for commands that
// open it themselves (emulator audit --db).
func DBFile() Option { return func(s *settings) { s.dbFile = true } }

// SeedKeys seeds n keys (bulk-key-00001…) in Org/Project besides the seed.
func SeedKeys(n int) Option { return func(s *settings) { s.keys = n } }

// Projects seeds these projects in Org besides Project.
func Projects(names ...string) Option {
	return func(s *settings) { s.projects = append(s.projects, names...) }
}

// Wrap puts mw in front of the emulator's handler (to log or count requests).
func Wrap(mw func(http.Handler) http.Handler) Option { return func(s *settings) { s.wrap = mw } }

// AdminToken sets the role, subject and lifetime of Server.Token.
func AdminToken(role, subject string, ttl time.Duration) Option {
	return func(s *settings) { s.role, s.sub, s.ttl = role, subject, ttl }
}

// Emulator opens an emulator, seeds Org/Project, serves it on a free loopback
// port and mints an admin token; all of it ends with the test.
func Emulator(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := settings{role: "owner", sub: "alice", ttl: time.Hour}
	for _, o := range opts {
		o(&s)
	}
	cfg := emulator.DefaultConfig()
	cfg.DBPath = ":memory:"
	if s.dbFile {
		cfg.DBPath = filepath.Join(t.TempDir(), "emulator.db")
	}
	cfg.RateLimit = 0
	for _, edit := range s.configure {
		edit(&cfg)
	}
	seeds := []Seed{{Org, Project, s.keys}}
	for _, p := range s.projects {
		seeds = append(seeds, Seed{Org: Org, Project: p})
	}
	e, url, stop, err := Serve(cfg, s.wrap, seeds...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	out := &Server{URL: url, Emulator: e, DBPath: cfg.DBPath, t: t}
	out.Token = out.Mint(s.role, s.sub, s.ttl)
	out.Env = map[string]string{
		"MB_API_URL": url, "MB_TOKEN": out.Token, "MB_ORG": Org, "MB_PROJECT": Project,
		"MB_CONFIG_DIR": t.TempDir(), "MB_NO_KEYRING": "1",
	}
	return out
}

// Environ is Env as KEY=VALUE pairs, sorted, for a subprocess's environment.
func (s *Server) Environ() []string {
	out := make([]string, 0, len(s.Env))
	for k, v := range s.Env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Seed is an organization and project to seed, with Keys more keys
// (bulk-key-00001…) in it.
type Seed struct {
	Org, Project string
	Keys         int
}

// Serve opens an emulator with cfg, seeds it, and serves it (through wrap
// when not nil) on a free loopback port; stop closes the server, then the
// emulator. It is Emulator for a harness whose life is not one test's (a
// testscript's setup).
func Serve(cfg emulator.Config, wrap func(http.Handler) http.Handler, seeds ...Seed) (e *emulator.Emulator, url string, stop func(), err error) {
	ctx := context.Background()
	e, err = emulator.Open(ctx, cfg)
	if err != nil {
		return nil, "", nil, err
	}
	for _, s := range seeds {
		if _, err := e.Seed(ctx, s.Org, s.Project); err != nil {
			_ = e.Close()
			return nil, "", nil, err
		}
		if s.Keys > 0 {
			if _, err := e.SeedKeys(ctx, s.Org, s.Project, s.Keys); err != nil {
				_ = e.Close()
				return nil, "", nil, err
			}
		}
	}
	h := e.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	return e, srv.URL, func() { srv.Close(); _ = e.Close() }, nil
}

// Mint mints an admin token for Org.
func (s *Server) Mint(role, subject string, ttl time.Duration) string {
	s.t.Helper()
	tok, err := s.Emulator.MintToken(emulator.TokenRequest{Org: Org, Role: role, Subject: subject, TTL: ttl})
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// Client is an API client for URL with Token.
func (s *Server) Client() *api.Client {
	s.t.Helper()
	if s.client == nil {
		c, err := api.New(api.Options{BaseURL: s.URL, Token: s.Token, UserAgent: "test"})
		if err != nil {
			s.t.Fatal(err)
		}
		s.client = c
	}
	return s.client
}

// Keys lists every key of Org/Project, as the server has them.
func (s *Server) Keys() []api.Key {
	s.t.Helper()
	all, err := s.Client().ListAllKeys(context.Background(), Org, Project, api.ListOptions{Limit: 100}, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return all
}

// CLI runs command lines in-process as app.Main would, with test streams and
// Env as the whole environment.
type CLI struct {
	Env map[string]string
	// Now is the CLI's clock; nil is the real one.
	Now func() time.Time
	// StdinTTY and StdoutTTY make stdin and stdout terminals.
	StdinTTY, StdoutTTY bool
	// Width is the terminal's width; 0 is unknown.
	Width int
	// Prompter answers the prompts; nil is the factory's own prompter.
	Prompter *prompt.Fake
}

// Result is what a command line printed and its exit code.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Factory is a factory over test streams (returned as stdout and stderr)
// with env as the whole environment.
func Factory(env map[string]string) (f *cmdutil.Factory, stdout, stderr *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return cmdutil.New(ios, func(k string) string { return env[k] }), out, errOut
}

// Run runs one command line.
func (c CLI) Run(args ...string) Result {
	f, out, errOut := Factory(c.Env)
	f.IOStreams.SetStdinTTY(c.StdinTTY)
	f.IOStreams.SetStdoutTTY(c.StdoutTTY)
	f.IOStreams.SetTerminalWidth(c.Width)
	if c.Now != nil {
		f.Now = c.Now
	}
	if c.Prompter != nil {
		p := c.Prompter
		f.NewPrompter = func() prompt.Prompter { return p }
	}
	code := app.RunFactory(context.Background(), args, f)
	return Result{Stdout: out.String(), Stderr: errOut.String(), Code: code}
}

// Run runs one command line with env as the whole environment, no terminal.
func Run(env map[string]string, args ...string) (stdout, stderr string, code int) {
	r := CLI{Env: env}.Run(args...)
	return r.Stdout, r.Stderr, r.Code
}
