package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func clientPath(tg *Target, elem ...string) string { return ClientPath(tg.Org, tg.Project, elem...) }

// checkObject checks that obj has non-empty string members strs, and, in
// strict mode, no members beyond strs and others.
func checkObject(t testing.TB, what string, obj map[string]json.RawMessage, strs []string, others ...string) {
	t.Helper()
	for _, name := range strs {
		var s string
		if err := json.Unmarshal(obj[name], &s); err != nil || s == "" {
			t.Errorf("%s: member %q = %s, want a non-empty string", what, name, obj[name])
		}
	}
	if !strict() {
		return
	}
	for name := range obj {
		if !slices.Contains(strs, name) && !slices.Contains(others, name) {
			t.Errorf("%s: member %q beyond the contract's %v", what, name, append(slices.Clone(strs), others...))
		}
	}
}

// checkContentItem checks a content item: {id, contentTypeId, name,
// status "published", publishedAt, data{…}}.
func checkContentItem(t testing.TB, what string, it map[string]json.RawMessage) {
	t.Helper()
	checkObject(t, what, it, []string{"id", "contentTypeId", "name", "status", "publishedAt"}, "data")
	if st := memberString(it, "status"); st != "published" {
		t.Errorf("%s: status %q, want published (drafts are never served)", what, st)
	}
	checkTimestamp(t, what+": publishedAt", memberString(it, "publishedAt"))
	var data map[string]any
	if err := json.Unmarshal(it["data"], &data); err != nil || data == nil {
		t.Errorf("%s: data = %s, want an object", what, it["data"])
	}
}

// walkClient returns all items of a client API list.
func walkClient(t testing.TB, tg *Target, apiKey, path string) []map[string]json.RawMessage {
	t.Helper()
	var items []map[string]json.RawMessage
	for _, p := range walk(t, func(p string) *Response { return client(t, tg, apiKey, http.MethodGet, p) }, path, nil) {
		items = append(items, p.Items...)
	}
	return items
}

func seedOf(tg *Target) (tags, contentTypes, published int, ok bool) {
	if local == nil {
		return 0, 0, 0, false
	}
	s, ok := local.seeds[tg.Org+"/"+tg.Project]
	return s.Tags, s.ContentTypes, s.Published, ok
}

func TestClientTags(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "tags"))
	path := clientPath(target, "tags") + "?limit=1"
	p, ok := decodeList(t, "GET "+path, client(t, target, k.Secret, http.MethodGet, path))
	if ok {
		if p.Limit != 1 || len(p.Items) > 1 {
			t.Errorf("limit=1: pagination.limit %d with %d items", p.Limit, len(p.Items))
		}
	}
	all := walkClient(t, target, k.Secret, clientPath(target, "tags"))
	ids := map[string]bool{}
	for i, tag := range all {
		checkObject(t, fmt.Sprintf("tag %d", i), tag, []string{"id", "name", "slug"})
		id := memberString(tag, "id")
		if ids[id] {
			t.Errorf("tag %s listed twice", id)
		}
		ids[id] = true
	}
	if local != nil && len(all) == 0 {
		t.Errorf("the seeded project has no tags; nothing checked")
	}
	if tags, _, _, ok := seedOf(target); ok && len(all) != tags {
		t.Errorf("listed %d tags, the seed made %d", len(all), tags)
	}
}

func TestClientContent(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "content"))
	items := walkClient(t, target, k.Secret, clientPath(target, "content"))
	for i, it := range items {
		checkContentItem(t, fmt.Sprintf("content[%d]", i), it)
	}
	if local != nil && len(items) == 0 {
		t.Errorf("the seeded project serves no published content; nothing checked")
	}
	if _, _, published, ok := seedOf(target); ok && len(items) != published {
		t.Errorf("listed %d content items, the seed published %d", len(items), published)
	}

	types := map[string]bool{}
	for i, ct := range walkClient(t, target, k.Secret, clientPath(target, "content-types")) {
		checkObject(t, fmt.Sprintf("content type %d", i), ct, []string{"id", "name", "status"})
		types[memberString(ct, "id")] = true
	}
	if _, contentTypes, _, ok := seedOf(target); ok && (len(types) == 0 || len(types) > contentTypes) {
		t.Errorf("listed %d content types, the seed made %d", len(types), contentTypes)
	}
	for i, it := range items {
		if id := memberString(it, "contentTypeId"); !types[id] {
			t.Errorf("content[%d].contentTypeId %q is not a listed content type", i, id)
		}
	}

	if len(items) > 0 {
		id := memberString(items[0], "id")
		path := clientPath(target, "content", id)
		r := client(t, target, k.Secret, http.MethodGet, path)
		if wantJSON(t, "GET "+path, r, http.StatusOK) {
			obj := decodeObject(t, "GET "+path, r.Body)
			checkContentItem(t, "GET "+path, obj)
			if got := memberString(obj, "id"); got != id {
				t.Errorf("GET %s answered id %q", path, got)
			}
		}
	}
	for _, id := range []string{randomUUID(t), "not-a-uuid"} {
		path := clientPath(target, "content", id)
		wantError(t, "GET "+path, client(t, target, k.Secret, http.MethodGet, path), http.StatusNotFound, codeNotFound)
	}
}

// TestClientDraftsInvisible finds the seeded drafts in the emulator's
// database (the API offers no way to name one) and asks for each by id.
func TestClientDraftsInvisible(t *testing.T) {
	t.Parallel()
	needLocal(t, "the emulator's database, to learn a draft's id")
	d := newDedicated(t, nil)
	if d.seed.Drafts == 0 {
		t.Fatalf("the seed made no drafts (%+v); nothing to check", d.seed)
	}
	k := createKey(t, d.target, uniqueName(t, "drafts"))
	items := walkClient(t, d.target, k.Secret, clientPath(d.target, "content"))
	published := make([]string, 0, len(items))
	for i, it := range items {
		checkContentItem(t, fmt.Sprintf("content[%d]", i), it)
		published = append(published, memberString(it, "id"))
	}
	if len(items) != d.seed.Published {
		t.Errorf("listed %d items, the seed published %d", len(items), d.seed.Published)
	}
	drafts := findDraftIDs(t, d.dir, published)
	if len(drafts) == 0 {
		t.Skip("no table in the emulator's database pairs the listed content ids with a status column; drafts not located")
	}
	if len(drafts) != d.seed.Drafts {
		t.Errorf("found %d drafts in the database, the seed reports %d", len(drafts), d.seed.Drafts)
	}
	for _, id := range drafts {
		if slices.Contains(published, id) {
			t.Errorf("draft %s is listed by GET /content", id)
		}
		path := clientPath(d.target, "content", id)
		wantError(t, "GET draft "+path, client(t, d.target, k.Secret, http.MethodGet, path), http.StatusNotFound, codeNotFound)
	}
}

// TestClientRejectedKeysLookAlike: a missing, unknown, malformed, revoked or
// deleted key, or a JWT in its place, all get 401 UNAUTHORIZED with
// byte-identical bodies, so keys cannot be probed.
func TestClientRejectedKeysLookAlike(t *testing.T) {
	t.Parallel()
	valid := createKey(t, target, uniqueName(t, "valid"))
	revoked := createKey(t, target, uniqueName(t, "revoked"))
	deleted := createKey(t, target, uniqueName(t, "deleted"))
	path := clientPath(target, "tags") + "?limit=1"
	// Both work first, so their later refusal is about revocation and deletion.
	for _, s := range []string{revoked.Secret, deleted.Secret} {
		if r := client(t, target, s, http.MethodGet, path); r.StatusCode != http.StatusOK {
			t.Fatalf("a fresh key: %s", describe(http.MethodGet, path, r))
		}
	}
	wantKey(t, "revoke", updateKey(t, target, revoked.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
	wantJSON(t, "delete", admin(t, target, http.MethodDelete, keysPath(target, deleted.ID), nil), http.StatusOK)

	reference := client(t, target, "", http.MethodGet, path)
	wantError(t, "no x-api-key", reference, http.StatusUnauthorized, codeUnauthorized)
	cases := []struct{ label, key string }{
		{"unknown well-formed key", randomAlnum(t, 32)},
		{"unknown 40-character key", randomAlnum(t, 40)},
		{"short", "abc"},
		{"one character", "x"},
		{"10 KB", strings.Repeat("k", 10<<10)},
		{"non-ASCII", "ключ-ключ-ключ-ключ-ключ-ключ"},
		{"valid key with a wrong last character", flipLast(valid.Secret)},
		{"valid key plus one character", valid.Secret + "x"},
		{"org:project:key composite", target.Org + ":" + target.Project + ":" + valid.Secret},
		{"revoked key", revoked.Secret},
		{"deleted key", deleted.Secret},
		{"admin JWT", target.Token},
	}
	for _, c := range cases {
		r := client(t, target, c.key, http.MethodGet, path)
		wantError(t, c.label, r, http.StatusUnauthorized, codeUnauthorized)
		if !bytes.Equal(r.Body, reference.Body) {
			t.Errorf("%s: 401 body %s differs from the missing-key body %s", c.label, Redact(r.Body), Redact(reference.Body))
		}
	}
	t.Run("empty header value", func(t *testing.T) {
		h := http.Header{"Accept": {"application/json"}, "X-Api-Key": {""}}
		r := mustDo(t, target, Request{Method: http.MethodGet, Path: path, Header: h})
		wantError(t, "empty x-api-key", r, http.StatusUnauthorized, codeUnauthorized)
		if !bytes.Equal(r.Body, reference.Body) {
			t.Errorf("empty x-api-key: body %s differs from the missing-key body", Redact(r.Body))
		}
	})
	t.Run("NUL byte", func(t *testing.T) {
		// Go's HTTP client will not send a NUL in a header, and Go's server
		// answers such a request itself; call the emulator's handler directly.
		l := needLocal(t, "a request with a NUL in x-api-key, given to the handler directly")
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
		req.Header.Set("Accept", "application/json")
		req.Header["X-Api-Key"] = []string{"abc\x00def" + randomAlnum(t, 24)}
		rec := httptest.NewRecorder()
		l.emu.Handler().ServeHTTP(rec, req)
		res := rec.Result()
		r := &Response{StatusCode: res.StatusCode, Header: res.Header, Body: rec.Body.Bytes()}
		wantError(t, "x-api-key with NUL", r, http.StatusUnauthorized, codeUnauthorized)
		if !bytes.Equal(r.Body, reference.Body) {
			t.Errorf("x-api-key with NUL: body %s differs from the missing-key body", Redact(r.Body))
		}
	})
}

func flipLast(s string) string {
	if s == "" {
		return "x"
	}
	last := s[len(s)-1]
	if last == 'A' {
		last = 'B'
	} else {
		last = 'A'
	}
	return s[:len(s)-1] + string(last)
}

func TestClientHeaderNameCase(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "case"))
	path := clientPath(target, "tags") + "?limit=1"
	for _, name := range []string{"X-API-KEY", "x-api-key", "X-Api-Key"} {
		// Header names set directly in the map go on the wire as written.
		h := http.Header{"Accept": {"application/json"}, name: {k.Secret}}
		r := mustDo(t, target, Request{Method: http.MethodGet, Path: path, Header: h})
		decodeList(t, "header "+name, r)
	}
}

func TestClientHead(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "head"))
	path := clientPath(target, "tags") + "?limit=1"
	r := client(t, target, k.Secret, http.MethodHead, path)
	if r.StatusCode != http.StatusOK {
		t.Errorf("HEAD %s: status %d, want 200", path, r.StatusCode)
	}
	if len(r.Body) != 0 {
		t.Errorf("HEAD %s: %d body bytes, want none", path, len(r.Body))
	}
}

func TestClientKeyOfAnotherProject(t *testing.T) {
	t.Parallel()
	l := needLocal(t, "a second project and organization")
	mobile := createKeyIn(t, target, target.Token, target.Org, l.otherProject, map[string]any{"name": uniqueName(t, "mobile")})
	globexTok := l.mintToken(t, l.otherOrg, "owner", "contract-globex")
	globex := createKeyIn(t, target, globexTok, l.otherOrg, l.otherOrgProj, map[string]any{"name": uniqueName(t, "globex")})

	web := clientPath(target, "tags") + "?limit=1"
	wantError(t, "mobile key on web", client(t, target, mobile.Secret, http.MethodGet, web), http.StatusForbidden, codeForbidden)
	wantError(t, "globex key on acme/web", client(t, target, globex.Secret, http.MethodGet, web), http.StatusForbidden, codeForbidden)
	wantError(t, "mobile key on web content", client(t, target, mobile.Secret, http.MethodGet, clientPath(target, "content")),
		http.StatusForbidden, codeForbidden)
	// Each works on its own project.
	decodeList(t, "mobile key on mobile", client(t, target, mobile.Secret, http.MethodGet, ClientPath(target.Org, l.otherProject, "tags")))
	decodeList(t, "globex key on globex", client(t, target, globex.Secret, http.MethodGet, ClientPath(l.otherOrg, l.otherOrgProj, "tags")))
}

func TestClientWriteMethodsForbidden(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "readonly"))
	contentID := randomUUID(t)
	first := clientPath(target, "content") + "?limit=1"
	if p, ok := decodeList(t, "GET "+first, client(t, target, k.Secret, http.MethodGet, first)); ok && len(p.Items) > 0 {
		contentID = memberString(p.Items[0], "id")
	}
	for _, p := range []string{
		clientPath(target, "tags"),
		clientPath(target, "content"),
		clientPath(target, "content", contentID),
		clientPath(target, "content-types"),
	} {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			req := clientRequest(k.Secret, m, p)
			if m != http.MethodDelete {
				req.Header.Set("Content-Type", "application/json")
				req.Body = []byte(`{"name":"written"}`)
			}
			wantError(t, m+" "+p+" with a key", mustDo(t, target, req), http.StatusForbidden, codeForbidden)
		}
	}
	decodeList(t, "the key still reads", client(t, target, k.Secret, http.MethodGet, clientPath(target, "tags")))
}

// TestClientCredentialConfusion: the client API takes only x-api-key.
func TestClientCredentialConfusion(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "confused"))
	path := clientPath(target, "tags") + "?limit=1"
	wantError(t, "admin JWT as bearer on the client API",
		mustDo(t, target, adminRequest(target.Token, http.MethodGet, path, nil)), http.StatusUnauthorized, codeUnauthorized)
	wantError(t, "API key as bearer on the client API",
		mustDo(t, target, adminRequest(k.Secret, http.MethodGet, path, nil)), http.StatusUnauthorized, codeUnauthorized)
	wantError(t, "admin JWT in x-api-key",
		client(t, target, target.Token, http.MethodGet, path), http.StatusUnauthorized, codeUnauthorized)
}

func TestClientSavedSearchesNotEmulated(t *testing.T) {
	t.Parallel()
	needLocal(t, "the contract has the emulator answer 404 for saved searches; the real API serves them")
	k := createKey(t, target, uniqueName(t, "search"))
	path := clientPath(target, "saved-searches", randomUUID(t), "execute")
	req := clientRequest(k.Secret, http.MethodPost, path)
	req.Header.Set("Content-Type", "application/json")
	req.Body = []byte(`{}`)
	wantError(t, "POST "+path, mustDo(t, target, req), http.StatusNotFound, codeNotFound)
}

// TestClientRecordsLastUsed: the first successful call sets lastUsed before
// the response is sent, and leaves updatedAt alone.
func TestClientRecordsLastUsed(t *testing.T) {
	t.Parallel()
	needLocal(t, "the contract promises lastUsed before the response only for the emulator")
	k := createKey(t, target, uniqueName(t, "used"))
	if before := showKey(t, target, k.ID); before.LastUsed != "" {
		t.Errorf("lastUsed = %q before any use", before.LastUsed)
	}
	// A refused call (a write method) records nothing.
	wantError(t, "DELETE with a key", client(t, target, k.Secret, http.MethodDelete, clientPath(target, "tags")),
		http.StatusForbidden, codeForbidden)
	if refused := showKey(t, target, k.ID); refused.LastUsed != "" {
		t.Errorf("lastUsed = %q after a refused call only", refused.LastUsed)
	}
	decodeList(t, "first use", client(t, target, k.Secret, http.MethodGet, clientPath(target, "tags")+"?limit=1"))
	after := showKey(t, target, k.ID)
	if after.LastUsed == "" {
		t.Errorf("lastUsed is still absent or null right after a successful call")
	}
	if after.UpdatedAt != k.UpdatedAt {
		t.Errorf("recording lastUsed moved updatedAt from %s to %s", k.UpdatedAt, after.UpdatedAt)
	}
	listed := false
	for _, p := range walk(t, func(p string) *Response { return admin(t, target, http.MethodGet, p, nil) },
		keysPath(target), map[string][]string{"limit": {"100"}}) {
		for _, it := range p.Items {
			if memberString(it, "id") == k.ID {
				listed = true
				if got := memberString(it, "lastUsed"); got != after.LastUsed {
					t.Errorf("list shows lastUsed %q, show %q", got, after.LastUsed)
				}
			}
		}
	}
	if !listed {
		t.Errorf("the key is not listed")
	}
}

// TestClientRefusedRightAfter: revocation and deletion take effect on the
// very next request.
func TestClientRefusedRightAfter(t *testing.T) {
	t.Parallel()
	path := clientPath(target, "tags") + "?limit=1"
	for _, op := range []string{"revoke", "delete"} {
		t.Run(op, func(t *testing.T) {
			k := createKey(t, target, uniqueName(t, op))
			decodeList(t, "before "+op, client(t, target, k.Secret, http.MethodGet, path))
			if op == "revoke" {
				wantKey(t, op, updateKey(t, target, k.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
			} else {
				wantJSON(t, op, admin(t, target, http.MethodDelete, keysPath(target, k.ID), nil), http.StatusOK)
			}
			wantError(t, "first call after "+op, client(t, target, k.Secret, http.MethodGet, path), http.StatusUnauthorized, codeUnauthorized)
		})
	}
}
