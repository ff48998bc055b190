package auth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/auth"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/prompt"
)

func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(b) + ".c2lnbmF0dXJlLWJ5dGVz"
}

type env struct {
	dir     string
	vars    map[string]string
	keyring *credstore.MemoryKeyring
	now     time.Time

	orgStatus int
	requests  atomic.Int64
}

// newEnv points the API at a fake that answers GET of an organization with
// e.orgStatus (200 by default) and counts the requests.
func newEnv(t *testing.T) *env {
	dir := t.TempDir()
	e := &env{dir: dir, vars: map[string]string{"MB_CONFIG_DIR": dir}, keyring: credstore.NewMemoryKeyring(),
		now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), orgStatus: http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ey") || !strings.HasPrefix(r.URL.Path, "/app/v1/organizations/") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.WriteHeader(e.orgStatus)
		switch e.orgStatus {
		case http.StatusOK:
			_, _ = w.Write([]byte(`{"id":"acme","name":"Acme","status":"active"}`))
		case http.StatusUnauthorized:
			_, _ = w.Write([]byte(`{"error":{"code":"UNAUTHORIZED","message":"The token is invalid"}}`))
		case http.StatusForbidden:
			_, _ = w.Write([]byte(`{"error":{"code":"FORBIDDEN","message":"This token is not valid for this organization"}}`))
		case http.StatusNotFound:
			_, _ = w.Write([]byte(`{"error":{"code":"NOT_FOUND","message":"Organization not found"}}`))
		default:
			_, _ = w.Write([]byte(`{"error":{"code":"BAD_REQUEST","message":"no"}}`))
		}
	}))
	t.Cleanup(srv.Close)
	e.vars["MB_API_URL"] = srv.URL
	return e
}

func (e *env) run(stdin string, tty bool, answers []string, args ...string) (string, string, int) {
	f, out, errOut := e.factory(stdin, tty, answers)
	code := app.RunFactory(context.Background(), args, f)
	return out.String(), errOut.String(), code
}

// factory is the Factory run uses: e's environment, keyring and clock, stdin
// holding stdin, and a prompter that gives answers.
func (e *env) factory(stdin string, tty bool, answers []string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	ios.SetStdinTTY(tty)
	f := cmdutil.New(ios, func(k string) string { return e.vars[k] })
	f.Keyring = e.keyring
	f.Now = func() time.Time { return e.now }
	fake := &prompt.Fake{Answers: answers}
	f.NewPrompter = func() prompt.Prompter { return fake }
	return f, out, errOut
}

func TestLoginStoresInKeyringAndStatusMasks(t *testing.T) {
	e := newEnv(t)
	tok := jwt(t, map[string]any{"sub": "alice", "org": "acme", "exp": e.now.Add(2 * time.Hour).Unix()})
	_, errOut, code := e.run("  "+tok+"\n", false, nil, "auth", "login")
	if code != 0 || !strings.Contains(errOut, "Logged in as alice (organization acme). Token stored in the system keyring.") {
		t.Fatalf("login: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "credentials.yaml")); !os.IsNotExist(err) {
		t.Fatal("a keyring login must not write the credentials file")
	}
	out, _, code := e.run("", false, nil, "auth", "status")
	if code != 0 {
		t.Fatalf("status exit %d", code)
	}
	for _, want := range []string{"User:", "alice", "Acme (acme)", "in 2h", "system keyring"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, tok) || strings.Contains(out, tok[20:40]) {
		t.Fatalf("status shows the token:\n%s", out)
	}
	// logout removes it from the keyring.
	if _, errOut, code := e.run("", false, nil, "auth", "logout"); code != 0 || !strings.Contains(errOut, "system keyring") {
		t.Fatalf("logout: %d %q", code, errOut)
	}
	if _, _, code := e.run("", false, nil, "auth", "status"); code != cmdutil.ExitAuth {
		t.Fatalf("status after logout: exit %d, want 4", code)
	}
}

func TestLoginPromptsOnATerminal(t *testing.T) {
	e := newEnv(t)
	tok := jwt(t, map[string]any{"sub": "bob", "exp": e.now.Add(time.Hour).Unix()})
	_, errOut, code := e.run("", true, []string{tok}, "auth", "login")
	if code != 0 || !strings.Contains(errOut, "Logged in as bob") {
		t.Fatalf("login: %d %q", code, errOut)
	}
}

func TestLoginFallsBackToFileWhenKeyringFails(t *testing.T) {
	e := newEnv(t)
	e.keyring.FailWith(credstore.ErrKeyringUnavailable)
	tok := jwt(t, map[string]any{"sub": "carol", "exp": e.now.Add(time.Hour).Unix()})
	_, errOut, code := e.run(tok, false, nil, "auth", "login", "--with-token")
	path := filepath.Join(e.dir, "credentials.yaml")
	if code != 0 || !strings.Contains(errOut, path) {
		t.Fatalf("login: %d %q", code, errOut)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi, err)
	}
}

func TestLoginRefusesBadTokens(t *testing.T) {
	e := newEnv(t)
	for _, in := range []string{"", "   \n", "not-a-jwt", "a.b", "aaaa.bbbb.cccc"} {
		_, errOut, code := e.run(in, false, nil, "auth", "login")
		if code != cmdutil.ExitUsage {
			t.Errorf("%q: exit %d, want 2 (%q)", in, code, errOut)
		}
		if in != "" && strings.TrimSpace(in) != "" && strings.Contains(errOut, strings.TrimSpace(in)) {
			t.Errorf("%q: the error echoes the input: %q", in, errOut)
		}
	}
	if _, _, code := e.run("", false, nil, "auth", "status"); code != cmdutil.ExitAuth {
		t.Fatal("a refused login stored something")
	}
}

func TestLoginRefusesAnExpiredToken(t *testing.T) {
	e := newEnv(t)
	tok := jwt(t, map[string]any{"sub": "dave", "org": "acme", "exp": e.now.Add(-3 * 24 * time.Hour).Unix()})
	_, errOut, code := e.run(tok, false, nil, "auth", "login")
	if code != cmdutil.ExitAuth || !strings.Contains(errOut, "expired 3 days ago; nothing was stored") {
		t.Fatalf("login: %d %q", code, errOut)
	}
	if n := e.requests.Load(); n != 0 {
		t.Errorf("an expired token was sent to the API (%d requests)", n)
	}
	if _, _, code := e.run("", false, nil, "auth", "status"); code != cmdutil.ExitAuth {
		t.Fatal("an expired token was stored")
	}
}

func TestAuthStatusExpiredIsNotLoggedIn(t *testing.T) {
	e := newEnv(t)
	e.vars["MB_TOKEN"] = jwt(t, map[string]any{"sub": "dave", "org": "acme", "exp": e.now.Add(-3 * 24 * time.Hour).Unix()})
	out, errOut, code := e.run("", false, nil, "auth", "status")
	if code != cmdutil.ExitAuth || !strings.Contains(out, "no (token expired 3 days ago)") || !strings.Contains(out, "expired 3 days ago") || !strings.Contains(errOut, "auth login") {
		t.Fatalf("status: %d %q %q", code, out, errOut)
	}
	out, _, code = e.run("", false, nil, "auth", "status", "-o", "json")
	var rep struct {
		LoggedIn *bool `json:"loggedIn"`
		Expired  bool  `json:"expired"`
		User     string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != cmdutil.ExitAuth || rep.LoggedIn == nil || *rep.LoggedIn || !rep.Expired {
		t.Fatalf("status -o json: %d %q (%v)", code, out, err)
	}
}

func TestLoginChecksTheTokenWithTheAPI(t *testing.T) {
	for _, tc := range []struct {
		status   int
		code     int
		stored   bool
		errorOut string
	}{
		{http.StatusOK, 0, true, "Logged in as erin (organization acme)"},
		{http.StatusUnauthorized, cmdutil.ExitAuth, false, "the API refused this token (HTTP 401"},
		{http.StatusForbidden, cmdutil.ExitAuth, false, "refused this token for organization acme (HTTP 403"},
		{http.StatusNotFound, 0, true, "warning: the API does not know organization acme"},
		{http.StatusBadRequest, 0, true, "warning: the token could not be checked"},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			e := newEnv(t)
			e.orgStatus = tc.status
			tok := jwt(t, map[string]any{"sub": "erin", "org": "acme", "exp": e.now.Add(time.Hour).Unix()})
			_, errOut, code := e.run(tok, false, nil, "auth", "login", "--with-token")
			if code != tc.code || !strings.Contains(errOut, tc.errorOut) {
				t.Fatalf("login: exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if strings.Contains(errOut, tok) {
				t.Fatal("the token is in the output")
			}
			if e.requests.Load() == 0 {
				t.Error("login made no request")
			}
			_, _, scode := e.run("", false, nil, "auth", "status")
			if stored := scode == 0; stored != tc.stored {
				t.Errorf("stored = %v, want %v", stored, tc.stored)
			}
		})
	}
}

func TestLoginStoresWhenTheAPIIsUnreachable(t *testing.T) {
	e := newEnv(t)
	e.vars["MB_API_URL"] = "http://127.0.0.1:1"
	tok := jwt(t, map[string]any{"sub": "fay", "org": "acme", "exp": e.now.Add(time.Hour).Unix()})
	_, errOut, code := e.run(tok, false, nil, "auth", "login")
	if code != 0 || !strings.Contains(errOut, "warning: the API could not be reached to check the token") || !strings.Contains(errOut, "Logged in as fay") {
		t.Fatalf("login: %d %q", code, errOut)
	}
}

func TestLogoutWhenNotLoggedInIsANotice(t *testing.T) {
	e := newEnv(t)
	out, errOut, code := e.run("", false, nil, "auth", "logout")
	if code != 0 || out != "" || !strings.Contains(errOut, "Not logged in: no stored token to remove.") {
		t.Fatalf("logout: %d %q %q", code, out, errOut)
	}
	e.vars["MB_TOKEN"] = jwt(t, map[string]any{"sub": "gil", "exp": e.now.Add(time.Hour).Unix()})
	_, errOut, code = e.run("", false, nil, "auth", "logout")
	if code != 0 || !strings.Contains(errOut, "MB_TOKEN") {
		t.Fatalf("logout with MB_TOKEN: %d %q", code, errOut)
	}
}

func TestEnvTokenWinsAndStatusSaysSo(t *testing.T) {
	e := newEnv(t)
	stored := jwt(t, map[string]any{"sub": "stored", "exp": e.now.Add(time.Hour).Unix()})
	e.run(stored, false, nil, "auth", "login")
	e.vars["MB_TOKEN"] = jwt(t, map[string]any{"sub": "from-env", "exp": e.now.Add(time.Hour).Unix()})
	out, errOut, code := e.run("", false, nil, "auth", "status")
	if code != 0 || !strings.Contains(out, "from-env") || !strings.Contains(out, "MB_TOKEN") || !strings.Contains(errOut, "overrides") {
		t.Fatalf("status: %d %q %q", code, out, errOut)
	}
}

// login's note about --api-url appears only when the flag changes the API
// the next command would use (MB_API_URL, else the file, else the default),
// never quotes the URL, and is left out for a URL the client refuses. The
// tokens name no organization, so nothing is sent anywhere.
func TestLoginAPIURLNote(t *testing.T) {
	const note = "note: --api-url applies to this command only"
	for _, tc := range []struct {
		name, env, file, flag string
		want                  bool
	}{
		{name: "the default", flag: "https://api.metabind.ai", want: false},
		{name: "the default with a slash", flag: "https://api.metabind.ai/", want: false},
		{name: "another URL", flag: "http://127.0.0.1:1", want: true},
		{name: "MB_API_URL's", env: "http://127.0.0.1:1", flag: "http://127.0.0.1:1", want: false},
		{name: "not MB_API_URL's", env: "http://127.0.0.1:1", flag: "https://api.metabind.ai", want: true},
		{name: "the file's", file: "http://127.0.0.1:2", flag: "http://127.0.0.1:2", want: false},
		{name: "not the file's", file: "http://127.0.0.1:2", flag: "https://api.metabind.ai", want: true},
		{name: "refused", flag: "http://api.example.com", want: false},
		{name: "with a password", flag: "http://u:hunter2@127.0.0.1:1", want: false},
		{name: "with a query", flag: "http://127.0.0.1:1/?token=hunter2", want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.vars["MB_API_URL"] = tc.env
			if tc.file != "" {
				if err := os.WriteFile(filepath.Join(e.dir, "config.yaml"), []byte("api-url: "+tc.file+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			tok := jwt(t, map[string]any{"sub": "hal", "exp": e.now.Add(time.Hour).Unix()})
			out, errOut, code := e.run(tok, false, nil, "auth", "login", "--with-token", "--api-url", tc.flag)
			if code != 0 || !strings.Contains(errOut, "Logged in as hal") {
				t.Fatalf("login: %d %q", code, errOut)
			}
			if got := strings.Contains(errOut, note); got != tc.want {
				t.Errorf("note shown = %v, want %v; stderr %q", got, tc.want, errOut)
			}
			if strings.Contains(out+errOut, "hunter2") || strings.Contains(errOut, "note: --api-url applies to this command only; to keep using h") {
				t.Errorf("the URL is echoed: %q", errOut)
			}
			if e.requests.Load() != 0 {
				t.Errorf("%d requests, want none", e.requests.Load())
			}
		})
	}
}

// A token that is not a JWT can never work: auth status reports no one logged
// in, with the reason, exit 4, and shows no part of the token (not even
// masked), in text and JSON alike.
func TestAuthStatusMalformedTokenIsNotLoggedIn(t *testing.T) {
	const secret = "SECRETVALUE"
	for _, tc := range []struct {
		name, token, reason string
	}{
		{"one part", "garbage-" + secret, "expected three dot-separated parts"},
		{"payload not base64", "eyJhbGciOiJIUzI1NiJ9." + secret + "!.c2ln", "characters a JWT cannot hold"},
		{"empty signature", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.", "the signature is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.vars["MB_TOKEN"] = tc.token
			out, errOut, code := e.run("", false, nil, "auth", "status")
			if code != cmdutil.ExitAuth {
				t.Fatalf("auth status: exit %d, want 4; %q %q", code, out, errOut)
			}
			if !strings.Contains(out, "Logged in:     no (the token in MB_TOKEN is not a JWT: ") || !strings.Contains(out, tc.reason) {
				t.Errorf("stdout %q", out)
			}
			if strings.Contains(out+errOut, secret) || strings.Contains(out+errOut, tc.token[:8]) {
				t.Errorf("the token is shown: %q %q", out, errOut)
			}
			out, _, code = e.run("", false, nil, "auth", "status", "-o", "json")
			var rep auth.StatusReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil || code != cmdutil.ExitAuth {
				t.Fatalf("-o json: exit %d, %q (%v)", code, out, err)
			}
			if rep.LoggedIn || !rep.Malformed || !strings.Contains(rep.MalformedReason, tc.reason) || rep.Token != "" || rep.Source != "environment" {
				t.Errorf("report %+v", rep)
			}
			if e.requests.Load() != 0 {
				t.Errorf("%d requests, want none", e.requests.Load())
			}
		})
	}
}
