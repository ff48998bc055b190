package keys_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/prompt"
	"github.com/metabind/metabind-cli/internal/testsupport"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// created is the emulator's clock; the CLI's clock runs three hours later.
var created = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// env is the shared emulator harness on the emulator's clock, with a token
// that outlives the CLI's clock.
type env struct{ *clitest.Server }

func newEnv(t *testing.T, opts ...clitest.Option) *env {
	t.Helper()
	opts = append([]clitest.Option{
		clitest.Clock(func() time.Time { return created }),
		clitest.AdminToken("owner", "alice", 24*time.Hour*365),
	}, opts...)
	return &env{clitest.Emulator(t, opts...)}
}

// run executes a command line on the CLI's clock; tty makes stdin and stdout
// terminals, answers script the prompts.
func (e *env) run(tty bool, answers []string, args ...string) clitest.Result {
	return clitest.CLI{
		Env: e.Env, Now: func() time.Time { return created.Add(3 * time.Hour) },
		StdinTTY: tty, StdoutTTY: tty, Prompter: &prompt.Fake{Answers: answers},
	}.Run(args...)
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
	testsupport.Golden(t, filepath.Join("testdata", name+".golden"), []byte(normalize(got)))
}

func TestCreateListShowGolden(t *testing.T) {
	e := newEnv(t)
	r := e.run(false, nil, "keys", "create", "--name", "iOS Production App")
	if r.Code != 0 || !strings.Contains(r.Stderr, "shown only once") {
		t.Fatalf("create: %+v", r)
	}
	golden(t, "create_table", r.Stdout)
	keys := e.Keys()
	if len(keys) != 1 || keys[0].Name != "iOS Production App" || keys[0].Key != "" {
		t.Fatalf("server state after create: %+v", keys)
	}
	if !strings.Contains(r.Stdout, "Key:") {
		t.Fatalf("the secret is missing from the create output: %q", r.Stdout)
	}

	r = e.run(false, nil, "keys", "create", "--name", "Android \x1b[2J app", "-o", "json")
	if r.Code != cmdutil.ExitUsage {
		t.Fatalf("a name with an escape sequence must be refused locally: %+v", r)
	}
	r = e.run(false, nil, "keys", "create", "--name", "Android", "-o", "yaml")
	if r.Code != 0 {
		t.Fatalf("create yaml: %+v", r)
	}
	golden(t, "create_yaml", r.Stdout)

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
		if r.Code != 0 {
			t.Fatalf("%s: %+v", tc.name, r)
		}
		golden(t, tc.name, r.Stdout)
	}
}

func TestRevokePromptDeclineChangesNothing(t *testing.T) {
	e := newEnv(t)
	if r := e.run(false, nil, "keys", "create", "--name", "ci", "-q"); r.Code != 0 {
		t.Fatalf("create: %+v", r)
	}
	r := e.run(true, []string{"n"}, "keys", "revoke", "ci")
	if r.Code != cmdutil.ExitError || !strings.Contains(r.Stderr, "nothing was changed") {
		t.Fatalf("decline: %+v", r)
	}
	if k := e.Keys(); k[0].Status != "active" {
		t.Fatalf("declined revoke changed the key: %+v", k[0])
	}
	r = e.run(true, []string{"y"}, "keys", "revoke", "ci")
	if r.Code != 0 || !strings.Contains(r.Stdout, "revoked") {
		t.Fatalf("confirm: %+v", r)
	}
	if k := e.Keys(); k[0].Status != "revoked" {
		t.Fatalf("confirmed revoke did not revoke: %+v", k[0])
	}
}

func TestRevokeQuestionNamesTheKey(t *testing.T) {
	e := newEnv(t)
	e.run(false, nil, "keys", "create", "--name", "iOS Production App", "-q")
	fake := &prompt.Fake{Answers: []string{"n"}}
	clitest.CLI{Env: e.Env, StdinTTY: true, Prompter: fake}.Run("keys", "revoke", "iOS Production App")
	id := e.Keys()[0].ID
	want := `Revoke "iOS Production App" (` + id[:8] + `)? Apps using it lose access immediately.`
	if len(fake.Asked) != 1 || !strings.Contains(fake.Asked[0], want) {
		t.Fatalf("asked %q, want %q", fake.Asked, want)
	}
}

func TestQuietCreatePrintsOnlyTheSecret(t *testing.T) {
	e := newEnv(t)
	r := e.run(false, nil, "keys", "create", "--name", "ci", "-q")
	if r.Code != 0 || !regexp.MustCompile(`^[A-Za-z0-9]{32}\n$`).MatchString(r.Stdout) || r.Stderr != "" {
		t.Fatalf("-q: %+v", r)
	}
	var buf bytes.Buffer
	buf.WriteString(r.Stdout)
	res, err := e.Client().CheckKey(context.Background(), "acme", "web", strings.TrimSpace(buf.String()))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the printed secret does not work: %+v %v", res, err)
	}
}
