package keys_test

import (
	"bytes"
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/prompt"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// created is the emulator's clock; the CLI's clock runs three hours later.
var created = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	emu    *emulator.Emulator
	client *api.Client
	vars   map[string]string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cfg := emulator.DefaultConfig()
	cfg.DBPath = ":memory:"
	cfg.RateLimit = 0
	cfg.Now = func() time.Time { return created }
	ctx := context.Background()
	e, err := emulator.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Seed(ctx, "acme", "web"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(func() { srv.Close(); e.Close() })
	tok, err := e.MintToken(emulator.TokenRequest{Org: "acme", Role: "owner", Subject: "alice", TTL: 24 * time.Hour * 365})
	if err != nil {
		t.Fatal(err)
	}
	client, err := api.New(api.Options{BaseURL: srv.URL, Token: tok, UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, emu: e, client: client, vars: map[string]string{
		"MB_API_URL": srv.URL, "MB_TOKEN": tok, "MB_ORG": "acme", "MB_PROJECT": "web",
		"MB_CONFIG_DIR": t.TempDir(), "MB_NO_KEYRING": "1",
	}}
}

type result struct {
	stdout, stderr string
	code           int
}

// run executes a command line; tty makes stdin and stdout terminals, answers
// script the prompts.
func (e *env) run(tty bool, answers []string, args ...string) result {
	e.t.Helper()
	ios, _, out, errOut := iostreams.Test()
	ios.SetStdinTTY(tty)
	ios.SetStdoutTTY(tty)
	f := cmdutil.New(ios, func(k string) string { return e.vars[k] })
	f.Now = func() time.Time { return created.Add(3 * time.Hour) }
	fake := &prompt.Fake{Answers: answers}
	f.NewPrompter = func() prompt.Prompter { return fake }
	code := app.RunFactory(context.Background(), args, f)
	return result{out.String(), errOut.String(), code}
}

func (e *env) keys() []api.Key {
	e.t.Helper()
	all, err := e.client.ListAllKeys(context.Background(), "acme", "web", api.ListOptions{Limit: 100}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return all
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	keyRE  = regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`)
)

// normalize replaces the random parts (ids, secrets) with stable placeholders.
func normalize(s string) string {
	ids := map[string]string{}
	s = uuidRE.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := ids[id]; !ok {
			ids[id] = "<ID" + string(rune('0'+len(ids)+1)) + ">"
		}
		return ids[id]
	})
	return keyRE.ReplaceAllString(s, "<SECRET>")
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	got = normalize(got)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestCreateListShowGolden(t *testing.T) {
	e := newEnv(t)
	r := e.run(false, nil, "keys", "create", "--name", "iOS Production App")
	if r.code != 0 || !strings.Contains(r.stderr, "shown only once") {
		t.Fatalf("create: %+v", r)
	}
	golden(t, "create_table", r.stdout)
	keys := e.keys()
	if len(keys) != 1 || keys[0].Name != "iOS Production App" || keys[0].Key != "" {
		t.Fatalf("server state after create: %+v", keys)
	}
	if !strings.Contains(r.stdout, "Key:") {
		t.Fatalf("the secret is missing from the create output: %q", r.stdout)
	}

	r = e.run(false, nil, "keys", "create", "--name", "Android \x1b[2J app", "-o", "json")
	if r.code != cmdutil.ExitUsage {
		t.Fatalf("a name with an escape sequence must be refused locally: %+v", r)
	}
	r = e.run(false, nil, "keys", "create", "--name", "Android", "-o", "yaml")
	if r.code != 0 {
		t.Fatalf("create yaml: %+v", r)
	}
	golden(t, "create_yaml", r.stdout)

	for _, tc := range []struct {
		name string
		tty  bool
		args []string
	}{
		{"list_tty", true, []string{"keys", "list", "--sort", "name"}},
		{"list_piped", false, []string{"keys", "list", "--sort", "name"}},
		{"list_json", false, []string{"keys", "list", "--sort", "name", "-o", "json"}},
		{"list_yaml", false, []string{"keys", "list", "--sort", "name", "-o", "yaml"}},
		{"show_table", true, []string{"keys", "show", "ios production app"}},
		{"show_json", false, []string{"keys", "show", "Android", "-o", "json"}},
	} {
		r := e.run(tc.tty, nil, tc.args...)
		if r.code != 0 {
			t.Fatalf("%s: %+v", tc.name, r)
		}
		golden(t, tc.name, r.stdout)
	}
}

func TestRevokePromptDeclineChangesNothing(t *testing.T) {
	e := newEnv(t)
	if r := e.run(false, nil, "keys", "create", "--name", "ci", "-q"); r.code != 0 {
		t.Fatalf("create: %+v", r)
	}
	r := e.run(true, []string{"n"}, "keys", "revoke", "ci")
	if r.code != cmdutil.ExitError || !strings.Contains(r.stderr, "nothing was changed") {
		t.Fatalf("decline: %+v", r)
	}
	if k := e.keys(); k[0].Status != "active" {
		t.Fatalf("declined revoke changed the key: %+v", k[0])
	}
	r = e.run(true, []string{"y"}, "keys", "revoke", "ci")
	if r.code != 0 || !strings.Contains(r.stdout, "revoked") {
		t.Fatalf("confirm: %+v", r)
	}
	if k := e.keys(); k[0].Status != "revoked" {
		t.Fatalf("confirmed revoke did not revoke: %+v", k[0])
	}
}

func TestRevokeQuestionNamesTheKey(t *testing.T) {
	e := newEnv(t)
	e.run(false, nil, "keys", "create", "--name", "iOS Production App", "-q")
	fake := &prompt.Fake{Answers: []string{"n"}}
	ios, _, _, _ := iostreams.Test()
	ios.SetStdinTTY(true)
	f := cmdutil.New(ios, func(k string) string { return e.vars[k] })
	f.NewPrompter = func() prompt.Prompter { return fake }
	app.RunFactory(context.Background(), []string{"keys", "revoke", "iOS Production App"}, f)
	id := e.keys()[0].ID
	want := `Revoke "iOS Production App" (` + id[:8] + `)? Apps using it lose access immediately.`
	if len(fake.Asked) != 1 || !strings.Contains(fake.Asked[0], want) {
		t.Fatalf("asked %q, want %q", fake.Asked, want)
	}
}

func TestQuietCreatePrintsOnlyTheSecret(t *testing.T) {
	e := newEnv(t)
	r := e.run(false, nil, "keys", "create", "--name", "ci", "-q")
	if r.code != 0 || !regexp.MustCompile(`^[A-Za-z0-9]{32}\n$`).MatchString(r.stdout) || r.stderr != "" {
		t.Fatalf("-q: %+v", r)
	}
	var buf bytes.Buffer
	buf.WriteString(r.stdout)
	res, err := e.client.CheckKey(context.Background(), "acme", "web", strings.TrimSpace(buf.String()))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the printed secret does not work: %+v %v", res, err)
	}
}
