package credstore

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

type env map[string]string

func (e env) get(k string) string { return e[k] }

// testTimeout bounds keyring calls in tests that make the keyring hang.
const testTimeout = 50 * time.Millisecond

type fixture struct {
	dir string
	kr  *MemoryKeyring
	env env
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	kr := NewMemoryKeyring()
	t.Cleanup(kr.Unblock) // let abandoned calls of a blocked keyring finish
	return &fixture{dir: filepath.Join(t.TempDir(), "metabind"), kr: kr, env: env{}}
}

func (f *fixture) store(account string) *Store {
	return New(Options{ConfigDir: f.dir, Getenv: f.env.get, Account: account, Keyring: f.kr, Timeout: testTimeout})
}

func (f *fixture) path() string { return filepath.Join(f.dir, FileName) }

// writeFile stores tokens in the credentials file through a store that skips
// the keyring.
func (f *fixture) writeFile(t *testing.T, account, token string) {
	t.Helper()
	s := New(Options{ConfigDir: f.dir, Getenv: env{EnvNoKeyring: "1"}.get, Account: account, Keyring: f.kr})
	if _, err := s.Save(token); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) readFile(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(f.path())
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestTokenPrecedence(t *testing.T) {
	envTok, krTok, fileTok := testJWT("from-env"), testJWT("from-keyring"), testJWT("from-file")
	tests := []struct {
		name      string
		env       env
		keyring   bool
		file      bool
		otherFile bool // a token for another account only
		failKR    bool
		want      string
		source    Source
	}{
		{name: "nothing", want: ""},
		{name: "file only", file: true, want: fileTok, source: SourceFile},
		{name: "keyring only", keyring: true, want: krTok, source: SourceKeyring},
		{name: "keyring beats file", keyring: true, file: true, want: krTok, source: SourceKeyring},
		{name: "env beats all", env: env{EnvToken: envTok}, keyring: true, file: true, want: envTok, source: SourceEnv},
		{name: "env trimmed", env: env{EnvToken: "  " + envTok + "\n"}, want: envTok, source: SourceEnv},
		{name: "blank env ignored", env: env{EnvToken: " \n"}, keyring: true, want: krTok, source: SourceKeyring},
		{name: "no keyring forces file", env: env{EnvNoKeyring: "1"}, keyring: true, file: true, want: fileTok, source: SourceFile},
		{name: "no keyring true", env: env{EnvNoKeyring: "true"}, keyring: true, want: ""},
		{name: "no keyring 0 keeps keyring", env: env{EnvNoKeyring: "0"}, keyring: true, file: true, want: krTok, source: SourceKeyring},
		{name: "failing keyring falls back to file", failKR: true, keyring: true, file: true, want: fileTok, source: SourceFile},
		{name: "failing keyring and no file", failKR: true, keyring: true, want: ""},
		{name: "other account's file token", otherFile: true, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for k, v := range tt.env {
				f.env[k] = v
			}
			if tt.keyring {
				if err := f.kr.Set(KeyringService, "work", krTok); err != nil {
					t.Fatal(err)
				}
			}
			if tt.file {
				f.writeFile(t, "work", fileTok)
			}
			if tt.otherFile {
				f.writeFile(t, "home", fileTok)
			}
			if tt.failKR {
				f.kr.FailWith(errors.New("no Secret Service on the session bus"))
			}
			callsBefore := f.kr.Calls()
			tok, err := f.store("work").Token()
			if tt.want == "" {
				if !errors.Is(err, ErrNotLoggedIn) {
					t.Fatalf("Token() = %v, %v; want ErrNotLoggedIn", tok.Source, err)
				}
				if tt.failKR && !strings.Contains(err.Error(), "no Secret Service") {
					t.Errorf("error %q does not say what happened to the keyring", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Value != tt.want || tok.Source != tt.source {
				t.Errorf("Token() = %s from %s, want %s from %s", Mask(tok.Value), tok.Source, Mask(tt.want), tt.source)
			}
			if (tok.Source == SourceFile) != (tok.Path == f.path()) {
				t.Errorf("Path = %q for source %s", tok.Path, tok.Source)
			}
			if tt.failKR && !strings.Contains(tok.FallbackReason, "no Secret Service") {
				t.Errorf("FallbackReason = %q", tok.FallbackReason)
			}
			if tt.env[EnvNoKeyring] == "1" {
				if f.kr.Calls() != callsBefore {
					t.Errorf("MB_NO_KEYRING=1 but the keyring was called")
				}
				if tok.FallbackReason != "MB_NO_KEYRING is set" {
					t.Errorf("FallbackReason = %q", tok.FallbackReason)
				}
			} else if !tt.failKR && tok.FallbackReason != "" {
				t.Errorf("FallbackReason = %q with a working keyring", tok.FallbackReason)
			}
		})
	}
}

func TestSaveToKeyringRemovesStaleFileCopy(t *testing.T) {
	f := newFixture(t)
	f.writeFile(t, "work", testJWT("old-work"))
	f.writeFile(t, "home", testJWT("home"))
	s := f.store("work")
	newTok := testJWT("new-work")
	saved, err := s.Save(newTok)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Source != SourceKeyring || saved.Value != newTok || saved.Path != "" || saved.FallbackReason != "" {
		t.Errorf("saved %+v", saved)
	}
	if got, _ := f.kr.Secret(KeyringService, "work"); got != newTok {
		t.Errorf("keyring holds %s", Mask(got))
	}
	content := f.readFile(t)
	if strings.Contains(content, testJWT("old-work")) || strings.Contains(content, "work:") {
		t.Errorf("stale copy left in the file:\n%s", content)
	}
	if !strings.Contains(content, testJWT("home")) {
		t.Errorf("another profile's token was lost:\n%s", content)
	}
	// The only copy left for "work" is the keyring's.
	if tok, err := s.Token(); err != nil || tok.Value != newTok || tok.Source != SourceKeyring {
		t.Errorf("Token() = %v, %v", tok.Source, err)
	}
}

func TestSaveToKeyringDeletesEmptiedFile(t *testing.T) {
	f := newFixture(t)
	f.writeFile(t, "default", testJWT("old"))
	if _, err := f.store("").Save(testJWT("new")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("credentials file still exists: %v", err)
	}
}

func TestNoKeyringForcesFile(t *testing.T) {
	f := newFixture(t)
	f.env[EnvNoKeyring] = "1"
	tok := testJWT("dave")
	saved, err := f.store("").Save(tok)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Source != SourceFile || saved.Path != f.path() || !strings.Contains(saved.FallbackReason, "MB_NO_KEYRING") {
		t.Errorf("saved %+v", saved)
	}
	if f.kr.Calls() != 0 {
		t.Errorf("keyring called %d times", f.kr.Calls())
	}
	got, err := f.store("").Token()
	if err != nil || got.Value != tok || got.Source != SourceFile {
		t.Errorf("Token() = %v, %v", got.Source, err)
	}
	content := f.readFile(t)
	if !strings.HasPrefix(content, "# metabind credentials") || !strings.Contains(content, `default: "`+tok+`"`) {
		t.Errorf("file content:\n%s", content)
	}
}

func TestSaveTrimsAndChecksShape(t *testing.T) {
	f := newFixture(t)
	tok := testJWT("erin")
	saved, err := f.store("").Save("  " + tok + "\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if saved.Value != tok {
		t.Errorf("saved value not trimmed")
	}
	if got, _ := f.kr.Secret(KeyringService, DefaultAccount); got != tok {
		t.Errorf("keyring holds an untrimmed token")
	}

	for _, bad := range []string{"", "   ", "not-a-jwt-but-quite-long-anyway", tok + "." + tok} {
		_, err := f.store("other").Save(bad)
		if !errors.Is(err, ErrMalformedToken) {
			t.Errorf("Save(%q): %v", Mask(bad), err)
		}
		assertNoTokenIn(t, err.Error(), bad)
	}
	if _, ok := f.kr.Secret(KeyringService, "other"); ok {
		t.Error("a malformed token reached the keyring")
	}
	if _, err := os.Stat(f.path()); !errors.Is(err, os.ErrNotExist) {
		t.Error("a malformed token reached the file")
	}
}

func TestBlockingKeyringFallsBackWithinTimeout(t *testing.T) {
	f := newFixture(t)
	f.kr.Block()
	s := f.store("")
	tok := testJWT("frank")

	saved, err := s.Save(tok)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Source != SourceFile || saved.Path != f.path() {
		t.Fatalf("saved %+v", saved)
	}
	if !strings.Contains(saved.FallbackReason, "did not answer within 50ms") {
		t.Errorf("FallbackReason = %q", saved.FallbackReason)
	}

	got, err := s.Token()
	if err != nil || got.Value != tok || got.Source != SourceFile {
		t.Fatalf("Token() = %v, %v", got.Source, err)
	}
	if !strings.Contains(got.FallbackReason, "did not answer") {
		t.Errorf("Token FallbackReason = %q", got.FallbackReason)
	}

	removed, err := s.Delete()
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Delete err = %v, want ErrKeyringUnavailable", err)
	}
	if err != nil && (!strings.Contains(err.Error(), "a copy may remain") || !strings.Contains(err.Error(), "MB_NO_KEYRING=1")) {
		t.Errorf("Delete error %q lacks guidance", err)
	}
	if !slices.Equal(removed, []Source{SourceFile}) {
		t.Errorf("removed %v, want [file]", removed)
	}
	if _, err := os.Stat(f.path()); !errors.Is(err, os.ErrNotExist) {
		t.Error("file copy not removed while the keyring hung")
	}

	// With nothing in the file, the hung keyring is named in the not-logged-in error.
	_, err = s.Token()
	if !errors.Is(err, ErrNotLoggedIn) || !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("Token() err = %v", err)
	}
}

func TestUnavailableKeyringFallsBackToFile(t *testing.T) {
	f := newFixture(t)
	f.kr.FailWith(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	saved, err := f.store("").Save(testJWT("gina"))
	if err != nil {
		t.Fatal(err)
	}
	if saved.Source != SourceFile || !strings.Contains(saved.FallbackReason, "org.freedesktop.secrets") {
		t.Errorf("saved %+v", saved)
	}
	if runtime.GOOS != "windows" {
		assertMode(t, f.dir, 0o700)
		assertMode(t, f.path(), 0o600)
	}
}

// setRefused is a keyring that answers but refuses writes, as the macOS
// keychain does for an oversized secret.
type setRefused struct{ *MemoryKeyring }

func (setRefused) Set(string, string, string) error {
	return errors.New("data passed to Set was too big")
}

func TestRefusedKeyringWriteRemovesShadowingToken(t *testing.T) {
	f := newFixture(t)
	kr := setRefused{f.kr}
	if err := f.kr.Set(KeyringService, DefaultAccount, testJWT("stale")); err != nil {
		t.Fatal(err)
	}
	s := New(Options{ConfigDir: f.dir, Getenv: env{}.get, Keyring: kr, Timeout: testTimeout})
	fresh := testJWT("fresh")
	saved, err := s.Save(fresh)
	if err != nil || saved.Source != SourceFile {
		t.Fatalf("Save = %+v, %v", saved.Source, err)
	}
	if _, ok := f.kr.Secret(KeyringService, DefaultAccount); ok {
		t.Error("stale keyring token left to shadow the new one")
	}
	if tok, err := s.Token(); err != nil || tok.Value != fresh {
		t.Errorf("Token() = %s, %v; want the fresh token", Mask(tok.Value), err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode %04o, want %04o", filepath.Base(path), got, want)
	}
}

func TestFileModesAndWarnings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not apply")
	}
	f := newFixture(t)
	f.env[EnvNoKeyring] = "1"
	s := f.store("")
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("Warnings() without a file = %q", w)
	}
	// A loose, pre-existing file.
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.path(), []byte("home: \""+testJWT("home")+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f.path(), 0o644); err != nil {
		t.Fatal(err)
	}
	w := s.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], "chmod 600 "+f.path()) || !strings.Contains(w[0], "credentials file") {
		t.Fatalf("Warnings() = %q", w)
	}
	if _, err := s.Save(testJWT("ivan")); err != nil {
		t.Fatal(err)
	}
	assertMode(t, f.dir, 0o700)
	assertMode(t, f.path(), 0o600)
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("Warnings() after Save = %q", w)
	}
	if !strings.Contains(f.readFile(t), testJWT("home")) {
		t.Error("the other profile's token was lost")
	}
}

func TestFailureBeforeRenameKeepsOldFile(t *testing.T) {
	f := newFixture(t)
	f.env[EnvNoKeyring] = "1"
	old := testJWT("old")
	f.writeFile(t, DefaultAccount, old)
	before := f.readFile(t)

	beforeRename = func(string) error { return errors.New("simulated crash") }
	t.Cleanup(func() { beforeRename = nil })
	s := f.store("")
	_, err := s.Save(testJWT("new"))
	if err == nil || !strings.Contains(err.Error(), "simulated crash") || !strings.Contains(err.Error(), f.path()) {
		t.Fatalf("Save err = %v", err)
	}
	if after := f.readFile(t); after != before {
		t.Errorf("credentials file changed:\n%s", after)
	}
	entries, _ := os.ReadDir(f.dir)
	if len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
	if tok, err := s.Token(); err != nil || tok.Value != old {
		t.Errorf("Token() after failed save = %s, %v", Mask(tok.Value), err)
	}
}

func TestDeleteRemovesFromEveryStore(t *testing.T) {
	f := newFixture(t)
	s := f.store("work")
	// Logged in with the keyring, then with the file (as with MB_NO_KEYRING=1).
	if saved, err := s.Save(testJWT("kr")); err != nil || saved.Source != SourceKeyring {
		t.Fatalf("keyring save: %v %v", saved.Source, err)
	}
	f.writeFile(t, "work", testJWT("file"))
	f.writeFile(t, "home", testJWT("home"))

	removed, err := s.Delete()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []Source{SourceKeyring, SourceFile}) {
		t.Errorf("removed %v", removed)
	}
	if _, ok := f.kr.Secret(KeyringService, "work"); ok {
		t.Error("keyring still holds the token")
	}
	content := f.readFile(t)
	if strings.Contains(content, testJWT("file")) || !strings.Contains(content, testJWT("home")) {
		t.Errorf("file after delete:\n%s", content)
	}
	if _, err := s.Token(); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Token() after Delete: %v", err)
	}
	if s.HasStored() {
		t.Error("HasStored() after Delete")
	}

	// Nothing left: nothing removed, no error.
	removed, err = s.Delete()
	if err != nil || len(removed) != 0 {
		t.Errorf("second Delete = %v, %v", removed, err)
	}

	// The last token gone, the file goes too.
	if removed, err := f.store("home").Delete(); err != nil || !slices.Equal(removed, []Source{SourceFile}) {
		t.Errorf("Delete home = %v, %v", removed, err)
	}
	if _, err := os.Stat(f.path()); !errors.Is(err, os.ErrNotExist) {
		t.Error("empty credentials file not removed")
	}
}

func TestDeleteWithNoKeyringSkipsKeyring(t *testing.T) {
	f := newFixture(t)
	if err := f.kr.Set(KeyringService, DefaultAccount, testJWT("kr")); err != nil {
		t.Fatal(err)
	}
	f.env[EnvNoKeyring] = "1"
	f.writeFile(t, DefaultAccount, testJWT("file"))
	calls := f.kr.Calls()
	removed, err := f.store("").Delete()
	if err != nil || !slices.Equal(removed, []Source{SourceFile}) {
		t.Errorf("Delete = %v, %v", removed, err)
	}
	if f.kr.Calls() != calls {
		t.Error("keyring called despite MB_NO_KEYRING=1")
	}
}

func TestFromEnvAndHasStored(t *testing.T) {
	f := newFixture(t)
	s := f.store("")
	if s.FromEnv() || s.HasStored() {
		t.Fatal("empty store reports a token")
	}
	f.env[EnvToken] = testJWT("env")
	if !s.FromEnv() {
		t.Error("FromEnv() false with MB_TOKEN set")
	}
	if s.HasStored() {
		t.Error("HasStored() counts MB_TOKEN")
	}
	if _, err := s.Save(testJWT("stored")); err != nil {
		t.Fatal(err)
	}
	if !s.HasStored() {
		t.Error("HasStored() false after Save")
	}
	if tok, _ := s.Token(); tok.Source != SourceEnv {
		t.Errorf("MB_TOKEN does not win: %s", tok.Source)
	}
}

func TestCorruptCredentialsFile(t *testing.T) {
	f := newFixture(t)
	f.env[EnvNoKeyring] = "1"
	secret := testJWT("secret-in-a-broken-file")
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	broken := "default: [" + secret + "\n"
	if err := os.WriteFile(f.path(), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	s := f.store("")
	for name, op := range map[string]func() error{
		"Token":  func() error { _, err := s.Token(); return err },
		"Save":   func() error { _, err := s.Save(testJWT("new")); return err },
		"Delete": func() error { _, err := s.Delete(); return err },
	} {
		err := op()
		if err == nil {
			t.Errorf("%s succeeded on a corrupt file", name)
			continue
		}
		if !strings.Contains(err.Error(), f.path()) || !strings.Contains(err.Error(), "fix or remove it") {
			t.Errorf("%s error %q does not name the file and the fix", name, err)
		}
		assertNoTokenIn(t, err.Error(), secret)
		if errors.Is(err, ErrNotLoggedIn) {
			t.Errorf("%s: a corrupt file must not read as not logged in", name)
		}
	}
	if f.readFile(t) != broken {
		t.Error("the corrupt file was overwritten")
	}
}

func TestCredentialsFileIsADirectory(t *testing.T) {
	f := newFixture(t)
	f.env[EnvNoKeyring] = "1"
	if err := os.MkdirAll(f.path(), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := f.store("").Token()
	if err == nil || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), f.path()) {
		t.Errorf("Token() err = %v", err)
	}
}

func TestNewDefaults(t *testing.T) {
	dir := t.TempDir()
	s := New(Options{Getenv: env{"MB_CONFIG_DIR": dir}.get})
	if s.timeout != DefaultTimeout || s.account != DefaultAccount {
		t.Errorf("timeout %v account %q", s.timeout, s.account)
	}
	if _, ok := s.keyring.(systemKeyring); !ok {
		t.Errorf("default keyring is %T", s.keyring)
	}
	if s.Path() != filepath.Join(dir, FileName) {
		t.Errorf("Path() = %q", s.Path())
	}
	if runtime.GOOS == "linux" {
		// No config directory can be found: file operations say so.
		s := New(Options{Getenv: env{EnvNoKeyring: "1"}.get})
		if _, err := s.Token(); err == nil || !strings.Contains(err.Error(), "MB_CONFIG_DIR") {
			t.Errorf("Token() without a config dir: %v", err)
		}
	}
}

func TestKeyringErrors(t *testing.T) {
	boom := errors.New("boom")
	_, err := bounded(time.Second, "read", func() (string, error) { return "", boom })
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Op != "read" || ke.TimedOut || !errors.Is(err, boom) || !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("wrapped error %#v", err)
	}
	_, err = bounded(time.Second, "read", func() (string, error) { return "", ErrKeyringNotFound })
	if err != ErrKeyringNotFound {
		t.Errorf("not-found is %v, want it unwrapped", err)
	}
	release := make(chan struct{})
	defer close(release)
	_, err = bounded(time.Millisecond, "write", func() (string, error) { <-release; return "", nil })
	if !errors.As(err, &ke) || !ke.TimedOut || !strings.Contains(err.Error(), "did not answer within 1ms (write)") {
		t.Errorf("timeout error %v", err)
	}
}

func TestMemoryKeyring(t *testing.T) {
	kr := NewMemoryKeyring()
	if _, err := kr.Get("s", "u"); !errors.Is(err, ErrKeyringNotFound) {
		t.Errorf("Get missing: %v", err)
	}
	if err := kr.Delete("s", "u"); !errors.Is(err, ErrKeyringNotFound) {
		t.Errorf("Delete missing: %v", err)
	}
	if err := kr.Set("s", "u", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := kr.Get("s", "u"); v != "v" || err != nil {
		t.Errorf("Get = %q, %v", v, err)
	}
	boom := errors.New("boom")
	kr.FailWith(boom)
	if _, err := kr.Get("s", "u"); err != boom {
		t.Errorf("failing Get: %v", err)
	}
	if v, ok := kr.Secret("s", "u"); !ok || v != "v" {
		t.Error("Secret should bypass failures")
	}
	kr.FailWith(nil)

	kr.Block()
	done := make(chan error, 1)
	go func() { done <- kr.Set("s", "u", "w") }()
	kr.Unblock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if v, _ := kr.Secret("s", "u"); v != "w" {
		t.Errorf("after unblock: %q", v)
	}
	if kr.Calls() != 6 {
		t.Errorf("Calls() = %d, want 6", kr.Calls())
	}
}

func TestNoKeyringServiceIsNotAnError(t *testing.T) {
	absent := []error{
		&exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound},
		errors.New("The name org.freedesktop.secrets was not provided by any .service files"),
		errors.New("dbus: couldn't determine address of session bus"),
		&os.PathError{Op: "dial", Path: "/run/user/1000/bus", Err: syscall.ENOENT},
	}
	for _, kerr := range absent {
		f := newFixture(t)
		f.kr.FailWith(kerr)
		s := f.store("")
		saved, err := s.Save(testJWT("headless"))
		if err != nil || saved.Source != SourceFile || !strings.HasPrefix(saved.FallbackReason, "no system keyring is available") {
			t.Errorf("%v: Save = %+v, %v", kerr, saved, err)
		}
		if r := saved.FallbackReason; strings.Contains(r, "exec:") || strings.Contains(r, "$PATH") || strings.Contains(r, "/run/user") {
			t.Errorf("%v: the reason %q speaks Go, not people", kerr, r)
		}
		removed, err := s.Delete()
		if err != nil || !slices.Equal(removed, []Source{SourceFile}) {
			t.Errorf("%v: Delete = %v, %v", kerr, removed, err)
		}
		if _, err := s.Token(); err != ErrNotLoggedIn {
			t.Errorf("%v: Token() err = %v, want plain ErrNotLoggedIn", kerr, err)
		}
	}

	// A keyring that exists but refuses is reported: a copy may remain there.
	f := newFixture(t)
	f.kr.FailWith(errors.New("prompt dismissed"))
	removed, err := f.store("").Delete()
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "prompt dismissed") || len(removed) != 0 {
		t.Errorf("refusing keyring: Delete = %v, %v", removed, err)
	}
	if _, err := f.store("").Token(); !errors.Is(err, ErrNotLoggedIn) || !strings.Contains(err.Error(), "prompt dismissed") {
		t.Errorf("refusing keyring: Token() err = %v", err)
	}
}

// When the keyring fails, the caller hears where the token goes, and why,
// before the file is written; with a working keyring it hears nothing.
func TestSaveNotifyBeforeTheFileIsWritten(t *testing.T) {
	f := newFixture(t)
	f.kr.FailWith(errors.New("no Secret Service on the session bus"))
	var gotPath, gotReason string
	existed := true
	tok, err := f.store("work").SaveNotify(testJWT("alice"), func(path, reason string) {
		gotPath, gotReason = path, reason
		_, statErr := os.Stat(path)
		existed = statErr == nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Source != SourceFile || gotPath != f.path() || !strings.Contains(gotReason, "no Secret Service") {
		t.Errorf("saved to %s; notified path %q, reason %q", tok.Source, gotPath, gotReason)
	}
	if existed {
		t.Error("the credentials file existed when the caller was told it would be written")
	}

	ok := newFixture(t)
	called := false
	if _, err := ok.store("work").SaveNotify(testJWT("alice"), func(string, string) { called = true }); err != nil {
		t.Fatal(err)
	}
	if called {
		t.Error("notified of a file fallback although the keyring took the token")
	}
}
