package emulator

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type tagsJSON struct {
	Data []struct {
		ID, Name, Slug string
	} `json:"data"`
	Pagination struct {
		Limit   int     `json:"limit"`
		LastKey *string `json:"lastKey"`
	} `json:"pagination"`
}

type contentJSON struct {
	ID            string          `json:"id"`
	ContentTypeID string          `json:"contentTypeId"`
	Name          string          `json:"name"`
	Status        string          `json:"status"`
	PublishedAt   *string         `json:"publishedAt"`
	Data          json.RawMessage `json:"data"`
}

func draftContentID(t *testing.T, h *harness) string {
	t.Helper()
	var id string
	if err := h.e.store.r.QueryRow(`SELECT id FROM content WHERE status = 'draft' LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestClientContent(t *testing.T) {
	h := newHarness(t)
	k := h.create("reader")
	get := func(rest string) *httpRecorder {
		return h.raw("GET", clientPath(testOrg, testProject, rest), "", withKey(k.Key))
	}

	w := get("tags")
	if w.Code != 200 {
		t.Fatalf("tags: %d %s", w.Code, w.Body.String())
	}
	tags := decode[tagsJSON](t, w)
	if len(tags.Data) != len(seedTags) || tags.Pagination.Limit != 20 || tags.Pagination.LastKey != nil {
		t.Errorf("tags: %+v", tags)
	}
	for _, tg := range tags.Data {
		if tg.ID == "" || tg.Name == "" || tg.Slug == "" {
			t.Errorf("tag %+v", tg)
		}
	}
	// Pagination, the cheapest check call included.
	w = get("tags?limit=1")
	page := decode[tagsJSON](t, w)
	if len(page.Data) != 1 || page.Pagination.LastKey == nil {
		t.Fatalf("tags?limit=1: %s", w.Body.String())
	}
	var all []string
	cursor := ""
	for {
		q := "tags?limit=3"
		if cursor != "" {
			q += "&lastKey=" + cursor
		}
		p := decode[tagsJSON](t, get(q))
		for _, tg := range p.Data {
			all = append(all, tg.Slug)
		}
		if p.Pagination.LastKey == nil {
			break
		}
		cursor = *p.Pagination.LastKey
	}
	if len(all) != len(seedTags) {
		t.Errorf("paged tags %v", all)
	}
	expectError(t, get("tags?limit=0"), 400, "BAD_REQUEST")
	expectError(t, get("tags?lastKey=nope"), 400, "BAD_REQUEST")
	// A cursor of one list is refused by another.
	expectError(t, get("content?lastKey="+*page.Pagination.LastKey), 400, "BAD_REQUEST")

	// Content types: the draft one is hidden.
	var types struct {
		Data []struct{ ID, Name, Status string } `json:"data"`
	}
	if err := json.Unmarshal(get("content-types").Body.Bytes(), &types); err != nil {
		t.Fatal(err)
	}
	if len(types.Data) != 2 {
		t.Errorf("content types %+v", types.Data)
	}
	for _, ct := range types.Data {
		if ct.Status != "published" {
			t.Errorf("draft content type served: %+v", ct)
		}
	}

	// Content: published only, in lists and by id.
	var list struct {
		Data []contentJSON `json:"data"`
	}
	if err := json.Unmarshal(get("content").Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Data) != 4 {
		t.Fatalf("content: %d items", len(list.Data))
	}
	for _, c := range list.Data {
		if c.Status != "published" || c.PublishedAt == nil || !isoSecond.MatchString(*c.PublishedAt) || !json.Valid(c.Data) || c.ContentTypeID == "" {
			t.Errorf("content item %+v", c)
		}
	}
	var filtered struct {
		Data []contentJSON `json:"data"`
	}
	if err := json.Unmarshal(get("content?contentTypeId="+types.Data[0].ID).Body.Bytes(), &filtered); err != nil {
		t.Fatal(err)
	}
	if len(filtered.Data) != 2 || filtered.Data[0].ContentTypeID != types.Data[0].ID {
		t.Errorf("filtered content: %+v", filtered.Data)
	}
	w = get("content/" + list.Data[0].ID)
	if w.Code != 200 || decode[contentJSON](t, w).Name != list.Data[0].Name {
		t.Errorf("content by id: %d %s", w.Code, w.Body.String())
	}
	expectError(t, get("content/"+draftContentID(t, h)), 404, "NOT_FOUND")
	expectError(t, get("content/nope"), 404, "NOT_FOUND")
	mustContain(t, get("content").Body.Bytes(), "draft", false)
}

// The access matrix: project × method × route.
func TestClientAccessMatrix(t *testing.T) {
	h := newHarness(t)
	if _, err := h.e.Seed(t.Context(), testOrg, "mobile"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.e.Seed(t.Context(), "globex", testProject); err != nil {
		t.Fatal(err)
	}
	k := h.create("reader")
	routes := []string{"tags", "content", "content-types", "content/" + draftContentID(t, h)}
	projects := []struct {
		org, project string
		own          bool
	}{{testOrg, testProject, true}, {testOrg, "mobile", false}, {"globex", testProject, false}, {"nowhere", "none", false}}
	for _, p := range projects {
		for _, method := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			for _, route := range routes {
				w := h.raw(method, clientPath(p.org, p.project, route), "", withKey(k.Key))
				want := 200
				switch {
				case p.org == "nowhere":
					want = 404 // an unknown organization or project
				case !p.own:
					want = 403
				case method == "OPTIONS":
					want = 405
				case method != "GET" && method != "HEAD":
					want = 403
				case strings.HasPrefix(route, "content/"):
					want = 404 // a draft
				}
				if w.Code != want {
					t.Errorf("%s %s/%s/%s: %d, want %d", method, p.org, p.project, route, w.Code, want)
				}
			}
		}
	}
	// Saved searches are not emulated; unknown resources are 404.
	expectError(t, h.raw("POST", clientPath(testOrg, testProject, "saved-searches/x/execute"), "", withKey(k.Key)), 404, "NOT_FOUND")
	expectError(t, h.raw("GET", clientPath(testOrg, testProject, "widgets"), "", withKey(k.Key)), 404, "NOT_FOUND")
	expectError(t, h.raw("GET", clientPath(testOrg, testProject, "tags/x/y"), "", withKey(k.Key)), 404, "NOT_FOUND")
}

// Missing, malformed, unknown, revoked and deleted keys get the same bytes, and
// a malformed key costs no database lookup.
func TestUnauthorizedIsUniform(t *testing.T) {
	h := newHarness(t)
	revoked := h.create("revoked")
	h.revoke(revoked.ID)
	deleted := h.create("deleted")
	if w := h.admin("DELETE", keysPath(testOrg, testProject)+"/"+deleted.ID, nil); w.Code != 200 {
		t.Fatal(w.Code)
	}
	valid := h.create("valid")
	path := clientPath(testOrg, testProject, "tags?limit=1")

	malformed := map[string]reqOpt{
		"missing":            func(*http.Request) {},
		"empty":              withKey(""),
		"short":              withKey("abc"),
		"10 KB":              withKey(strings.Repeat("A", 10<<10)),
		"257 bytes":          withKey(strings.Repeat("A", 257)),
		"non-ASCII":          withKey(strings.Repeat("é", 16)),
		"NUL":                withKey(strings.Repeat("a", 20) + "\x00"),
		"composite":          withKey(testOrg + ":" + testProject + ":" + valid.Key),
		"two headers":        func(r *http.Request) { r.Header.Add("X-Api-Key", valid.Key); r.Header.Add("X-Api-Key", valid.Key) },
		"bearer not key":     withBearer(valid.Key),
		"inner space":        withKey(valid.Key[:10] + " " + valid.Key[10:]),
		"JWT":                withKey(h.token),
		"key with extra dot": withKey(valid.Key + "."),
	}
	wellFormed := map[string]reqOpt{
		"unknown": withKey(strings.Repeat("Q", 32)),
		"revoked": withKey(revoked.Key),
		"deleted": withKey(deleted.Key),
		"altered": withKey(alterLast(valid.Key)),
	}
	check := func(name string, opt reqOpt, wantLookups int64) {
		t.Helper()
		before := h.e.keyLookups.Load()
		w := h.raw("GET", path, "", opt)
		if w.Code != 401 || !bytes.Equal(w.Body.Bytes(), unauthorizedKeyBody) {
			t.Errorf("%s: %d %q", name, w.Code, w.Body.String())
		}
		if w.Header().Get("WWW-Authenticate") != "" || w.Header().Get("X-RateLimit-Remaining") != "" {
			t.Errorf("%s: extra headers %v", name, w.Header())
		}
		if got := h.e.keyLookups.Load() - before; got != wantLookups {
			t.Errorf("%s: %d database lookups, want %d", name, got, wantLookups)
		}
	}
	for name, opt := range malformed {
		check(name, opt, 0)
	}
	for name, opt := range wellFormed {
		check(name, opt, 1)
	}
	// The header name is case-insensitive and surrounding blanks are not part of
	// the value (HTTP trims them).
	srv := httptest.NewServer(h.e.Handler())
	defer srv.Close()
	for _, name := range []string{"x-api-key", "X-API-KEY", "X-Api-Key"} {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header[name] = []string{"  " + valid.Key + " "}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("header %q: %d", name, resp.StatusCode)
		}
	}
}

func TestLastUsedWindow(t *testing.T) {
	h := newHarness(t)
	k := h.create("used")
	call := func() {
		t.Helper()
		if w := h.raw("GET", clientPath(testOrg, testProject, "tags?limit=1"), "", withKey(k.Key)); w.Code != 200 {
			t.Fatalf("call: %d", w.Code)
		}
	}
	// A failed authentication writes nothing.
	h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key[:31]+"!"))
	h.raw("GET", clientPath(testOrg, "other", "tags"), "", withKey(k.Key))
	if n := h.e.lastUsedWrites.Load(); n != 0 {
		t.Fatalf("%d writes before any successful call", n)
	}
	for i := 0; i < 100; i++ {
		call()
	}
	if n := h.e.lastUsedWrites.Load(); n != 1 {
		t.Fatalf("100 calls in one window: %d writes, want 1", n)
	}
	first := h.show(k.ID)
	h.clock.Advance(59 * time.Second)
	call()
	if n := h.e.lastUsedWrites.Load(); n != 1 {
		t.Fatalf("59 s later: %d writes, want 1", n)
	}
	h.clock.Advance(time.Second)
	call()
	if n := h.e.lastUsedWrites.Load(); n != 2 {
		t.Fatalf("60 s later: %d writes, want 2", n)
	}
	got := h.show(k.ID)
	if *got.LastUsed != "2025-03-20T10:01:00Z" || *first.LastUsed != "2025-03-20T10:00:00Z" || got.UpdatedAt != k.UpdatedAt {
		t.Errorf("lastUsed %s -> %s, updatedAt %s (created %s)", *first.LastUsed, *got.LastUsed, got.UpdatedAt, k.UpdatedAt)
	}
	// The clock going backwards never moves lastUsed back.
	h.clock.Advance(-10 * time.Minute)
	call()
	if got := h.show(k.ID); *got.LastUsed != "2025-03-20T10:01:00Z" || h.e.lastUsedWrites.Load() != 2 {
		t.Errorf("after the clock went back: %s, %d writes", *got.LastUsed, h.e.lastUsedWrites.Load())
	}

	// Resolution 0: every call in a new second writes.
	h0 := newHarness(t, func(c *Config) { c.LastUsedResolution = 0 })
	k0 := h0.create("every")
	for i := 0; i < 5; i++ {
		if w := h0.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k0.Key)); w.Code != 200 {
			t.Fatal(w.Code)
		}
		if got := h0.show(k0.ID); *got.LastUsed != formatTime(h0.clock.Now().Unix()) {
			t.Errorf("call %d: lastUsed %s, now %s", i, *got.LastUsed, formatTime(h0.clock.Now().Unix()))
		}
		h0.clock.Advance(time.Second)
	}
	if n := h0.e.lastUsedWrites.Load(); n != 5 {
		t.Errorf("resolution 0: %d writes, want 5", n)
	}
}

// A failing or blocked lastUsed write never fails the request.
func TestLastUsedFailureIsHarmless(t *testing.T) {
	h := newHarness(t)
	k := h.create("k")
	if _, err := h.e.store.w.Exec(`CREATE TRIGGER fail_last_used BEFORE UPDATE OF last_used ON api_keys
		BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`); err != nil {
		t.Fatal(err)
	}
	if w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key)); w.Code != 200 {
		t.Fatalf("with a failing write: %d %s", w.Code, w.Body.String())
	}
	if got := h.show(k.ID); got.LastUsed != nil {
		t.Errorf("lastUsed written despite the trigger: %v", *got.LastUsed)
	}
	if _, err := h.e.store.w.Exec(`DROP TRIGGER fail_last_used`); err != nil {
		t.Fatal(err)
	}

	// Another process holds the write lock: the write gives up, the call succeeds.
	h.e.lastUsedTimeout = 100 * time.Millisecond
	other, err := sql.Open("sqlite", dsn(h.e.dbPath, false))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE orgs SET name = name`); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Hour)
	w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key))
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if w.Code != 200 {
		t.Fatalf("with the database locked: %d %s", w.Code, w.Body.String())
	}
}

// Revocation and deletion reach a cached key on the very next request.
func TestRevocationBeatsCache(t *testing.T) {
	h := newHarness(t)
	path := clientPath(testOrg, testProject, "tags?limit=1")
	for _, how := range []string{"revoke", "delete"} {
		k := h.create("cached " + how)
		for i := 0; i < 3; i++ {
			if w := h.raw("GET", path, "", withKey(k.Key)); w.Code != 200 {
				t.Fatal(w.Code)
			}
		}
		lookups := h.e.keyLookups.Load()
		if w := h.raw("GET", path, "", withKey(k.Key)); w.Code != 200 || h.e.keyLookups.Load() != lookups {
			t.Fatalf("a cached key was looked up again")
		}
		if how == "revoke" {
			h.revoke(k.ID)
		} else if w := h.admin("DELETE", keysPath(testOrg, testProject)+"/"+k.ID, nil); w.Code != 200 {
			t.Fatal(w.Code)
		}
		if w := h.raw("GET", path, "", withKey(k.Key)); w.Code != 401 {
			t.Errorf("after %s: %d", how, w.Code)
		}
	}
}

// Under concurrent use, no request that starts after the revoke was
// acknowledged succeeds.
func TestConcurrentVerifyAndRevoke(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(h.e.Handler())
	defer srv.Close()
	for round := 0; round < 5; round++ {
		k := h.create("racing " + string(rune('a'+round)))
		var revoked atomic.Bool
		var lateSuccess, total atomic.Int64
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					after := revoked.Load()
					req, _ := http.NewRequest("GET", srv.URL+clientPath(testOrg, testProject, "tags?limit=1"), nil)
					req.Header.Set("X-Api-Key", k.Key)
					resp, err := srv.Client().Do(req)
					if err != nil {
						t.Errorf("request: %v", err)
						return
					}
					resp.Body.Close()
					total.Add(1)
					if after && resp.StatusCode == 200 {
						lateSuccess.Add(1)
					}
					if after {
						return
					}
				}
			}()
		}
		for total.Load() < 20 {
			time.Sleep(time.Millisecond)
		}
		h.revoke(k.ID)
		revoked.Store(true)
		close(stop)
		wg.Wait()
		if n := lateSuccess.Load(); n != 0 {
			t.Fatalf("round %d: %d requests that started after the revoke succeeded", round, n)
		}
	}
}

func TestKeyCacheGeneration(t *testing.T) {
	c := newKeyCache(2)
	d := func(b byte) (out cacheKey) { out.d[0] = b; return }
	_, gen := c.get(d(1))
	c.invalidate("other") // a revoke commits while the lookup is in flight
	c.put(d(1), &verifiedKey{id: "k1"}, gen)
	if k, _ := c.get(d(1)); k != nil {
		t.Fatal("a lookup from before an invalidation was cached")
	}
	_, gen = c.get(d(1))
	c.put(d(1), &verifiedKey{id: "k1"}, gen)
	c.put(d(2), &verifiedKey{id: "k2"}, gen)
	c.put(d(3), &verifiedKey{id: "k3"}, gen)
	if len(c.byDigest) != 2 || len(c.byID) != 2 {
		t.Fatalf("cache exceeded its bound: %d/%d", len(c.byDigest), len(c.byID))
	}
	c.invalidate("k3")
	if k, _ := c.get(d(3)); k != nil {
		t.Fatal("invalidated key still cached")
	}
}

// alterLast changes the last character of a key, keeping it well formed.
func alterLast(k string) string {
	if k[len(k)-1] == 'A' {
		return k[:len(k)-1] + "B"
	}
	return k[:len(k)-1] + "A"
}

// Client pages are cached; Seed, the only writer of content, clears the cache.
func TestResponseCacheClearedBySeed(t *testing.T) {
	h := newHarness(t)
	k := h.create("reader")
	tags := func() []string {
		t.Helper()
		w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key))
		var ids []string
		for _, tg := range decode[tagsJSON](t, w).Data {
			ids = append(ids, tg.ID)
		}
		return ids
	}
	before := tags()
	if _, err := h.e.store.w.Exec(`DELETE FROM tags WHERE slug = 'news'`); err != nil {
		t.Fatal(err)
	}
	if got := tags(); len(got) != len(before) {
		t.Fatalf("the cached page was not used: %v", got)
	}
	if _, err := h.e.Seed(t.Context(), testOrg, testProject); err != nil {
		t.Fatal(err)
	}
	after := tags()
	if len(after) != len(before) {
		t.Fatalf("after re-seeding: %v", after)
	}
	changed := false
	for i := range after {
		changed = changed || after[i] != before[i]
	}
	if !changed {
		t.Fatal("the page was not rebuilt after Seed (the re-created tag has a new id)")
	}
}

func TestClientUnknownProjectIsNotFound(t *testing.T) {
	h := newHarness(t)
	k := h.create("probe")
	expectError(t, h.raw("GET", clientPath(testOrg, "no-such-project", "tags"), "", withKey(k.Key)), http.StatusNotFound, "NOT_FOUND")
	expectError(t, h.raw("GET", clientPath("no-such-org", testProject, "tags"), "", withKey(k.Key)), http.StatusNotFound, "NOT_FOUND")
}

// From the moment a revoke commits, no request may succeed with the key: while
// the revoke is in progress the key is neither served from the cache nor put
// into it, so a lookup that read "active" just before the commit cannot leave
// a stale entry behind for the requests after it.
func TestRevokeInProgressKeepsTheKeyOutOfTheCache(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	k := h.create("in flight")
	if v, err := h.e.verifyKey(ctx, k.Key, testOrg, testProject); v == nil || err != nil {
		t.Fatalf("warm-up verify = %v, %v", v, err)
	}

	release := h.e.cache.hold(k.ID) // the revoke's transaction is about to begin
	if v, _ := h.e.verifyKey(ctx, k.Key, testOrg, testProject); v == nil {
		t.Fatal("before the commit the key is still active")
	}
	h.e.cache.mu.RLock()
	_, cached := h.e.cache.byID[k.ID]
	h.e.cache.mu.RUnlock()
	if cached {
		t.Fatal("a lookup during the revoke was cached")
	}
	// The revoke commits.
	if _, err := h.e.store.w.ExecContext(ctx, `UPDATE api_keys SET status = 'revoked' WHERE id = ?`, k.ID); err != nil {
		t.Fatal(err)
	}
	if v, _ := h.e.verifyKey(ctx, k.Key, testOrg, testProject); v != nil {
		t.Fatal("a request between the commit and the end of the revoke succeeded")
	}
	release()
	if v, _ := h.e.verifyKey(ctx, k.Key, testOrg, testProject); v != nil {
		t.Fatal("a request after the revoke succeeded")
	}

	// Holds nest: two deletions of one id in flight keep it out until both end.
	r1, r2 := h.e.cache.hold("x"), h.e.cache.hold("x")
	r1()
	if h.e.cache.pending["x"] != 1 {
		t.Fatalf("pending after one release = %d, want 1", h.e.cache.pending["x"])
	}
	r2()
	if _, ok := h.e.cache.pending["x"]; ok {
		t.Fatal("pending entry left behind")
	}
}
