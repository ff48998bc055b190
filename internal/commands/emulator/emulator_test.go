package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
	run := func(o *StartOptions) error { got = o; return nil }

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
	seedRunF := func(o *SeedOptions) error { seed = o; return nil }
	tokenRunF := func(o *TokenOptions) error { tok = o; return nil }
	auditRunF := func(*AuditOptions) error { return nil }

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
	opts := &TokenOptions{IO: f.IOStreams, Getenv: f.Getenv, Org: "acme", Role: "developer", Subject: "alice", TTL: time.Hour}
	if err := tokenRun(opts); err != nil {
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
	req, _ := http.NewRequest("GET", "/app/v1/organizations/acme/projects/web/api-keys", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := &recorder{header: http.Header{}}
	e.Handler().ServeHTTP(rec, req)
	if rec.code != 200 {
		t.Fatalf("minted token refused: %d %s", rec.code, rec.body.String())
	}
	if st, err := os.Stat(emulator.SecretPath(filepath.Join(dir, "emulator.db"))); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("secret file: %v %v", st, err)
	}
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
	seed := &SeedOptions{IO: f.IOStreams, Getenv: f.Getenv, DBPath: db, Org: "acme", Project: "web", Keys: 25}
	if err := seedRun(seed); err != nil {
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
	if err := seedRun(seed); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), `(existing)`) {
		t.Errorf("second seed stderr: %q", errOut.String())
	}

	audit := &AuditOptions{IO: f.IOStreams, Getenv: f.Getenv, DBPath: db, Printer: printerFor(output.JSON)}
	out.Reset()
	if err := auditRun(audit); err != nil {
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
	if err := auditRun(audit); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 51 || !strings.HasPrefix(lines[0], "TIME") || !strings.Contains(lines[1], "bulk-key-") {
		t.Errorf("audit table: %d lines, %q / %q", len(lines), lines[0], lines[1])
	}
	// CSV goes through the same printer: JSON field names as the header.
	audit.Printer = printerFor(output.CSV)
	out.Reset()
	if err := auditRun(audit); err != nil {
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
	empty := &AuditOptions{IO: f.IOStreams, Getenv: f.Getenv, DBPath: emptyDB, Printer: printerFor(output.JSON)}
	out.Reset()
	if err := auditRun(empty); err != nil || strings.TrimSpace(out.String()) != "[]" {
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
	err := seedRun(&SeedOptions{IO: f.IOStreams, Getenv: f.Getenv, DBPath: filepath.Join(file, "emu.db"), Org: "o", Project: "p"})
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitError || !strings.Contains(err.Error(), "emulator database") {
		t.Fatalf("database under a file: %v", err)
	}
	// Not a database at all.
	if err := os.WriteFile(filepath.Join(dir, "junk.db"), bytes.Repeat([]byte("junk"), 1024), 0o600); err != nil {
		t.Fatal(err)
	}
	err = tokenRun(&TokenOptions{IO: f.IOStreams, Getenv: f.Getenv, DBPath: filepath.Join(dir, "junk.db"), Org: "o", Role: "owner", Subject: "s", TTL: time.Hour})
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitError {
		t.Fatalf("junk database: %v", err)
	}
	if !strings.Contains(err.Error(), "not an emulator database") {
		t.Errorf("junk database message: %v", err)
	}
	// audit reads; a missing database is 5, and nothing is made.
	missing := filepath.Join(dir, "typo.db")
	err = auditRun(&AuditOptions{IO: f.IOStreams, Getenv: f.Getenv, DBPath: missing, Printer: printerFor(output.Table)})
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitNotFound {
		t.Fatalf("audit of a missing database: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("audit made %s", missing)
	}
	// No HOME and no override: a clear error instead of a path in "/".
	err = auditRun(&AuditOptions{IO: f.IOStreams, Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "--db") {
		t.Fatalf("no data directory: %v", err)
	}
}

func TestStartRun(t *testing.T) {
	dir := t.TempDir()
	f, out, errOut := testFactory(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := &StartOptions{
		IO: f.IOStreams, Getenv: f.Getenv, Context: ctx,
		Addr: "127.0.0.1:0", DBPath: ":memory:", Seed: true, Org: "acme", Project: "web",
		RateLimit: 600, FailedAuthLimit: 100, LastUsedResolution: time.Minute,
		ReadyFile: filepath.Join(dir, "url"), TokenFile: filepath.Join(dir, "token"), TokenTTL: time.Hour,
	}
	done := make(chan error, 1)
	go func() { done <- startRun(opts) }()

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
	err = startRun(&StartOptions{IO: f.IOStreams, Getenv: f.Getenv, Addr: ln.Addr().String(), DBPath: db, Seed: true, Org: "acme", Project: "web",
		RateLimit: 600, FailedAuthLimit: 100, TokenTTL: time.Hour})
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
