package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/app"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/api"
	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

type ctxKey struct{}

// parseAPI runs the api command's flag parsing and validation on args; run
// gets the options and the context when they are valid.
func parseAPI(t *testing.T, args ...string) (*api.Options, error) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := cmdutil.New(ios, func(string) string { return "" })
	var got *api.Options
	cmd := api.NewCmdAPI(f, func(ctx context.Context, o *api.Options) error {
		if ctx.Value(ctxKey{}) != "the command's" {
			t.Errorf("%v: runF got another context", args)
		}
		got = o
		return nil
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.WithValue(context.Background(), ctxKey{}, "the command's"))
	if err == nil && (got == nil || got.IO != ios || got.APIClient == nil || got.Printer == nil) {
		t.Fatalf("%v: options %+v", args, got)
	}
	return got, err
}

func TestAPIFlags(t *testing.T) {
	o, err := parseAPI(t, "/app/v1/organizations/{org}")
	if err != nil || o.Path != "/app/v1/organizations/{org}" || o.Method != "" || o.Paginate || o.KeyStdin || o.Include {
		t.Fatalf("defaults: %v %+v", err, o)
	}
	o, err = parseAPI(t, "-X", "PUT", "/p", "-f", "name=x", "-f", "a=b", "-F", "n=1", "-H", "X-A: b", "--paginate", "-i", "--key-stdin")
	if err != nil || o.Method != "PUT" || o.Path != "/p" || strings.Join(o.RawFields, ",") != "name=x,a=b" ||
		strings.Join(o.TypedFields, ",") != "n=1" || strings.Join(o.Headers, ",") != "X-A: b" || !o.Paginate || !o.Include || !o.KeyStdin {
		t.Fatalf("flags: %v %+v", err, o)
	}

	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLWJ5dGVz"
	for _, c := range []struct {
		args     []string
		fragment string // a usage error that says this; "" for cobra's own flag errors
	}{
		{nil, "give one PATH"},
		{[]string{"/a", "/b"}, "got 2 arguments"},
		{[]string{jwt}, "looks like a secret"},
		{[]string{"abcdefGHIJKLmnopqrstuvwxyz012345"}, "looks like a secret"},
		{[]string{"/p", "--token", "x"}, ""},
		{[]string{"/p", "--columns", "id"}, ""},
	} {
		_, err := parseAPI(t, c.args...)
		if err == nil {
			t.Errorf("%v: accepted", c.args)
			continue
		}
		if c.fragment != "" && (!cmdutil.IsUsage(err) || !strings.Contains(err.Error(), c.fragment)) {
			t.Errorf("%v: %v, want a usage error about %q", c.args, err, c.fragment)
		}
		if strings.Contains(err.Error(), jwt) || strings.Contains(err.Error(), "abcdefGHIJKL") {
			t.Errorf("%v: the error echoes a secret: %v", c.args, err)
		}
	}
}

// TestAPIRun sends requests through the real command tree to an in-process
// emulator and checks what they print and what they leave behind.
func TestAPIRun(t *testing.T) {
	ctx := context.Background()
	e, err := emulator.Open(ctx, emulator.Config{DBPath: ":memory:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if _, err := e.Seed(ctx, "acme", "web"); err != nil {
		t.Fatal(err)
	}
	tok, err := e.MintToken(emulator.TokenRequest{Org: "acme", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	env := map[string]string{"MB_API_URL": srv.URL, "MB_TOKEN": tok, "MB_ORG": "acme", "MB_PROJECT": "web",
		"MB_CONFIG_DIR": t.TempDir(), "MB_NO_KEYRING": "1"}
	run := func(args ...string) (string, string, int) {
		ios, _, out, errOut := iostreams.Test()
		code := app.RunFactory(ctx, append([]string{"api"}, args...), cmdutil.New(ios, func(k string) string { return env[k] }))
		return out.String(), errOut.String(), code
	}
	keys := "/app/v1/organizations/{org}/projects/{project}/api-keys"

	out, errOut, code := run(keys, "-f", "name=from-api")
	var created struct{ ID, Name, Key string }
	if code != 0 || errOut != "" || json.Unmarshal([]byte(out), &created) != nil || created.Name != "from-api" || created.Key == "" {
		t.Fatalf("POST: %d %q %q", code, out, errOut)
	}
	// The key is in the emulator: listed through the command, and by its id.
	if out, _, code = run(keys, "--paginate", "--jq", ".[].name"); code != 0 || out != "from-api\n" {
		t.Errorf("GET --paginate: %d %q", code, out)
	}
	req := httptest.NewRequest("GET", "/app/v1/organizations/acme/projects/web/api-keys/"+created.ID, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"from-api"`) {
		t.Errorf("the created key in the emulator: %d %s", rec.Code, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), created.Key) {
		t.Error("the emulator returned the secret again")
	}

	// A 404 is exit 5 with the API's status on stderr and nothing on stdout;
	// a refused header is exit 2 and sends nothing.
	if out, errOut, code = run("/app/v1/organizations/{org}/projects/nope/api-keys"); code != cmdutil.ExitNotFound || out != "" || !strings.Contains(errOut, "HTTP 404") {
		t.Errorf("404: %d %q %q", code, out, errOut)
	}
	if out, errOut, code = run(keys, "-H", "Authorization: Bearer x"); code != cmdutil.ExitUsage || out != "" || !strings.Contains(errOut, "Authorization cannot be set") {
		t.Errorf("Authorization header: %d %q %q", code, out, errOut)
	}
	if strings.Contains(errOut, tok) {
		t.Error("the token is on stderr")
	}
}
