package keys_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
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
	log := &requestLog{}
	return newEnv(t, clitest.SeedKeys(n), clitest.Wrap(log.wrap)), log
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
	all := e.Keys()
	log.take()
	pages := (len(all) + 99) / 100

	k := keyNamed(t, all, "bulk-key-04242")
	r := e.run(false, nil, "keys", "show", k.ID, "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"name": "bulk-key-04242"`) {
		t.Fatalf("show by id: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := log.take(); len(got) != 1 || !strings.HasPrefix(got[0], "GET ") {
		t.Errorf("keys show <full id> at %d keys sent %d requests, want 1 GET: %v", n, len(got), got)
	}

	// Upper-case ids are ids too.
	r = e.run(false, nil, "keys", "show", strings.ToUpper(k.ID), "-o", "json")
	if got := log.take(); r.Code != 0 || len(got) != 1 {
		t.Errorf("keys show <FULL ID>: exit %d, %d requests", r.Code, len(got))
	}

	// Three names and a prefix: one listing for all of them.
	p := keyNamed(t, all, "bulk-key-00007")
	r = e.run(false, nil, "keys", "revoke", "bulk-key-00001", "bulk-key-00002", "BULK-KEY-00003", p.ID[:13], "--dry-run", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("revoke --dry-run: exit %d\n%s", r.Code, r.Stderr)
	}
	if got := log.take(); len(got) != pages {
		t.Errorf("4 names/prefixes sent %d requests, want one listing (%d pages)", len(got), pages)
	}

	// A name that is no key: the listing, and nothing else.
	r = e.run(false, nil, "keys", "show", "no-such-key")
	if r.Code != 5 {
		t.Errorf("unknown name: exit %d, want 5", r.Code)
	}
	if got := log.take(); len(got) != pages {
		t.Errorf("unknown name sent %d requests, want the listing (%d pages)", len(got), pages)
	}

	// Revoke and delete by full id: the one request that acts, and its answer.
	rk := keyNamed(t, all, "bulk-key-05000")
	r = e.run(false, nil, "keys", "revoke", rk.ID, "--yes", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"name": "bulk-key-05000"`) || !strings.Contains(r.Stdout, `"status": "revoked"`) {
		t.Fatalf("revoke by id: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := log.take(); len(got) != 1 || !strings.HasPrefix(got[0], "PUT ") {
		t.Errorf("keys revoke <full id> --yes at %d keys sent %v, want 1 PUT", n, got)
	}
	dk := keyNamed(t, all, "bulk-key-05001")
	r = e.run(false, nil, "keys", "delete", dk.ID, "--yes", "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, `"deleted": true`) {
		t.Fatalf("delete by id: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if got := log.take(); len(got) != 1 || !strings.HasPrefix(got[0], "DELETE ") {
		t.Errorf("keys delete <full id> --yes sent %v, want 1 DELETE", got)
	}
	// Several names: one listing and one request per key, no read-back.
	r = e.run(false, nil, "keys", "revoke", "bulk-key-06001", "bulk-key-06002", "bulk-key-06003", "--yes", "-o", "json")
	if r.Code != 0 {
		t.Fatalf("revoke 3 names: exit %d\n%s", r.Code, r.Stderr)
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
			if r.Code != 5 {
				t.Errorf("%v: exit %d, want 5\n%s", args, r.Code, r.Stderr)
			}
			bare := strings.TrimPrefix(arg, "id:")
			if len(bare) >= 20 && (strings.Contains(r.Stderr, bare) || strings.Contains(r.Stdout, bare)) {
				t.Errorf("%v: the argument was echoed:\n%s", args, r.Stderr)
			}
			for _, req := range log.take() {
				if strings.Contains(req, bare) || !strings.Contains(req, "/api-keys?") {
					t.Errorf("%v: sent %s; only a listing may be sent", args, req)
				}
			}
		}
	}
	if r := e.run(false, nil, "keys", "show", "id:abc"); r.Code != 5 {
		t.Errorf("id:abc (too short): exit %d, want 5", r.Code)
	}
	if got := log.take(); len(got) != 0 {
		t.Errorf("id: with a non-id sent %v", got)
	}
}

// A name that is also a prefix of another key's id is ambiguous: exit 2 with
// both listed and name:/id: offered; each of those then picks its key.
func TestResolveNameVersusIDPrefix(t *testing.T) {
	e, _ := newCountingEnv(t, 3)
	other := keyNamed(t, e.Keys(), "bulk-key-00002")
	prefix := other.ID[:4]
	if r := e.run(false, nil, "keys", "create", "--name", prefix, "-q"); r.Code != 0 {
		t.Fatalf("create: exit %d\n%s", r.Code, r.Stderr)
	}
	named := keyNamed(t, e.Keys(), prefix)

	r := e.run(false, nil, "keys", "revoke", prefix, "--yes")
	if r.Code != 2 {
		t.Fatalf("ambiguous argument: exit %d, want 2\n%s", r.Code, r.Stderr)
	}
	for _, want := range []string{named.ID, other.ID, "name:" + prefix, "id:" + prefix} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("the error does not mention %q:\n%s", want, r.Stderr)
		}
	}
	for _, k := range e.Keys() {
		if k.Status != "active" && (k.ID == named.ID || k.ID == other.ID) {
			t.Fatalf("an ambiguous revoke changed %s", k.Name)
		}
	}

	r = e.run(false, nil, "keys", "show", "name:"+prefix, "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, named.ID) {
		t.Errorf("name:%s: exit %d\n%s%s", prefix, r.Code, r.Stdout, r.Stderr)
	}
	r = e.run(false, nil, "keys", "show", "id:"+prefix, "-o", "json")
	if r.Code != 0 || !strings.Contains(r.Stdout, other.ID) {
		t.Errorf("id:%s: exit %d\n%s%s", prefix, r.Code, r.Stdout, r.Stderr)
	}
}
