package clitest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/prompt"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

func TestEmulatorAndRun(t *testing.T) {
	var hits atomic.Int32
	count := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); h.ServeHTTP(w, r) })
	}
	s := clitest.Emulator(t, clitest.SeedKeys(3), clitest.Wrap(count), clitest.Projects("mobile"))
	for _, k := range []string{"MB_API_URL", "MB_TOKEN", "MB_ORG", "MB_PROJECT", "MB_CONFIG_DIR", "MB_NO_KEYRING"} {
		if s.Env[k] == "" {
			t.Errorf("Env lacks %s", k)
		}
	}
	if s.Env["MB_API_URL"] != s.URL || s.Env["MB_TOKEN"] != s.Token || s.DBPath != ":memory:" {
		t.Errorf("Env %v, URL %s, DBPath %s", s.Env, s.URL, s.DBPath)
	}
	if env := s.Environ(); len(env) != 6 || !strings.HasPrefix(env[0], "MB_API_URL=") {
		t.Errorf("Environ = %q", env)
	}
	if n := len(s.Keys()); n != 3 {
		t.Errorf("%d keys seeded, want 3", n)
	}

	out, stderr, code := clitest.Run(s.Env, "keys", "list", "-o", "json")
	var keys []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &keys) != nil || len(keys) != 3 {
		t.Fatalf("keys list: exit %d, %q, %q", code, out, stderr)
	}
	if out, stderr, code := clitest.Run(s.Env, "keys", "list", "--project", "mobile", "-o", "json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("the mobile project: exit %d, %q, %q", code, out, stderr)
	}
	if hits.Load() < 2 {
		t.Errorf("the wrapper saw %d requests", hits.Load())
	}
	if _, stderr, code := clitest.Run(s.Env, "keys", "show", "no-such-key"); code != 5 || stderr == "" {
		t.Errorf("not found: exit %d, %q", code, stderr)
	}
}

func TestCLIOptions(t *testing.T) {
	then := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	s := clitest.Emulator(t, clitest.Clock(func() time.Time { return then }),
		clitest.AdminToken("owner", "bob", 24*time.Hour), clitest.DBFile())
	if !strings.HasSuffix(s.DBPath, "emulator.db") {
		t.Errorf("DBPath %q", s.DBPath)
	}
	now := func() time.Time { return then.Add(time.Hour) }
	cli := clitest.CLI{Env: s.Env, Now: now}
	if r := cli.Run("keys", "create", "--name", "ci", "-q"); r.Code != 0 {
		t.Fatalf("create: %+v", r)
	}
	if k := s.Keys(); len(k) != 1 || !k[0].CreatedAt.Equal(then) {
		t.Fatalf("the emulator's clock was not used: %+v", k)
	}
	fake := &prompt.Fake{Answers: []string{"n"}}
	r := clitest.CLI{Env: s.Env, Now: now, StdinTTY: true, StdoutTTY: true, Prompter: fake}.Run("keys", "revoke", "ci")
	if r.Code != 1 || len(fake.Asked) != 1 || !strings.Contains(fake.Asked[0], `Revoke "ci"`) {
		t.Fatalf("prompt: %+v, asked %q", r, fake.Asked)
	}
	if k := s.Keys(); k[0].Status != "active" {
		t.Fatalf("declined revoke changed the key: %+v", k[0])
	}
	if r := (clitest.CLI{Env: s.Env}).Run("keys", "revoke", "ci"); r.Code != 2 {
		t.Errorf("without a terminal revoke needs --yes: %+v", r)
	}
}

func TestFactory(t *testing.T) {
	f, out, errOut := clitest.Factory(map[string]string{"MB_ORG": "acme"})
	if f.Getenv("MB_ORG") != "acme" || f.Getenv("MB_PROJECT") != "" {
		t.Error("the factory does not read the given environment alone")
	}
	_, _ = f.IOStreams.Out.Write([]byte("x"))
	_, _ = f.IOStreams.ErrOut.Write([]byte("y"))
	if out.String() != "x" || errOut.String() != "y" {
		t.Errorf("streams %q %q", out, errOut)
	}
}

func TestServe(t *testing.T) {
	cfg := emulator.DefaultConfig()
	cfg.DBPath = ":memory:"
	e, url, stop, err := clitest.Serve(cfg, nil, clitest.Seed{Org: "acme", Project: "web", Keys: 2}, clitest.Seed{Org: "globex", Project: "site"})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, org := range []string{"acme", "globex"} {
		tok, err := e.MintToken(emulator.TokenRequest{Org: org, Role: "owner", Subject: "s", TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"MB_API_URL": url, "MB_TOKEN": tok, "MB_CONFIG_DIR": t.TempDir(), "MB_NO_KEYRING": "1"}
		project, want := "web", 2
		if org == "globex" {
			project, want = "site", 0
		}
		out, stderr, code := clitest.Run(env, "keys", "list", "--org", org, "--project", project, "-o", "json")
		var keys []map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &keys) != nil || len(keys) != want {
			t.Errorf("%s/%s: exit %d, %q, %q; want %d keys", org, project, code, out, stderr, want)
		}
	}
}
