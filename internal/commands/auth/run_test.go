package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/prompt"
)

// Without a keyring (MB_NO_KEYRING=1) the token lives in a 0600 credentials
// file: login writes it, status reads it, logout removes it.
func TestFileStoreLoginStatusLogout(t *testing.T) {
	e := newEnv(t)
	e.vars["MB_NO_KEYRING"] = "1"
	path := filepath.Join(e.dir, "credentials.yaml")
	tok := jwt(t, map[string]any{"sub": "hana", "org": "acme", "role": "admin", "exp": e.now.Add(90 * time.Minute).Unix()})

	out, errOut, code := e.run(tok+"\n", false, nil, "auth", "login", "--with-token")
	if code != 0 || out != "" || !strings.Contains(errOut, "Logged in as hana (organization acme). Token stored in "+path+" (mode 0600; MB_NO_KEYRING is set).") {
		t.Fatalf("login: %d %q %q", code, out, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), tok) {
		t.Fatalf("credentials file: %v %q", err, b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %04o", fi.Mode().Perm())
	}
	if n := e.keyring.Calls(); n != 0 {
		t.Errorf("the keyring was called %d times with MB_NO_KEYRING=1", n)
	}

	out, errOut, code = e.run("", false, nil, "auth", "status")
	if code != 0 || errOut != "" {
		t.Fatalf("status: %d %q", code, errOut)
	}
	for _, want := range []string{"Logged in", "yes", "hana", "Acme (acme)", "admin", "2026-11-26T13:30:00Z", "file " + path, credstore.Mask(tok)} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, tok) {
		t.Fatal("status shows the token")
	}
	out, _, code = e.run("", false, nil, "auth", "status", "-o", "json")
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 {
		t.Fatalf("status -o json: %d %q %v", code, out, err)
	}
	if rep["loggedIn"] != true || rep["source"] != "file" || rep["path"] != path || rep["user"] != "hana" || rep["orgName"] != "Acme" || rep["token"] != credstore.Mask(tok) {
		t.Errorf("status -o json: %v", rep)
	}
	out, _, code = e.run("", false, nil, "auth", "status", "--jq", ".source")
	if code != 0 || out != "file\n" {
		t.Errorf("status --jq .source: %d %q", code, out)
	}

	out, errOut, code = e.run("", false, nil, "auth", "logout")
	if code != 0 || out != "" || errOut != "Logged out: removed the token from the credentials file.\n" {
		t.Fatalf("logout: %d %q %q", code, out, errOut)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the credentials file is still there: %v", err)
	}
	out, errOut, code = e.run("", false, nil, "auth", "status")
	if code != cmdutil.ExitAuth || out != "" || !strings.Contains(errOut, "not logged in") {
		t.Errorf("status after logout: %d %q %q", code, out, errOut)
	}
}

// runCtx runs args with ctx as the command's context (what SIGINT cancels).
func (e *env) runCtx(ctx context.Context, f *cmdutil.Factory, args ...string) int {
	return app.RunFactory(ctx, args, f)
}

func storedInKeyring(e *env) bool {
	_, ok := e.keyring.Secret(credstore.KeyringService, credstore.DefaultAccount)
	return ok
}

// An interrupted logout removes nothing, and says so with exit 130.
func TestLogoutInterruptedRemovesNothing(t *testing.T) {
	e := newEnv(t)
	tok := jwt(t, map[string]any{"sub": "ivan", "exp": e.now.Add(time.Hour).Unix()})
	if _, errOut, code := e.run(tok, false, nil, "auth", "login"); code != 0 {
		t.Fatalf("login: %d %q", code, errOut)
	}
	calls := e.keyring.Calls()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, out, errOut := e.factory("", false, nil)
	if code := e.runCtx(ctx, f, "auth", "logout"); code != cmdutil.ExitInterrupted || out.Len() != 0 || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("logout: %d %q %q", code, out, errOut)
	}
	if !storedInKeyring(e) || e.keyring.Calls() != calls {
		t.Errorf("an interrupted logout touched the keyring (stored %v, %d calls)", storedInKeyring(e), e.keyring.Calls()-calls)
	}
}

// blockedRun runs args with the keyring hanging, interrupts the command once
// it waits on the keyring, and returns its exit code. Without the context
// the command would wait for the keyring's own timeout and then fail
// otherwise.
func blockedRun(t *testing.T, e *env, args ...string) (int, string) {
	t.Helper()
	e.keyring.Block()
	t.Cleanup(e.keyring.Unblock)
	calls := e.keyring.Calls()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, _, errOut := e.factory("", false, nil)
	done := make(chan int, 1)
	go func() { done <- e.runCtx(ctx, f, args...) }()
	for e.keyring.Calls() == calls {
		select {
		case code := <-done:
			t.Fatalf("%v ended (%d) without calling the keyring", args, code)
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	return <-done, errOut.String()
}

// Interrupted while the keyring does not answer, logout ends at once: it
// does not wait for the keyring's timeout and then go on to the file.
func TestLogoutInterruptedWhileTheKeyringHangs(t *testing.T) {
	e := newEnv(t)
	tok := jwt(t, map[string]any{"sub": "judy", "exp": e.now.Add(time.Hour).Unix()})
	if _, errOut, code := e.run(tok, false, nil, "auth", "login"); code != 0 {
		t.Fatalf("login: %d %q", code, errOut)
	}
	// A copy in the credentials file too, as an older login leaves.
	path := filepath.Join(e.dir, "credentials.yaml")
	if err := os.WriteFile(path, []byte(credstore.DefaultAccount+": \""+tok+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, errOut := blockedRun(t, e, "auth", "logout"); code != cmdutil.ExitInterrupted || !strings.Contains(errOut, "interrupted") {
		t.Fatalf("logout: exit %d, want 130; %q", code, errOut)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("logout went on to the credentials file after the interrupt: %v", err)
	}
	// The abandoned keyring call finishes when the keyring answers; let it,
	// before the directory is removed.
	e.keyring.Unblock()
	for storedInKeyring(e) {
		time.Sleep(time.Millisecond)
	}
	for {
		if _, err := os.Stat(path); os.IsNotExist(err) {
			break
		}
		time.Sleep(time.Millisecond)
	}
}

// An interrupted auth status makes no report and ends with exit 130, whether
// the interrupt comes while the keyring does not answer or during the
// organization name's lookup (which otherwise only leaves the name out).
func TestStatusInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, e *env) (code int, out, errOut string)
	}{
		{name: "while the keyring hangs", run: func(t *testing.T, e *env) (int, string, string) {
			code, errOut := blockedRun(t, e, "auth", "status")
			return code, "", errOut
		}},
		{name: "during the organization lookup", run: func(t *testing.T, e *env) (int, string, string) {
			tok := jwt(t, map[string]any{"sub": "lee", "org": "acme", "exp": e.now.Add(time.Hour).Unix()})
			if _, errOut, code := e.run(tok, false, nil, "auth", "login"); code != 0 {
				t.Fatalf("login: %d %q", code, errOut)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			f, out, errOut := e.factory("", false, nil)
			f.HTTPOptions = func(o *api.Options) {
				o.HTTPClient = &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
					cancel() // the signal arrives as the lookup goes out
					return http.DefaultTransport.RoundTrip(r)
				})}
			}
			code := e.runCtx(ctx, f, "auth", "status")
			return code, out.String(), errOut.String()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			code, out, errOut := tc.run(t, e)
			if code != cmdutil.ExitInterrupted || !strings.Contains(errOut, "interrupted") {
				t.Fatalf("status: exit %d, want 130; %q", code, errOut)
			}
			if out != "" {
				t.Errorf("an interrupted status printed %q", out)
			}
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// cancellingPrompter answers the token prompt and then cancels the command's
// context, as a Ctrl-C right after the token was typed would.
type cancellingPrompter struct {
	prompt.Fake
	token  string
	cancel context.CancelFunc
}

func (p *cancellingPrompter) Password(context.Context, string) (string, error) {
	p.cancel()
	return p.token, nil
}

// A login interrupted after the token was read stores nothing.
func TestLoginInterruptedStoresNothing(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, out, errOut := e.factory("", true, nil)
	p := &cancellingPrompter{token: jwt(t, map[string]any{"sub": "kim", "exp": e.now.Add(time.Hour).Unix()}), cancel: cancel}
	f.NewPrompter = func() prompt.Prompter { return p }
	if code := e.runCtx(ctx, f, "auth", "login"); code != cmdutil.ExitInterrupted || out.Len() != 0 || strings.Contains(errOut.String(), "Logged in") {
		t.Fatalf("login: %d %q %q", code, out, errOut)
	}
	if storedInKeyring(e) {
		t.Error("the token was stored in the keyring")
	}
	if _, err := os.Stat(filepath.Join(e.dir, "credentials.yaml")); !os.IsNotExist(err) {
		t.Errorf("the credentials file was written: %v", err)
	}
}
