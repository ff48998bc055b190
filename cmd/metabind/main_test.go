package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/testsupport"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// The scripts in testdata/script run the real metabind binary (this test binary,
// re-executed) against a real emulator with a file database, served in-process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"metabind": func() { os.Exit(app.Main()) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               setupEmulator,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":      cmdExits,
			"within":     cmdWithin,
			"setenvfile": cmdSetenvFile,
			"jsonget":    cmdJSONGet,
			"nosecret":   cmdNoSecret,
			"mint":       cmdMint,
			"perm":       cmdPerm,
			"writeenv":   cmdWriteEnv,
			"fault":      cmdFault,
			"capproxy":   cmdCaptureProxy,
		},
	})
}

type emulatorKey struct{}

// setupEmulator gives every script an isolated config directory, a file-backed
// credential store and its own seeded emulator (orgs acme and globex, projects
// acme/web, acme/mobile and globex/site).
func setupEmulator(env *testscript.Env) error {
	work := env.WorkDir
	db := filepath.Join(work, "emulator", "emulator.db")
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return err
	}
	cfg := emulator.DefaultConfig()
	cfg.DBPath = db
	cfg.RateLimit = 0
	e, srvURL, stop, err := clitest.Serve(cfg, nil,
		clitest.Seed{Org: "acme", Project: "web"}, clitest.Seed{Org: "acme", Project: "mobile"}, clitest.Seed{Org: "globex", Project: "site"})
	if err != nil {
		return err
	}
	env.Defer(stop)
	env.Values[emulatorKey{}] = e
	target, _ := url.Parse(srvURL)
	fp := &faultProxy{target: target}
	fp.srv = httptest.NewServer(fp)
	env.Defer(fp.srv.Close)
	env.Values[faultKey{}] = fp
	env.Setenv("MB_API_URL", srvURL)
	env.Setenv("EMULATOR_URL", srvURL)
	env.Setenv("EMULATOR_DB", db)
	env.Setenv("MB_CONFIG_DIR", filepath.Join(work, "config"))
	env.Setenv("MB_NO_KEYRING", "1")
	env.Setenv("HOME", filepath.Join(work, "home"))
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(work, "home", ".config"))
	env.Setenv("XDG_DATA_HOME", filepath.Join(work, "home", ".local", "share"))
	env.Setenv("NO_COLOR", "1")
	return nil
}

// exits CODE program [args...]: run the program and require that exact exit code.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		got = ee.ExitCode()
	default:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// within MAX CODE program [args...]: exits CODE, and the program must also
// return in less than MAX. Give MAX generous slack over the bound under test
// (a loaded machine is slow), but less than the behaviour it rules out.
func cmdWithin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: within MAX CODE program [args...]")
	}
	limit, err := time.ParseDuration(args[0])
	if err != nil {
		ts.Fatalf("within: bad duration %q", args[0])
	}
	start := time.Now()
	cmdExits(ts, false, args[1:])
	if took := time.Since(start); took >= limit {
		ts.Fatalf("took %s, want less than %s", took.Round(time.Millisecond), limit)
	}
}

// setenvfile VAR FILE: set VAR to the trimmed contents of FILE (or stdout).
func cmdSetenvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: setenvfile VAR FILE")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile(args[1])))
}

// jsonget VAR PATH [FILE]: set VAR to the value at a dotted PATH (e.g. id, 0.name,
// new.key) of the JSON in FILE (default stdout). Fails when the path is absent.
func cmdJSONGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: jsonget VAR PATH [FILE]")
	}
	file := "stdout"
	if len(args) == 3 {
		file = args[2]
	}
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile(file)), &v); err != nil {
		ts.Fatalf("jsonget: %s is not JSON: %v", file, err)
	}
	for _, part := range strings.Split(args[1], ".") {
		switch cur := v.(type) {
		case map[string]any:
			val, ok := cur[part]
			if !ok {
				ts.Fatalf("jsonget: no field %q in %s", part, file)
			}
			v = val
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(cur) {
				ts.Fatalf("jsonget: no index %q in %s", part, file)
			}
			v = cur[i]
		default:
			ts.Fatalf("jsonget: cannot index %T with %q", v, part)
		}
	}
	switch val := v.(type) {
	case string:
		ts.Setenv(args[0], val)
	default:
		b, _ := json.Marshal(val)
		ts.Setenv(args[0], string(b))
	}
}

// nosecret VAR PATH...: fail if the value of VAR occurs in any file under the
// paths (stdout and stderr name the last command's output).
func cmdNoSecret(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: nosecret VAR PATH...")
	}
	secret := ts.Getenv(args[0])
	if len(secret) < 8 {
		ts.Fatalf("nosecret: $%s is empty or too short to search for", args[0])
	}
	scanned := 0
	for _, p := range args[1:] {
		if p == "stdout" || p == "stderr" {
			scanned++
			if strings.Contains(ts.ReadFile(p), secret) {
				ts.Fatalf("$%s appears in %s", args[0], p)
			}
			continue
		}
		root := ts.MkAbs(p)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			scanned++
			if strings.Contains(string(b), secret) {
				return fmt.Errorf("$%s appears in %s", args[0], path)
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			ts.Fatalf("%v", err)
		}
	}
	ts.Logf("nosecret: scanned %d files for $%s", scanned, args[0])
}

// mint VAR ORG ROLE [TTL]: mint an emulator token in-process into VAR. A negative
// TTL makes an expired token.
func cmdMint(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: mint VAR ORG ROLE [TTL]")
	}
	ttl := time.Hour
	if len(args) == 4 {
		d, err := time.ParseDuration(args[3])
		if err != nil {
			ts.Fatalf("mint: bad TTL %q", args[3])
		}
		ttl = d
	}
	e := ts.Value(emulatorKey{}).(*emulator.Emulator)
	if ttl < 0 {
		// The emulator mints only live tokens; sign an expired one with its secret.
		ts.Setenv(args[0], signExpired(ts, e, args[1], args[2], ttl))
		return
	}
	tok, err := e.MintToken(emulator.TokenRequest{Org: args[1], Role: args[2], Subject: "user-" + args[2], TTL: ttl})
	if err != nil {
		ts.Fatalf("mint: %v", err)
	}
	ts.Setenv(args[0], tok)
}

func signExpired(ts *testscript.TestScript, e *emulator.Emulator, org, role string, ttl time.Duration) string {
	raw, err := os.ReadFile(emulator.SecretPath(e.DBPath()))
	ts.Check(err)
	secret, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	ts.Check(err)
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{
		"iss": "metabind-emulator", "aud": "metabind-admin", "sub": "user-" + role, "org": org, "role": role,
		"iat": now.Add(ttl - time.Hour).Unix(), "exp": now.Add(ttl).Unix(),
	})
	return testsupport.SignedJWT(`{"alg":"HS256","typ":"JWT"}`, string(claims), sha256.New, secret)
}

// perm MODE PATH: require the file's permission bits to be exactly MODE (octal).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: perm MODE PATH")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	if err != nil {
		ts.Fatalf("perm: bad mode %q", args[0])
	}
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if got := fi.Mode().Perm(); got != fs.FileMode(want) {
		ts.Fatalf("%s has mode %#o, want %#o", args[1], got, want)
	}
}

// writeenv VAR FILE: write the value of VAR and a newline to FILE (for stdin
// or ttyin).
func cmdWriteEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: writeenv VAR FILE")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(ts.Getenv(args[0])+"\n"), 0o600))
}

// faultProxy sits between the CLI and the emulator and breaks chosen requests.
type faultProxy struct {
	mu     sync.Mutex
	rules  []faultRule
	target *url.URL
	srv    *httptest.Server
}

type faultRule struct {
	method string
	path   *regexp.Regexp
	body   *regexp.Regexp
	action string // an HTTP status to answer instead of forwarding; "drop": forward, then cut the connection; "delay:DURATION": wait, then forward
}

func (fp *faultProxy) match(r *http.Request, body []byte) *faultRule {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	for i := range fp.rules {
		rule := &fp.rules[i]
		if rule.method == r.Method && rule.path.MatchString(r.URL.Path) && (rule.body == nil || rule.body.Match(body)) {
			return rule
		}
	}
	return nil
}

func (fp *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rule := fp.match(r, body)
	if rule != nil && strings.HasPrefix(rule.action, "delay:") {
		d, _ := time.ParseDuration(strings.TrimPrefix(rule.action, "delay:"))
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
		rule = nil // then forward as usual
	}
	if rule != nil && rule.action != "drop" {
		code, _ := strconv.Atoi(rule.action)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		fmt.Fprintf(w, "<html><body><h1>%d injected fault</h1></body></html>", code)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, fp.target.String()+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if rule != nil { // "drop": the server acted, the client never hears back
		io.Copy(io.Discard, resp.Body)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

type faultKey struct{}

// fault METHOD PATH_RE ACTION [BODY_RE] | fault clear: route the CLI through a
// proxy that answers ACTION (an HTTP status; "drop" to forward and then cut
// the connection; "delay:DURATION" to wait, then forward) to matching requests.
// Rules stay until "fault clear".
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: fault METHOD PATH_RE ACTION [BODY_RE] | fault clear")
	}
	fp, _ := ts.Value(faultKey{}).(*faultProxy)
	if fp == nil {
		ts.Fatalf("fault: no proxy (setup failed)")
	}
	if len(args) == 1 && args[0] == "clear" {
		fp.mu.Lock()
		fp.rules = nil
		fp.mu.Unlock()
		return
	}
	if len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: fault METHOD PATH_RE ACTION [BODY_RE] | fault clear")
	}
	rule := faultRule{method: args[0], path: regexp.MustCompile(args[1]), action: args[2]}
	if len(args) == 4 {
		rule.body = regexp.MustCompile(args[3])
	}
	fp.mu.Lock()
	fp.rules = append(fp.rules, rule)
	fp.mu.Unlock()
	ts.Setenv("MB_API_URL", fp.srv.URL)
}
