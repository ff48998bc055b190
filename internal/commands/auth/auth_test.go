package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
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
}

func newEnv(t *testing.T) *env {
	dir := t.TempDir()
	return &env{dir: dir, vars: map[string]string{"MB_CONFIG_DIR": dir}, keyring: credstore.NewMemoryKeyring(),
		now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
}

func (e *env) run(stdin string, tty bool, answers []string, args ...string) (string, string, int) {
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	ios.SetStdinTTY(tty)
	f := cmdutil.New(ios, func(k string) string { return e.vars[k] })
	f.Keyring = e.keyring
	f.Now = func() time.Time { return e.now }
	fake := &prompt.Fake{Answers: answers}
	f.NewPrompter = func() prompt.Prompter { return fake }
	code := app.RunFactory(context.Background(), args, f)
	return out.String(), errOut.String(), code
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
	for _, want := range []string{"User:", "alice", "acme", "in 2h", "system keyring"} {
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

func TestExpiredTokenWarnsAndStatusExits4(t *testing.T) {
	e := newEnv(t)
	tok := jwt(t, map[string]any{"sub": "dave", "exp": e.now.Add(-3 * 24 * time.Hour).Unix()})
	_, errOut, code := e.run(tok, false, nil, "auth", "login")
	if code != 0 || !strings.Contains(errOut, "expired 3 days ago") {
		t.Fatalf("login: %d %q", code, errOut)
	}
	out, errOut, code := e.run("", false, nil, "auth", "status")
	if code != cmdutil.ExitAuth || !strings.Contains(out, "expired 3 days ago") || !strings.Contains(errOut, "auth login") {
		t.Fatalf("status: %d %q %q", code, out, errOut)
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
