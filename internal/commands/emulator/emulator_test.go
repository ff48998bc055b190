package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

func testFactory(t *testing.T, env map[string]string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	getenv := func(k string) string { return env[k] }
	return cmdutil.New(ios, getenv), out, errOut
}

// parse runs cmd's flag parsing and validation with args; run receives the
// options when they are valid.
func parse(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	return cmd.ExecuteContext(context.Background())
}

func wantUsageError(t *testing.T, err error, fragment string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one about %q", fragment)
	}
	if !cmdutil.IsUsage(err) {
		t.Fatalf("error %q is not a usage error (exit 2)", err)
	}
	if !strings.Contains(err.Error(), fragment) {
		t.Fatalf("error %q does not mention %q", err, fragment)
	}
}

func TestStartFlags(t *testing.T) {
	f, _, _ := testFactory(t, nil)
	var got *StartOptions
	run := func(_ context.Context, o *StartOptions) error { got = o; return nil }

	if err := parse(t, NewCmdStart(f, run)); err != nil {
		t.Fatal(err)
	}
	if got.Addr != "127.0.0.1:8787" || got.RateLimit != 600 || got.FailedAuthLimit != 100 || got.LastUsedResolution != time.Minute ||
		got.Org != "acme" || got.Project != "web" || got.Seed || got.DBPath != "" || got.ReadyFile != "" {
		t.Errorf("defaults: %+v", got)
	}
	if err := parse(t, NewCmdStart(f, run), "--addr", "127.0.0.1:0", "--db", ":memory:", "--seed", "--org", "o1", "--project", "p1",
		"--rate-limit", "0", "--last-used-resolution", "0", "--ready-file", "r", "--token-file", "tf"); err != nil {
		t.Fatal(err)
	}
	if got.Addr != "127.0.0.1:0" || got.DBPath != ":memory:" || !got.Seed || got.Org != "o1" || got.Project != "p1" ||
		got.RateLimit != 0 || got.LastUsedResolution != 0 || got.ReadyFile != "r" || got.TokenFile != "tf" {
		t.Errorf("parsed: %+v", got)
	}

	cases := []struct {
		args     []string
		fragment string
	}{
		{[]string{"--addr", "8787"}, "--addr"},
		{[]string{"--addr", "127.0.0.1:99999"}, "port"},
		{[]string{"--addr", "127.0.0.1:http"}, "port"},
		{[]string{"--rate-limit", "-1"}, "--rate-limit"},
		{[]string{"--failed-auth-limit", "0"}, "--failed-auth-limit"},
		{[]string{"--last-used-resolution", "-1s"}, "--last-used-resolution"},
		{[]string{"--seed", "--org", "a/b"}, "--org"},
		{[]string{"--seed", "--project", ""}, "--project"},
		{[]string{"--token-file", "x", "--token-ttl", "0s"}, "--token-ttl"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			got = nil
			wantUsageError(t, parse(t, NewCmdStart(f, run), c.args...), c.fragment)
			if got != nil {
				t.Error("run was called")
			}
		})
	}
	if err := parse(t, NewCmdStart(f, run), "extra"); err == nil {
		t.Error("a positional argument was accepted")
	}
}

func TestSeedTokenAuditFlags(t *testing.T) {
	f, _, _ := testFactory(t, nil)
	var seed *SeedOptions
	var tok *TokenOptions
	seedRunF := func(_ context.Context, o *SeedOptions) error { seed = o; return nil }
	tokenRunF := func(_ context.Context, o *TokenOptions) error { tok = o; return nil }
	auditRunF := func(context.Context, *AuditOptions) error { return nil }

	if err := parse(t, NewCmdSeed(f, seedRunF), "--org", "acme", "--project", "web", "--keys", "10000", "--db", "x.db"); err != nil {
		t.Fatal(err)
	}
	if seed.Org != "acme" || seed.Project != "web" || seed.Keys != 10000 || seed.DBPath != "x.db" {
		t.Errorf("seed: %+v", seed)
	}
	if err := parse(t, NewCmdToken(f, tokenRunF), "--org", "acme"); err != nil {
		t.Fatal(err)
	}
	if tok.Role != "owner" || tok.Subject != "emulator-user" || tok.TTL != time.Hour {
		t.Errorf("token defaults: %+v", tok)
	}
	if err := parse(t, NewCmdToken(f, tokenRunF), "--org", "acme", "--role", "viewer", "--sub", "alice", "--ttl", "10m"); err != nil {
		t.Fatal(err)
	}
	if tok.Role != "viewer" || tok.Subject != "alice" || tok.TTL != 10*time.Minute {
		t.Errorf("token: %+v", tok)
	}

	bad := []struct {
		cmd      *cobra.Command
		args     []string
		fragment string
	}{
		{NewCmdSeed(f, seedRunF), []string{"--project", "web"}, "--org is required"},
		{NewCmdSeed(f, seedRunF), []string{"--org", "acme"}, "--project is required"},
		{NewCmdSeed(f, seedRunF), []string{"--org", "acme", "--project", "web", "--keys", "-1"}, "--keys"},
		{NewCmdSeed(f, seedRunF), []string{"--org", "acme", "--project", "web", "--keys", "2000000"}, "--keys"},
		{NewCmdSeed(f, seedRunF), []string{"--org", "acme", "--project", "web", "--db", ":memory:"}, ":memory:"},
		{NewCmdToken(f, tokenRunF), []string{}, "--org is required"},
		{NewCmdToken(f, tokenRunF), []string{"--org", "acme", "--role", "root"}, "--role"},
		{NewCmdToken(f, tokenRunF), []string{"--org", "acme", "--ttl", "0s"}, "--ttl"},
		{NewCmdToken(f, tokenRunF), []string{"--org", "acme", "--ttl", "9000h"}, "--ttl"},
		{NewCmdToken(f, tokenRunF), []string{"--org", "acme", "--sub", " "}, "--sub"},
		{NewCmdToken(f, tokenRunF), []string{"--org", "acme", "--db", ":memory:"}, ":memory:"},
		{NewCmdAudit(f, auditRunF), []string{"--db", ":memory:"}, ":memory:"},
		{NewCmdAudit(f, auditRunF), []string{"--key", "7zvFJw9L0qEoYdKx2mBt1sLpZj3nX7gW"}, "looks like a secret"},
	}
	for _, b := range bad {
		t.Run(b.cmd.Name()+" "+strings.Join(b.args, " "), func(t *testing.T) {
			wantUsageError(t, parse(t, b.cmd, b.args...), b.fragment)
		})
	}
}

// The emulator command group carries its four verbs.
func TestCommandTree(t *testing.T) {
	f, _, _ := testFactory(t, nil)
	cmd := NewCmdEmulator(f)
	var names []string
	for _, c := range cmd.Commands() {
		names = append(names, c.Name())
	}
	if strings.Join(names, " ") != "audit seed start token" {
		t.Errorf("subcommands: %v", names)
	}
}

func TestTokenRun(t *testing.T) {
	dir := t.TempDir()
	f, out, errOut := testFactory(t, map[string]string{"MB_CONFIG_DIR": dir})
	opts := parsed(t, NewCmdToken, f, "--org", "acme", "--role", "developer", "--sub", "alice")
	if err := tokenRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	tok := out.String()
	if strings.Count(tok, "\n") != 1 || !strings.HasSuffix(tok, "\n") || strings.Count(tok, ".") != 2 {
		t.Fatalf("stdout is not one JWT line: %q", tok)
	}
	tok = strings.TrimSpace(tok)
	// The org is not seeded yet: a warning on stderr, never the token.
	if !strings.Contains(errOut.String(), `organization "acme" does not exist`) || strings.Contains(errOut.String(), tok) {
		t.Errorf("stderr: %q", errOut.String())
	}
	// The token works against an emulator on the same (default) database.
	e, err := emulator.Open(context.Background(), emulator.Config{DBPath: filepath.Join(dir, "emulator.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Seed(context.Background(), "acme", "web"); err != nil {
		t.Fatal(err)
	}
	if rec := adminGet(e, "/app/v1/organizations/acme/projects/web/api-keys", tok); rec.code != 200 {
		t.Fatalf("minted token refused: %d %s", rec.code, rec.body.String())
	}
	if st, err := os.Stat(emulator.SecretPath(filepath.Join(dir, "emulator.db"))); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("secret file: %v %v", st, err)
	}
}

// adminGet sends GET path to e's handler with tok as the admin token.
func adminGet(e *emulator.Emulator, path, tok string) *recorder {
	req, _ := http.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := &recorder{header: http.Header{}}
	e.Handler().ServeHTTP(rec, req)
	return rec
}

type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

func TestSeedAndAuditRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sub", "emu.db")
	f, out, errOut := testFactory(t, nil)
	seed := parsed(t, NewCmdSeed, f, "--db", db, "--org", "acme", "--project", "web", "--keys", "25")
	if err := seedRun(context.Background(), seed); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("seed wrote to stdout: %q", out.String())
	}
	if !strings.Contains(errOut.String(), `seeded organization "acme" (created), project "web" (created)`) ||
		!strings.Contains(errOut.String(), "inserted 25 bulk API keys") {
		t.Errorf("seed stderr: %q", errOut.String())
	}
	errOut.Reset()
	if err := seedRun(context.Background(), seed); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), `(existing)`) {
		t.Errorf("second seed stderr: %q", errOut.String())
	}

	audit := &AuditOptions{Deps: newDeps(f), DBPath: db}
	audit.Printer = printerFor(output.JSON)
	out.Reset()
	if err := auditRun(context.Background(), audit); err != nil {
		t.Fatal(err)
	}
	var events []emulator.AuditEvent
	if err := json.Unmarshal(out.Bytes(), &events); err != nil {
		t.Fatalf("audit -o json: %v\n%s", err, out.String())
	}
	if len(events) != 50 || events[0].Action != "create" || events[0].Actor != "emulator-seed" {
		t.Fatalf("%d events, first %+v", len(events), events[0])
	}
	audit.Printer = printerFor(output.Table)
	out.Reset()
	if err := auditRun(context.Background(), audit); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 51 || !strings.HasPrefix(lines[0], "TIME") || !strings.Contains(lines[1], "bulk-key-") {
		t.Errorf("audit table: %d lines, %q / %q", len(lines), lines[0], lines[1])
	}
	// CSV goes through the same printer: JSON field names as the header.
	audit.Printer = printerFor(output.CSV)
	out.Reset()
	if err := auditRun(context.Background(), audit); err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 51 || lines[0] != "time,action,keyId,keyName,actor,org,project,requestId,remoteAddr,detail" || !strings.Contains(lines[1], ",create,") {
		t.Errorf("audit -o csv: %d lines, %q / %q", len(lines), lines[0], lines[1])
	}

	// An empty trail: [] in JSON, a note on stderr for the table.
	emptyDB := filepath.Join(t.TempDir(), "e.db")
	if e, err := emulator.Open(context.Background(), emulator.Config{DBPath: emptyDB}); err != nil {
		t.Fatal(err)
	} else {
		e.Close()
	}
	empty := &AuditOptions{Deps: newDeps(f), DBPath: emptyDB}
	empty.Printer = printerFor(output.JSON)
	out.Reset()
	if err := auditRun(context.Background(), empty); err != nil || strings.TrimSpace(out.String()) != "[]" {
		t.Errorf("empty audit JSON: %q %v", out.String(), err)
	}
}

func TestOpenFailures(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, _ := testFactory(t, nil)
	err := seedRun(context.Background(), &SeedOptions{Deps: newDeps(f), DBPath: filepath.Join(file, "emu.db"), Org: "o", Project: "p"})
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitError || !strings.Contains(err.Error(), "emulator database") {
		t.Fatalf("database under a file: %v", err)
	}
	// Not a database at all.
	if err := os.WriteFile(filepath.Join(dir, "junk.db"), bytes.Repeat([]byte("junk"), 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	err = tokenRun(context.Background(), &TokenOptions{Deps: newDeps(f), DBPath: filepath.Join(dir, "junk.db"), Org: "o", Role: "owner", Subject: "s", TTL: time.Hour})
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitError {
		t.Fatalf("junk database: %v", err)
	}
	if !strings.Contains(err.Error(), "not an emulator database") {
		t.Errorf("junk database message: %v", err)
	}
	// audit reads; a missing database is 5, and nothing is made.
	missing := filepath.Join(dir, "typo.db")
	missingOpts := &AuditOptions{Deps: newDeps(f), DBPath: missing}
	missingOpts.Printer = printerFor(output.Table)
	err = auditRun(context.Background(), missingOpts)
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitNotFound {
		t.Fatalf("audit of a missing database: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("audit made %s", missing)
	}
	// No HOME and no override: a clear error instead of a path in "/".
	noHome := &AuditOptions{Deps: Deps{Deps: cmdutil.Deps{IO: f.IOStreams, Printer: printerFor(output.Table)}, Getenv: func(string) string { return "" }}}
	err = auditRun(context.Background(), noHome)
	if err == nil || !strings.Contains(err.Error(), "--db") {
		t.Fatalf("no data directory: %v", err)
	}
}

func TestStartRun(t *testing.T) {
	dir := t.TempDir()
	f, out, errOut := testFactory(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := parsed(t, NewCmdStart, f, "--addr", "127.0.0.1:0", "--db", ":memory:", "--seed", "--org", "acme", "--project", "web",
		"--ready-file", filepath.Join(dir, "url"), "--token-file", filepath.Join(dir, "token"))
	done := make(chan error, 1)
	go func() { done <- startRun(ctx, opts) }()

	var url string
	for url == "" {
		select {
		case err := <-done:
			t.Fatalf("start returned early: %v\n%s", err, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
		if b, err := os.ReadFile(opts.ReadyFile); err == nil {
			url = strings.TrimSpace(string(b))
		}
	}
	tok, err := os.ReadFile(opts.TokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(opts.TokenFile); st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %04o", st.Mode().Perm())
	}
	req, _ := http.NewRequest("POST", url+"/app/v1/organizations/acme/projects/web/api-keys", strings.NewReader(`{"name":"from start"}`))
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ Key string }
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != 201 || created.Key == "" {
		t.Fatalf("create through the started server: %d", resp.StatusCode)
	}

	// A signal (the cancelled context) is the normal end: a graceful
	// shutdown returns nil, so the process exits 0.
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("after cancel: %v", err)
	}
	if _, err := os.Stat(opts.ReadyFile); !os.IsNotExist(err) {
		t.Errorf("ready file left behind: %v", err)
	}
	logs := errOut.String()
	for _, want := range []string{"metabind emulator listening on " + url, "seeded organization", "status=201", "metabind emulator stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs)
		}
	}
	for _, secret := range []string{created.Key, strings.TrimSpace(string(tok))} {
		if strings.Contains(logs, secret) || strings.Contains(out.String(), secret) {
			t.Errorf("a secret was printed")
		}
	}
	if out.Len() != 0 {
		t.Errorf("start wrote to stdout: %q", out.String())
	}
}

func TestStartPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, _, _ := testFactory(t, nil)
	db := filepath.Join(t.TempDir(), "missing", "emulator.db")
	err = startRun(context.Background(), parsed(t, NewCmdStart, f, "--addr", ln.Addr().String(), "--db", db, "--seed"))
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitError || !strings.Contains(err.Error(), "cannot listen on "+ln.Addr().String()) ||
		!strings.Contains(ce.Hint, "--addr") {
		t.Fatalf("port in use: %v", err)
	}
	// The address is bound first: nothing was made.
	if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
		t.Fatalf("the database directory was made: %v", err)
	}
}

func printerFor(format output.Format) func() (*output.Printer, error) {
	return func() (*output.Printer, error) { return output.NewPrinter(format, "", "", nil, false) }
}

// parsed returns the options that newCmd's flag parsing and validation make
// of args, as its run function would receive them.
func parsed[T any](t *testing.T, newCmd func(*cmdutil.Factory, func(context.Context, *T) error) *cobra.Command, f *cmdutil.Factory, args ...string) *T {
	t.Helper()
	var got *T
	if err := parse(t, newCmd(f, func(_ context.Context, o *T) error { got = o; return nil }), args...); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if got == nil {
		t.Fatalf("%v: the run function was not called", args)
	}
	return got
}

type ctxKey struct{}

// Each verb's run function gets the command's own context (cancelled on
// SIGINT/SIGTERM in the binary), not one of its own.
func TestRunFGetsTheCommandContext(t *testing.T) {
	f, _, _ := testFactory(t, nil)
	ctx := context.WithValue(context.Background(), ctxKey{}, "the command's")
	var seen []string
	record := func(name string, got context.Context) error {
		if v, _ := got.Value(ctxKey{}).(string); v != "the command's" {
			t.Errorf("%s: runF got another context", name)
		}
		seen = append(seen, name)
		return nil
	}
	cmds := []struct {
		cmd  *cobra.Command
		args []string
	}{
		{NewCmdStart(f, func(c context.Context, _ *StartOptions) error { return record("start", c) }), nil},
		{NewCmdSeed(f, func(c context.Context, _ *SeedOptions) error { return record("seed", c) }), []string{"--org", "a", "--project", "p"}},
		{NewCmdToken(f, func(c context.Context, _ *TokenOptions) error { return record("token", c) }), []string{"--org", "a"}},
		{NewCmdAudit(f, func(c context.Context, _ *AuditOptions) error { return record("audit", c) }), nil},
	}
	for _, c := range cmds {
		c.cmd.SetArgs(c.args)
		c.cmd.SetOut(io.Discard)
		c.cmd.SetErr(io.Discard)
		if err := c.cmd.ExecuteContext(ctx); err != nil {
			t.Fatalf("%s: %v", c.cmd.Name(), err)
		}
	}
	if strings.Join(seen, " ") != "start seed token audit" {
		t.Errorf("run functions called: %v", seen)
	}
}

func TestAuditFlags(t *testing.T) {
	f, _, _ := testFactory(t, nil)
	good := []struct {
		args []string
		want AuditOptions
	}{
		{nil, AuditOptions{}},
		{[]string{"--db", "x.db", "--key", "iOS Production App", "--action", "revoke", "--since", "24h", "--limit", "10"},
			AuditOptions{DBPath: "x.db", Key: "iOS Production App", Action: "revoke", Since: "24h", Limit: 10}},
		{[]string{"--since", "2026-01-02"}, AuditOptions{Since: "2026-01-02"}},
		{[]string{"--org", "acme", "--project", "web"}, AuditOptions{Org: "acme", Project: "web"}},
		{[]string{"--project", "web"}, AuditOptions{Project: "web"}},
		{[]string{"--since", "2026-01-02T15:04:05Z", "--limit", "0"}, AuditOptions{Since: "2026-01-02T15:04:05Z"}},
		{[]string{"--key", "3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f", "-o", "json", "--jq", ".[].action"},
			AuditOptions{Key: "3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f"}},
	}
	for _, g := range good {
		t.Run(strings.Join(g.args, " "), func(t *testing.T) {
			got := parsed(t, NewCmdAudit, f, g.args...)
			if got.DBPath != g.want.DBPath || got.Key != g.want.Key || got.Action != g.want.Action || got.Since != g.want.Since || got.Limit != g.want.Limit ||
				got.Org != g.want.Org || got.Project != g.want.Project {
				t.Errorf("got %+v, want %+v", *got, g.want)
			}
			if got.IO != f.IOStreams || got.Getenv == nil || got.Printer == nil {
				t.Error("the factory's dependencies are not in the options")
			}
		})
	}

	const secret = "7zvFJw9L0qEoYdKx2mBt1sLpZj3nX7gW"
	bad := []struct {
		args     []string
		fragment string
	}{
		{[]string{"--action", "bogus"}, `invalid --action "bogus"`},
		{[]string{"--action", "Create"}, "--action"},
		{[]string{"--limit", "-1"}, "--limit"},
		{[]string{"--org", "no such org"}, `invalid --org "no such org"`},
		{[]string{"--project", "web/x"}, `invalid --project "web/x"`},
		{[]string{"--since", "yesterday"}, "invalid --since"},
		{[]string{"--since", "-24h"}, "invalid --since"},
		{[]string{"--db", ":memory:"}, ":memory:"},
		{[]string{"--key", secret}, "looks like a secret"},
		{[]string{"--key", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLWJ5dGVz"}, "looks like a secret"},
	}
	for _, b := range bad {
		t.Run(strings.Join(b.args, " "), func(t *testing.T) {
			called := false
			err := parse(t, NewCmdAudit(f, func(context.Context, *AuditOptions) error { called = true; return nil }), b.args...)
			wantUsageError(t, err, b.fragment)
			if called {
				t.Error("run was called")
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "eyJ") {
				t.Errorf("the error echoes a secret: %v", err)
			}
		})
	}
	if err := parse(t, NewCmdAudit(f, func(context.Context, *AuditOptions) error { return nil }), "extra"); err == nil {
		t.Error("a positional argument was accepted")
	}
}

// listKeys lists the keys of acme/web in the database at db through the
// emulator's own API, with a token it mints.
func listKeys(t *testing.T, db string) []string {
	t.Helper()
	e, err := emulator.Open(context.Background(), emulator.Config{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tok, err := e.MintToken(emulator.TokenRequest{Org: "acme", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	rec := adminGet(e, "/app/v1/organizations/acme/projects/web/api-keys?limit=100", tok)
	if rec.code != 200 {
		t.Fatalf("list keys: %d %s", rec.code, rec.body.String())
	}
	var page struct {
		Data []struct{ Name string }
	}
	if err := json.Unmarshal(rec.body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range page.Data {
		names = append(names, k.Name)
	}
	return names
}

// seed --keys N leaves N keys in the database, served by the emulator; a
// second run adds N more to the existing project.
func TestSeedRunStoresKeys(t *testing.T) {
	f, db, out, errOut := seeded(t, 7)
	names := listKeys(t, db)
	if len(names) != 7 {
		t.Fatalf("%d keys after seeding 7: %v", len(names), names)
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "bulk-key-") {
			t.Errorf("unexpected key %q", n)
		}
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), `inserted 7 bulk API keys into project "web"`) {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
	// Without --keys: the org and project are reused and no key is added.
	errOut.Reset()
	if err := seedRun(context.Background(), parsed(t, NewCmdSeed, f, "--db", db, "--org", "acme", "--project", "web")); err != nil {
		t.Fatal(err)
	}
	if n := len(listKeys(t, db)); n != 7 {
		t.Errorf("%d keys after a seed without --keys", n)
	}
	if strings.Contains(errOut.String(), "inserted") || !strings.Contains(errOut.String(), `organization "acme" (existing), project "web" (existing)`) {
		t.Errorf("second seed stderr: %q", errOut.String())
	}
}

// The filters reach the database query; a key the trail does not know is
// exit 5 with nothing on stdout.
func TestAuditRunFilters(t *testing.T) {
	f, db, out, errOut := seeded(t, 3)
	events, err := auditJSON(t, f, out, db, "--key", "bulk-key-00002")
	if err != nil || len(events) != 1 || events[0].KeyName != "bulk-key-00002" || events[0].Action != "create" {
		t.Fatalf("--key by name: %v %+v", err, events)
	}
	id := events[0].KeyID
	if events, err = auditJSON(t, f, out, db, "--key", id); err != nil || len(events) != 1 || events[0].KeyName != "bulk-key-00002" {
		t.Fatalf("--key by id: %v %+v", err, events)
	}
	if events, err = auditJSON(t, f, out, db, "--limit", "2"); err != nil || len(events) != 2 ||
		events[0].KeyName != "bulk-key-00002" || events[1].KeyName != "bulk-key-00003" {
		t.Fatalf("--limit 2: %v %+v", err, events)
	}
	// Nothing revoked: an empty table is a note on stderr, not a header.
	out.Reset()
	errOut.Reset()
	opts := parsed(t, NewCmdAudit, f, "--db", db, "--action", "revoke")
	opts.Printer = printerFor(output.Table)
	if err = auditRun(context.Background(), opts); err != nil || out.Len() != 0 || errOut.String() != "no audit events yet\n" {
		t.Fatalf("--action revoke: %v, stdout %q, stderr %q", err, out.String(), errOut.String())
	}
	_, err = auditJSON(t, f, out, db, "--key", "nobody")
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitNotFound || !strings.Contains(err.Error(), `no key "nobody"`) || out.Len() != 0 {
		t.Fatalf("unknown key: %v, stdout %q", err, out.String())
	}
}

// seeded returns a factory over test streams and a database seeded with
// acme/web and n bulk keys.
func seeded(t *testing.T, n int) (f *cmdutil.Factory, db string, out, errOut *bytes.Buffer) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "emu.db")
	f, out, errOut = testFactory(t, nil)
	if err := seedRun(context.Background(), parsed(t, NewCmdSeed, f, "--db", db, "--org", "acme", "--project", "web", "--keys", strconv.Itoa(n))); err != nil {
		t.Fatal(err)
	}
	return f, db, out, errOut
}

// auditJSON runs audit on db with args and -o json, and decodes its stdout.
func auditJSON(t *testing.T, f *cmdutil.Factory, out *bytes.Buffer, db string, args ...string) ([]emulator.AuditEvent, error) {
	t.Helper()
	out.Reset()
	opts := parsed(t, NewCmdAudit, f, append([]string{"--db", db}, args...)...)
	opts.Printer = printerFor(output.JSON)
	if err := auditRun(context.Background(), opts); err != nil {
		return nil, err
	}
	var events []emulator.AuditEvent
	if err := json.Unmarshal(out.Bytes(), &events); err != nil {
		t.Fatalf("audit %v: %v\n%s", args, err, out.String())
	}
	return events, nil
}

// Every verb stops on a context that has ended (SIGINT before it got going):
// the context's error, nothing made, nothing printed.
func TestRunsStopOnACancelledContext(t *testing.T) {
	dir := t.TempDir()
	f, out, _ := testFactory(t, map[string]string{"MB_CONFIG_DIR": filepath.Join(dir, "cfg")})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	db := filepath.Join(dir, "new", "emu.db")
	runs := map[string]func() error{
		"seed": func() error {
			return seedRun(ctx, parsed(t, NewCmdSeed, f, "--db", db, "--org", "acme", "--project", "web", "--keys", "3"))
		},
		"token": func() error { return tokenRun(ctx, parsed(t, NewCmdToken, f, "--org", "acme")) },
		"start": func() error {
			return startRun(ctx, parsed(t, NewCmdStart, f, "--addr", "127.0.0.1:0", "--db", db, "--seed", "--ready-file", filepath.Join(dir, "url")))
		},
	}
	for name, run := range runs {
		if err := run(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", name, err)
		}
	}
	for _, p := range []string{filepath.Dir(db), filepath.Join(dir, "cfg"), filepath.Join(dir, "url")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s was made: %v", p, err)
		}
	}
	// audit reads an existing database and stops before its query.
	existing := filepath.Join(dir, "e.db")
	if e, err := emulator.Open(context.Background(), emulator.Config{DBPath: existing}); err != nil {
		t.Fatal(err)
	} else {
		e.Close()
	}
	opts := parsed(t, NewCmdAudit, f, "--db", existing)
	opts.Printer = printerFor(output.JSON)
	if err := auditRun(ctx, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("audit: %v, want context.Canceled", err)
	}
	if out.Len() != 0 {
		t.Errorf("stdout: %q", out.String())
	}
}

// --key takes a unique prefix of a key's id (4+ hex digits, any case), as the
// keys commands do; a prefix that is also another key's name is exit 2.
func TestAuditKeyPrefix(t *testing.T) {
	f, db, out, _ := seeded(t, 3)
	audit := func(key string) ([]emulator.AuditEvent, error) { return auditJSON(t, f, out, db, "--key", key) }
	all, err := audit("")
	if err != nil || len(all) != 3 {
		t.Fatalf("%v %+v", err, all)
	}
	// The shortest prefix of the second key's id, from 4 hex digits, that
	// no other key's id starts with.
	id := all[1].KeyID
	prefix := id[:4]
	for n := 5; len(idsWithPrefix(all, prefix)) > 1; n++ {
		prefix = id[:n]
	}
	for _, p := range []string{prefix, strings.ToUpper(prefix), id} {
		events, err := audit(p)
		if err != nil || len(events) != 1 || events[0].KeyID != id || events[0].KeyName != "bulk-key-00002" {
			t.Errorf("--key %s: %v %+v", p, err, events)
		}
	}
	// Three hex digits are no prefix: a name, and no key has it.
	var ce *cmdutil.Error
	if _, err := audit(id[:3]); !errors.As(err, &ce) || ce.Code != cmdutil.ExitNotFound {
		t.Errorf("--key %s: %v, want exit 5", id[:3], err)
	}

	// A key named like the start of another key's id.
	e, err := emulator.Open(context.Background(), emulator.Config{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.MintToken(emulator.TokenRequest{Org: "acme", TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "/app/v1/organizations/acme/projects/web/api-keys", strings.NewReader(`{"name":"`+prefix+`"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	rec := &recorder{header: http.Header{}}
	e.Handler().ServeHTTP(rec, req)
	e.Close()
	if rec.code != 201 {
		t.Fatalf("create: %d %s", rec.code, rec.body.String())
	}
	if _, err := audit(prefix); !cmdutil.IsUsage(err) || !strings.Contains(err.Error(), "both a key's name and the start of another key's id") {
		t.Errorf("--key %s, a name and a prefix: %v", prefix, err)
	}
	if out.Len() != 0 {
		t.Errorf("stdout: %q", out.String())
	}
}

func TestIDsWithPrefix(t *testing.T) {
	events := []emulator.AuditEvent{
		{KeyID: "abcd0001-0000-4000-8000-000000000000"},
		{KeyID: "abcd0002-0000-4000-8000-000000000000"},
		{KeyID: "abcd0001-0000-4000-8000-000000000000"},
		{KeyID: "ef010000-0000-4000-8000-000000000000"},
	}
	for prefix, want := range map[string]string{
		"abcd":     "abcd0001-0000-4000-8000-000000000000 abcd0002-0000-4000-8000-000000000000",
		"ABCD0002": "abcd0002-0000-4000-8000-000000000000",
		"ef01":     "ef010000-0000-4000-8000-000000000000",
		"0000":     "",
	} {
		if got := strings.Join(idsWithPrefix(events, prefix), " "); got != want {
			t.Errorf("%s: %q, want %q", prefix, got, want)
		}
	}
}

// A prefix of several keys' ids is exit 2, naming some of them. Among 2,000
// random ids, two share their first 4 hex digits (all but certainly: the
// chance that none do is below 1e-13).
func TestAuditKeyPrefixOfSeveral(t *testing.T) {
	f, db, out, _ := seeded(t, 2000)
	all, err := auditJSON(t, f, out, db)
	if err != nil {
		t.Fatal(err)
	}
	byPrefix := map[string]int{}
	shared := ""
	for _, ev := range all {
		if byPrefix[ev.KeyID[:4]]++; byPrefix[ev.KeyID[:4]] == 2 {
			shared = ev.KeyID[:4]
		}
	}
	if shared == "" {
		t.Fatal("no two of 2,000 ids share 4 hex digits")
	}
	_, err = auditJSON(t, f, out, db, "--key", shared)
	if !cmdutil.IsUsage(err) || !strings.Contains(err.Error(), fmt.Sprintf("--key %q is the start of %d keys' ids (%s", shared, byPrefix[shared], shared)) {
		t.Errorf("--key %s: %v", shared, err)
	}
	if out.Len() != 0 {
		t.Errorf("stdout: %q", out.String())
	}
}

// cancelOnWrite ends a context when something is written to it: a stand-in
// for SIGINT arriving at a known point of a run.
type cancelOnWrite struct{ cancel context.CancelFunc }

func (c cancelOnWrite) Write(p []byte) (int, error) { c.cancel(); return len(p), nil }

// A seed or token interrupted on an open database returns the context's
// error itself, which the app reports as "interrupted" with exit 130, not
// the raw "seed keys: context canceled".
func TestInterruptedRunsReportTheInterruption(t *testing.T) {
	db := filepath.Join(t.TempDir(), "emu.db")
	e, err := emulator.Open(context.Background(), emulator.Config{DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	wantInterrupted := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: %v, want context.Canceled", name, err)
		}
		if msg := cmdutil.FormatError(err, time.Now(), nil); msg != "error: interrupted" {
			t.Errorf("%s: the app prints %q", name, msg)
		}
		if code := cmdutil.ExitCode(err); code != cmdutil.ExitInterrupted {
			t.Errorf("%s: exit %d", name, code)
		}
	}
	f, out, _ := testFactory(t, nil)
	seedOpts := parsed(t, NewCmdSeed, f, "--db", db, "--org", "acme", "--project", "web", "--keys", "5")

	// Interrupted before the organization and project are written.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	wantInterrupted("seed", seedInto(ctx, e, seedOpts))

	// Interrupted after them (the note on stderr), before the keys.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	seedOpts.IO.ErrOut = cancelOnWrite{cancel}
	wantInterrupted("seed --keys", seedInto(ctx, e, seedOpts))
	if n, err := e.SeedKeys(context.Background(), "acme", "web", 0); err != nil || n != 0 {
		t.Fatalf("the project was not seeded: %v", err)
	}
	if names := listKeys(t, db); len(names) != 0 {
		t.Errorf("keys inserted after the interruption: %v", names)
	}

	// token prints no token once interrupted.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	wantInterrupted("token", mintInto(ctx, e, parsed(t, NewCmdToken, f, "--db", db, "--org", "acme")))
	if out.Len() != 0 {
		t.Errorf("stdout: %q", out.String())
	}
}

// dirState maps each file in dir to its contents.
func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, en := range entries {
		b, err := os.ReadFile(filepath.Join(dir, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		state[en.Name()] = string(b)
	}
	return state
}

// audit only reads: run on a database whose secret was removed, it leaves
// the directory exactly as it was (no secret made again, no -wal or -shm
// left, the database's bytes unchanged).
func TestAuditLeavesTheDirectoryAsItWas(t *testing.T) {
	f, db, out, _ := seeded(t, 2)
	if err := os.Remove(emulator.SecretPath(db)); err != nil {
		t.Fatal(err)
	}
	before := dirState(t, filepath.Dir(db))
	if len(before) != 1 {
		t.Fatalf("after seeding: %v", slices.Sorted(maps.Keys(before)))
	}
	events, err := auditJSON(t, f, out, db)
	if err != nil || len(events) != 2 {
		t.Fatalf("audit: %v %+v", err, events)
	}
	after := dirState(t, filepath.Dir(db))
	if len(after) != len(before) || after["emu.db"] != before["emu.db"] {
		t.Errorf("audit changed the directory: %v, was %v", slices.Sorted(maps.Keys(after)), slices.Sorted(maps.Keys(before)))
	}
	// token, which signs, still makes the secret it needs.
	out.Reset()
	if err := tokenRun(context.Background(), parsed(t, NewCmdToken, f, "--db", db, "--org", "acme")); err != nil || strings.Count(out.String(), ".") != 2 {
		t.Fatalf("token: %v %q", err, out.String())
	}
	if _, err := os.Stat(emulator.SecretPath(db)); err != nil {
		t.Errorf("token made no secret: %v", err)
	}
}

// --org and --project filter the trail on its org and project columns; an
// organization or project with no events is an empty list, not an error.
func TestAuditRunOrgProjectFilters(t *testing.T) {
	f, db, out, errOut := seeded(t, 2)
	for _, scope := range [][2]string{{"acme", "app"}, {"beta", "web"}} {
		if err := seedRun(context.Background(), parsed(t, NewCmdSeed, f, "--db", db, "--org", scope[0], "--project", scope[1], "--keys", "1")); err != nil {
			t.Fatal(err)
		}
	}
	scopes := func(events []emulator.AuditEvent) string {
		var s []string
		for _, ev := range events {
			s = append(s, ev.Org+"/"+ev.Project)
		}
		slices.Sort(s) // bulk keys' events are spread over the past year
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "acme/app acme/web acme/web beta/web"},
		{[]string{"--org", "acme"}, "acme/app acme/web acme/web"},
		{[]string{"--project", "web"}, "acme/web acme/web beta/web"},
		{[]string{"--org", "acme", "--project", "web", "--limit", "1"}, "acme/web"},
		{[]string{"--org", "beta", "--project", "web"}, "beta/web"},
		{[]string{"--org", "beta", "--project", "app"}, ""},
		{[]string{"--org", "nosuchorg"}, ""},
		{[]string{"--org", "beta", "--key", "bulk-key-00001"}, "beta/web"},
	} {
		events, err := auditJSON(t, f, out, db, c.args...)
		if err != nil || scopes(events) != c.want {
			t.Errorf("%v: %v, got %q, want %q", c.args, err, scopes(events), c.want)
		}
		if c.want == "" && strings.TrimSpace(out.String()) != "[]" {
			t.Errorf("%v: stdout %q, want []", c.args, out.String())
		}
	}
	// As a table, no match is the note on stderr, and nothing on stdout.
	out.Reset()
	errOut.Reset()
	opts := parsed(t, NewCmdAudit, f, "--db", db, "--org", "nosuchorg")
	opts.Printer = printerFor(output.Table)
	if err := auditRun(context.Background(), opts); err != nil || out.Len() != 0 || errOut.String() != "no audit events yet\n" {
		t.Errorf("table: %v, stdout %q, stderr %q", err, out.String(), errOut.String())
	}
}
