package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/credstore"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// The real-keyring suite: metabind against GNOME Keyring's Secret Service on a
// private D-Bus session bus (dbus-run-session), the store that Linux desktops
// use. Reproduce with:
//
//	apt-get install gnome-keyring dbus libsecret-tools
//	MB_REQUIRE_REAL_ENV=1 go test ./cmd/metabind -run 'TestRealKeyring' -v

const keyringPackages = "gnome-keyring dbus libsecret-tools"

// keyringLimit bounds one metabind command here: a login makes at most three
// keyring calls of credstore.DefaultTimeout each, so a command still running
// after this is stuck on an unbounded keyring call.
const keyringLimit = 3*credstore.DefaultTimeout + 10*time.Second

// keyringEmulator serves a seeded emulator (org acme, project web) and returns
// its URL and a function that mints admin tokens for subject sub.
func keyringEmulator(t *testing.T) (url string, mint func(sub string) string) {
	t.Helper()
	s := clitest.Emulator(t, clitest.DefaultRateLimit())
	return s.URL, func(sub string) string { return s.Mint("admin", sub, time.Hour) }
}

// mustSay fails unless what a command printed (stdout and stderr) holds
// every one of wants.
func mustSay(t *testing.T, what string, r runResult, wants ...string) {
	t.Helper()
	out := r.stdout + r.stderr
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Fatalf("%s does not say %q:\n%s", what, want, out)
		}
	}
}

// startSecretService starts a D-Bus session bus with gnome-keyring-daemon on
// it, its login keyring created and unlocked with a password given on stdin
// (no prompt: there is no display), and returns env with the bus's address.
// The bus and the daemon end with the test.
func startSecretService(t *testing.T, env []string) []string {
	t.Helper()
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "bus-address")
	logFile, err := os.Create(filepath.Join(dir, "session.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	script := `printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
printf '%s\n' "$DBUS_SESSION_BUS_ADDRESS" >"$1.tmp" && mv "$1.tmp" "$1"
read -r _ || true`
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script, "sh", addrFile)
	cmd.Env = append(append([]string{}, env...), "KEYRING_PASSWORD=realenv-test")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "..", "run"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		stdin.Close() // the session's shell returns; dbus-run-session ends the bus and the keyring daemon
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		b, err := os.ReadFile(addrFile)
		if err == nil && len(strings.TrimSpace(string(b))) > 0 {
			return append(append([]string{}, env...), "DBUS_SESSION_BUS_ADDRESS="+strings.TrimSpace(string(b)))
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("the D-Bus session with gnome-keyring ended before it was ready (%v):\n%s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("gnome-keyring was not ready within 15s:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keyringHome makes a home directory (with the XDG runtime directory that
// gnome-keyring wants) and metabind's environment in it.
func keyringHome(t *testing.T, bin, apiURL string) (home string, env []string) {
	home = t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "run"), 0o700); err != nil {
		t.Fatal(err)
	}
	return home, append(baseEnv(bin, home), "MB_API_URL="+apiURL)
}

// filesHolding lists the files under dir whose bytes contain secret.
func filesHolding(t *testing.T, dir, secret string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil // a socket's neighbour that went away
		}
		if strings.Contains(string(b), secret) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// secretLookup is secret-tool's view of metabind's keyring item for the
// default profile: the token, or "" with a non-zero code when there is none.
func secretLookup(t *testing.T, env []string) runResult {
	t.Helper()
	return runBounded(t, keyringLimit, env, "", "secret-tool", "lookup", "service", credstore.KeyringService, "username", credstore.DefaultAccount)
}

func mustExit(t *testing.T, r runResult, want int, what string) {
	t.Helper()
	if r.code != want {
		t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, r.code, want, r.stdout, r.stderr)
	}
}

func TestRealKeyring(t *testing.T) {
	bin := metabindBin(t)
	needPrograms(t, keyringPackages, "dbus-run-session", "gnome-keyring-daemon", "secret-tool")
	url, mint := keyringEmulator(t)
	home, env := keyringHome(t, bin, url)
	env = startSecretService(t, env)
	token := mint("keyring-user")
	mb := func(stdin string, args ...string) runResult {
		t.Helper()
		return runBounded(t, keyringLimit, env, stdin, bin, args...)
	}

	r := mb(token+"\n", "auth", "login", "--with-token")
	mustExit(t, r, 0, "auth login --with-token")
	if out := r.stdout + r.stderr; !strings.Contains(out, "system keyring") || strings.Contains(out, credstore.FileName) {
		t.Fatalf("auth login does not say the token went to the system keyring:\n%s", out)
	}
	if got := strings.TrimSpace(secretLookup(t, env).stdout); got != token {
		t.Fatalf("secret-tool lookup service metabind username default = %q, want the token", got)
	}
	if files := filesHolding(t, home, token); len(files) > 0 {
		t.Fatalf("the token is in a file as well as in the keyring: %v", files)
	}

	r = mb("", "auth", "status")
	mustExit(t, r, 0, "auth status")
	if !strings.Contains(r.stdout, "system keyring") {
		t.Fatalf("auth status does not say the token is in the system keyring:\n%s", r.stdout)
	}

	// Another process finds the token in the keyring: no MB_TOKEN anywhere.
	mustExit(t, mb("", "use", "--org", "acme", "--project", "web"), 0, "use")
	r = mb("", "keys", "list", "-o", "json")
	mustExit(t, r, 0, "keys list")
	if !strings.HasPrefix(strings.TrimSpace(r.stdout), "[") {
		t.Fatalf("keys list -o json printed no JSON array:\n%s", r.stdout)
	}

	r = mb("", "auth", "logout")
	mustExit(t, r, 0, "auth logout")
	if l := secretLookup(t, env); l.code == 0 || l.stdout != "" {
		t.Fatalf("after auth logout secret-tool still finds the token (exit %d, %d bytes)", l.code, len(l.stdout))
	}
	mustExit(t, mb("", "auth", "status"), 4, "auth status after logout")
}

// TestRealKeyringLocked locks the login keyring, as a screen lock does, with a
// token in it. There is no display for the unlock prompt, so each keyring call
// fails; login falls back to the credentials file, saying why and where, and
// the token read from the file works.
func TestRealKeyringLocked(t *testing.T) {
	bin := metabindBin(t)
	needPrograms(t, keyringPackages, "dbus-run-session", "gnome-keyring-daemon", "secret-tool", "dbus-send")
	url, mint := keyringEmulator(t)
	home, env := keyringHome(t, bin, url)
	env = startSecretService(t, env)
	mb := func(stdin string, args ...string) runResult {
		t.Helper()
		return runBounded(t, keyringLimit, env, stdin, bin, args...)
	}
	mustExit(t, mb(mint("first")+"\n", "auth", "login", "--with-token"), 0, "auth login (unlocked)")

	lock := runBounded(t, keyringLimit, env, "", "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
		"/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login")
	mustExit(t, lock, 0, "locking the login keyring")

	second := mint("second")
	r := mb(second+"\n", "auth", "login", "--with-token")
	mustExit(t, r, 0, "auth login (locked keyring)")
	file := filepath.Join(home, "metabind", credstore.FileName)
	mustSay(t, "auth login with a locked keyring", r, file, "system keyring failed", "0600")
	if files := filesHolding(t, home, second); len(files) != 1 || files[0] != file {
		t.Fatalf("the token should be in %s only, found in %v", file, files)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, mode %v; want 0600", err, st.Mode().Perm())
	}

	r = mb("", "auth", "status")
	mustExit(t, r, 0, "auth status (locked keyring)")
	if !strings.Contains(r.stdout, "file "+file) || !strings.Contains(r.stdout, "User:") || !strings.Contains(r.stdout, "second") {
		t.Fatalf("auth status should read the second token from %s:\n%s", file, r.stdout)
	}
	mustExit(t, mb("", "keys", "list", "--org", "acme", "--project", "web", "-o", "json"), 0, "keys list (locked keyring)")

	// The keyring is there but refuses: logout cannot promise that no copy
	// remains in it, says so, and still removes the file's copy.
	r = mb("", "auth", "logout")
	mustExit(t, r, 1, "auth logout (locked keyring)")
	if !strings.Contains(r.stderr, "system keyring") || !strings.Contains(r.stderr, "MB_NO_KEYRING=1") {
		t.Fatalf("auth logout with a locked keyring does not explain itself:\n%s", r.stderr)
	}
	if _, err := os.Stat(file); err == nil {
		if files := filesHolding(t, home, second); len(files) > 0 {
			t.Fatalf("auth logout left the token in %v", files)
		}
	}
}

// TestRealKeyringNoBus runs with no D-Bus session bus: a session address whose
// socket does not exist (a bus that has gone away), and no address at all
// with no dbus-launch to start a bus. The token goes to the file, and login says so and why.
func TestRealKeyringNoBus(t *testing.T) {
	bin := metabindBin(t)
	needPrograms(t, keyringPackages, "dbus-run-session", "gnome-keyring-daemon", "secret-tool")
	url, mint := keyringEmulator(t)
	for name, bus := range map[string]string{
		"gone":  "DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus"),
		"unset": "",
	} {
		t.Run(name, func(t *testing.T) {
			home, env := keyringHome(t, bin, url)
			if bus != "" {
				env = append(env, bus)
			} else {
				// Without an address, the D-Bus library would autolaunch a
				// bus with dbus-launch (dbus-x11) where that is installed,
				// and leave it running; a PATH of metabind alone makes this
				// a host without one.
				for i, kv := range env {
					if strings.HasPrefix(kv, "PATH=") {
						env[i] = "PATH=" + filepath.Dir(bin)
					}
				}
			}
			mb := func(stdin string, args ...string) runResult {
				t.Helper()
				return runBounded(t, keyringLimit, env, stdin, bin, args...)
			}
			tok := mint("nobus-" + name)
			r := mb(tok+"\n", "auth", "login", "--with-token")
			mustExit(t, r, 0, "auth login")
			file := filepath.Join(home, "metabind", credstore.FileName)
			mustSay(t, "auth login without a session bus", r, file, "no system keyring is available", "0600")
			r = mb("", "auth", "status")
			mustExit(t, r, 0, "auth status")
			if !strings.Contains(r.stdout, "file "+file) {
				t.Fatalf("auth status should name %s:\n%s", file, r.stdout)
			}
			mustExit(t, mb("", "keys", "list", "--org", "acme", "--project", "web", "-o", "json"), 0, "keys list")
			mustExit(t, mb("", "auth", "logout"), 0, "auth logout")
			if files := filesHolding(t, home, tok); len(files) > 0 {
				t.Fatalf("auth logout left the token in %v", files)
			}
		})
	}
}
