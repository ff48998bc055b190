package keys_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/emulator"
)

// requestLog records every request the emulator answers: method, escaped path
// and query.
type requestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r.Method+" "+r.URL.RequestURI())
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// take returns the requests since the last call and forgets them.
func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.reqs
	l.reqs = nil
	return out
}

// newCountingEnv is newEnv with n seeded keys (bulk-key-00001…) and every
// request logged.
func newCountingEnv(t *testing.T, n int) (*env, *requestLog) {
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
	if n > 0 {
		if _, err := e.SeedKeys(ctx, "acme", "web", n); err != nil {
			t.Fatal(err)
		}
	}
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(e.Handler()))
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
	}}, log
}

func keyNamed(t *testing.T, all []api.Key, name string) api.Key {
	t.Helper()
	for _, k := range all {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no key named %q", name)
	return api.Key{}
}

// A full id is one GET, whatever the number of keys; names and prefixes list
// once per command, however many arguments there are.
func TestResolveRequestCountAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 keys")
	}
	const n = 10000
	e, log := newCountingEnv(t, n)
	all := e.keys()
	log.take()
	pages := (len(all) + 99) / 100

	k := keyNamed(t, all, "bulk-key-04242")
	r := e.run(false, nil, "keys", "show", k.ID, "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"name": "bulk-key-04242"`) {
		t.Fatalf("show by id: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := log.take(); len(got) != 1 || !strings.HasPrefix(got[0], "GET ") {
		t.Errorf("keys show <full id> at %d keys sent %d requests, want 1 GET: %v", n, len(got), got)
	}

	// Upper-case ids are ids too.
	r = e.run(false, nil, "keys", "show", strings.ToUpper(k.ID), "-o", "json")
	if got := log.take(); r.code != 0 || len(got) != 1 {
		t.Errorf("keys show <FULL ID>: exit %d, %d requests", r.code, len(got))
	}

	// Three names and a prefix: one listing for all of them.
	p := keyNamed(t, all, "bulk-key-00007")
	r = e.run(false, nil, "keys", "revoke", "bulk-key-00001", "bulk-key-00002", "BULK-KEY-00003", p.ID[:13], "--dry-run", "-o", "json")
	if r.code != 0 {
		t.Fatalf("revoke --dry-run: exit %d\n%s", r.code, r.stderr)
	}
	if got := log.take(); len(got) != pages {
		t.Errorf("4 names/prefixes sent %d requests, want one listing (%d pages)", len(got), pages)
	}

	// A name that is no key: the listing, and nothing else.
	r = e.run(false, nil, "keys", "show", "no-such-key")
	if r.code != 5 {
		t.Errorf("unknown name: exit %d, want 5", r.code)
	}
	if got := log.take(); len(got) != pages {
		t.Errorf("unknown name sent %d requests, want the listing (%d pages)", len(got), pages)
	}

	// Revoke and delete by full id: the one request that acts, and its answer.
	rk := keyNamed(t, all, "bulk-key-05000")
	r = e.run(false, nil, "keys", "revoke", rk.ID, "--yes", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"name": "bulk-key-05000"`) || !strings.Contains(r.stdout, `"status": "revoked"`) {
		t.Fatalf("revoke by id: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := log.take(); len(got) != 1 || !strings.HasPrefix(got[0], "PUT ") {
		t.Errorf("keys revoke <full id> --yes at %d keys sent %v, want 1 PUT", n, got)
	}
	dk := keyNamed(t, all, "bulk-key-05001")
	r = e.run(false, nil, "keys", "delete", dk.ID, "--yes", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"deleted": true`) {
		t.Fatalf("delete by id: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := log.take(); len(got) != 1 || !strings.HasPrefix(got[0], "DELETE ") {
		t.Errorf("keys delete <full id> --yes sent %v, want 1 DELETE", got)
	}
	// Several names: one listing and one request per key, no read-back.
	r = e.run(false, nil, "keys", "revoke", "bulk-key-06001", "bulk-key-06002", "bulk-key-06003", "--yes", "-o", "json")
	if r.code != 0 {
		t.Fatalf("revoke 3 names: exit %d\n%s", r.code, r.stderr)
	}
	if got := log.take(); len(got) != pages+3 {
		t.Errorf("revoking 3 keys by name sent %d requests, want %d (listing) + 3", len(got), pages)
	}
	t.Logf("%d keys: show|revoke|delete <full id> = 1 request; 4 names/prefixes = %d requests (one listing)", n, pages)
}

// Key-shaped and other non-id arguments never reach a URL path or --debug.
func TestResolveNeverSendsNonIDs(t *testing.T) {
	e, log := newCountingEnv(t, 3)
	secretish := []string{
		"customKey_0123456789",
		"sk_live_7zvFJw9L0qEoYdKx2mBt1sLpZj3nX7gW",
		"7zvFJw9L0qEoYdKx2mBt",    // the first 20 characters of a key
		"id:customKey_0123456789", // not an id form
		"deadbeef-nothex-zz",
	}
	for _, arg := range secretish {
		for _, verb := range [][]string{{"show"}, {"revoke", "--yes"}, {"delete", "--yes"}, {"rename"}} {
			args := append([]string{"keys", verb[0], arg}, verb[1:]...)
			if verb[0] == "rename" {
				args = append(args, "new-name")
			}
			args = append(args, "--debug")
			r := e.run(false, nil, args...)
			if r.code != 5 {
				t.Errorf("%v: exit %d, want 5\n%s", args, r.code, r.stderr)
			}
			bare := strings.TrimPrefix(arg, "id:")
			if len(bare) >= 20 && (strings.Contains(r.stderr, bare) || strings.Contains(r.stdout, bare)) {
				t.Errorf("%v: the argument was echoed:\n%s", args, r.stderr)
			}
			for _, req := range log.take() {
				if strings.Contains(req, bare) || !strings.Contains(req, "/api-keys?") {
					t.Errorf("%v: sent %s; only a listing may be sent", args, req)
				}
			}
		}
	}
	if r := e.run(false, nil, "keys", "show", "id:abc"); r.code != 5 {
		t.Errorf("id:abc (too short): exit %d, want 5", r.code)
	}
	if got := log.take(); len(got) != 0 {
		t.Errorf("id: with a non-id sent %v", got)
	}
}

// A name that is also a prefix of another key's id is ambiguous: exit 2 with
// both listed and name:/id: offered; each of those then picks its key.
func TestResolveNameVersusIDPrefix(t *testing.T) {
	e, _ := newCountingEnv(t, 3)
	other := keyNamed(t, e.keys(), "bulk-key-00002")
	prefix := other.ID[:4]
	if r := e.run(false, nil, "keys", "create", "--name", prefix, "-q"); r.code != 0 {
		t.Fatalf("create: exit %d\n%s", r.code, r.stderr)
	}
	named := keyNamed(t, e.keys(), prefix)

	r := e.run(false, nil, "keys", "revoke", prefix, "--yes")
	if r.code != 2 {
		t.Fatalf("ambiguous argument: exit %d, want 2\n%s", r.code, r.stderr)
	}
	for _, want := range []string{named.ID, other.ID, "name:" + prefix, "id:" + prefix} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the error does not mention %q:\n%s", want, r.stderr)
		}
	}
	for _, k := range e.keys() {
		if k.Status != "active" && (k.ID == named.ID || k.ID == other.ID) {
			t.Fatalf("an ambiguous revoke changed %s", k.Name)
		}
	}

	r = e.run(false, nil, "keys", "show", "name:"+prefix, "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, named.ID) {
		t.Errorf("name:%s: exit %d\n%s%s", prefix, r.code, r.stdout, r.stderr)
	}
	r = e.run(false, nil, "keys", "show", "id:"+prefix, "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, other.ID) {
		t.Errorf("id:%s: exit %d\n%s%s", prefix, r.code, r.stdout, r.stderr)
	}
}
