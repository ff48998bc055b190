package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/names"
)

// FuzzVerifyKey sends arbitrary x-api-key values: the answer is 200 for the one
// real key and otherwise exactly the uniform 401, never a panic or a 5xx.
func FuzzVerifyKey(f *testing.F) {
	h := newHarness(f, inMemory)
	k := h.create("fuzzed")
	for _, s := range []string{"", " ", k.Key, k.Key + " ", strings.ToLower(k.Key), k.Key[:31], k.Key + "A",
		strings.Repeat("a", 20), strings.Repeat("a", 128), strings.Repeat("a", 129), strings.Repeat("a", 300),
		"acme:web:" + k.Key, h.token, "\x00\x01", "é" + k.Key, "Bearer " + k.Key} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		r := httptest.NewRequest("GET", clientPath(testOrg, testProject, "tags?limit=1"), nil)
		r.Header["X-Api-Key"] = []string{key}
		w := httptest.NewRecorder()
		h.e.Handler().ServeHTTP(w, r)
		switch {
		case key == k.Key:
			if w.Code != http.StatusOK {
				t.Fatalf("the real key got %d", w.Code)
			}
		case w.Code != http.StatusUnauthorized || !bytes.Equal(w.Body.Bytes(), unauthorizedKeyBody):
			t.Fatalf("key %q: %d %s", key, w.Code, w.Body.String())
		}
	})
}

// FuzzDecodeCreate feeds arbitrary bodies to the create decoder: it never
// panics, answers 400 or 422 with details on rejection, and whatever it accepts
// is a valid name and key.
func FuzzDecodeCreate(f *testing.F) {
	for _, s := range []string{
		`{"name":"ok"}`, `{"name":"ok","apiKey":"abcdefghijklmnopqrstuvwxyz"}`, `{}`, `[]`, `null`, `"x"`, ``,
		`{"name":"a","name":"b"}`, `{"name":"\u001b[2J"}`, `{"name":` + `"` + strings.Repeat("x", 101) + `"}`,
		`{"name":"x","extra":1}`, `{"name":1}`, `{"name":"x"} {}`, `{"name":"\ud800"}`, "{\"name\":\"\xff\"}",
		`{"name":"  padded  "}`, `{"apiKey":"short"}`, `{"name":"x","apiKey":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, ok := fuzzParse(t, body)
		if !ok {
			return
		}
		req, herr := decodeCreate(obj)
		if !fuzzDecoded(t, herr) {
			return
		}
		checkAcceptedName(t, req.name, req.norm)
		if req.apiKey != "" && !keyShapeOK(req.apiKey) {
			t.Fatalf("accepted apiKey %q", req.apiKey)
		}
	})
}

// FuzzParseToken feeds arbitrary strings to the token verifier: no panic, and
// nothing verifies unless it carries a valid HS256 signature over its first two
// parts with the documented claims.
func FuzzParseToken(f *testing.F) {
	secret := bytes.Repeat([]byte{7}, secretLen)
	now := time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC)
	good, err := signToken(secret, "u", "o", "owner", now, now.Add(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for _, s := range []string{good, "", ".", "..", "a.b.c", good + ".", parts[0] + "." + parts[1] + ".",
		"eyJhbGciOiJub25lIn0." + parts[1] + ".", parts[0] + ".e30." + parts[2], strings.Repeat("A", 9000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := parseToken(secret, tok, now)
		if err != nil {
			if c != (tokenClaims{}) {
				t.Fatalf("claims returned with an error: %+v", c)
			}
			return
		}
		last := strings.LastIndexByte(tok, '.')
		sig, derr := b64.DecodeString(tok[last+1:])
		want := tokenMAC(secret, tok[:last])
		if derr != nil || len(sig) != sha256.Size || !bytes.Equal(sig, want) {
			t.Fatalf("accepted a token without a valid signature: %q", tok)
		}
		if c.Subject == "" || c.Org == "" || c.Role == "" || !c.Expires.After(now) {
			t.Fatalf("accepted claims %+v", c)
		}
	})
}

// FuzzDecodeUpdate feeds arbitrary PUT bodies to the update decoder: a 400 or a
// 422 VALIDATION_FAILED with details, or a request that sets a valid name, a
// valid status, or both.
func FuzzDecodeUpdate(f *testing.F) {
	for _, s := range []string{
		`{"status":"revoked"}`, `{"status":"active"}`, `{"name":"new"}`, `{"name":"new","status":"revoked"}`,
		`{}`, `[]`, `null`, ``, `{"status":"REVOKED"}`, `{"status":null}`, `{"status":1}`, `{"name":""}`,
		`{"name":"x","name":"y"}`, `{"status":"revoked","extra":true}`, `{"name":"\u0007bell"}`,
		`{"name":"` + strings.Repeat("é", 101) + `"}`, "{\"name\":\"\xff\"}", `{"name":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, ok := fuzzParse(t, body)
		if !ok {
			return
		}
		req, herr := decodeUpdate(obj)
		if !fuzzDecoded(t, herr) {
			return
		}
		if req.name == nil && req.status == nil {
			t.Fatal("accepted an update that changes nothing")
		}
		if req.status != nil && *req.status != "active" && *req.status != "revoked" {
			t.Fatalf("accepted status %q", *req.status)
		}
		if req.name != nil {
			checkAcceptedName(t, *req.name, *req.norm)
		}
	})
}

// fuzzParse parses a fuzzed request body; a refusal must be 400 or 422.
func fuzzParse(t *testing.T, body []byte) (map[string]json.RawMessage, bool) {
	t.Helper()
	obj, herr := parseJSONObject(body)
	if herr != nil {
		if herr.status != 400 && herr.status != 422 {
			t.Fatalf("parse: status %d", herr.status)
		}
		return nil, false
	}
	return obj, true
}

// fuzzDecoded reports whether a decoder accepted its input; a refusal must be
// 422 VALIDATION_FAILED naming at least one field.
func fuzzDecoded(t *testing.T, herr *httpError) bool {
	t.Helper()
	if herr != nil {
		if herr.status != 422 || herr.Code != "VALIDATION_FAILED" || len(herr.Details) == 0 {
			t.Fatalf("decode: %+v", herr)
		}
		return false
	}
	return true
}

// checkAcceptedName fails unless an accepted name keeps the contract's rules
// (1 to 100 characters, trimmed, no control or invisible characters) and norm
// is its comparison form.
func checkAcceptedName(t *testing.T, name, norm string) {
	t.Helper()
	if n := utf8.RuneCountInString(name); n < 1 || n > maxNameLen || name != strings.TrimSpace(name) {
		t.Fatalf("accepted name %q", name)
	}
	for _, r := range name {
		if names.Unsafe(r) {
			t.Fatalf("accepted %s in %q", names.Format(r), name)
		}
	}
	if norm != names.Key(name) {
		t.Fatalf("norm %q for %q", norm, name)
	}
}

// FuzzListQuery feeds arbitrary limit and lastKey values to the admin list's
// and the client lists' query parsing: a valid page request or a 400, never a
// panic; a cursor that parses names a canonical key id and survives a round trip.
func FuzzListQuery(f *testing.F) {
	good := keyCursor{createdAt: 1700000000, id: "0b6f3c1e-6a1d-4c1b-9a43-4f1f2d3e4a5b"}.encode()
	for _, s := range [][2]string{
		{"", ""}, {"20", ""}, {"100", good}, {"0", ""}, {"101", ""}, {"-1", ""}, {"1.5", ""}, {"abc", ""},
		{"00020", ""}, {"", good + "x"}, {"", "k1:1:abc"}, {"", pageCursor("tag", 7)}, {"", pageCursor("tag", -7)},
		{"", strings.Repeat("A", 200)}, {"1", "%%%"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, limit, lastKey string) {
		if n, ok := parseLimit(limit); ok && (n < 1 || n > maxPageLimit) {
			t.Fatalf("parseLimit(%q) = %d", limit, n)
		}
		if c, ok := decodeKeyCursor(lastKey); ok {
			if id, canon := canonicalUUID(c.id); !canon || id != c.id {
				t.Fatalf("cursor %q decoded to id %q", lastKey, c.id)
			}
			if back, ok := decodeKeyCursor(c.encode()); !ok || back != c {
				t.Fatalf("cursor %+v does not survive a round trip", c)
			}
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		q := r.URL.Query()
		q.Set("limit", limit)
		q.Set("lastKey", lastKey)
		r.URL.RawQuery = q.Encode()
		n, after, herr := pageParams(r, "tag")
		switch {
		case herr != nil:
			if herr.status != 400 || herr.Code != "BAD_REQUEST" || len(herr.Details) == 0 {
				t.Fatalf("pageParams error %+v", herr)
			}
		case n < 1 || n > maxPageLimit || after < 0:
			t.Fatalf("pageParams(%q, %q) = %d, %d", limit, lastKey, n, after)
		}
	})
}

// tokenMAC is the HS256 signature of a signing input, computed independently
// of golang-jwt.
func tokenMAC(secret []byte, signingInput string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signingInput))
	return m.Sum(nil)
}
