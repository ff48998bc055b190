package emulator

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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
		obj, herr := parseJSONObject(body)
		if herr != nil {
			if herr.status != 400 && herr.status != 422 {
				t.Fatalf("parse: status %d", herr.status)
			}
			return
		}
		req, herr := decodeCreate(obj)
		if herr != nil {
			if herr.status != 422 || herr.Code != "VALIDATION_FAILED" || len(herr.Details) == 0 {
				t.Fatalf("decode: %+v", herr)
			}
			return
		}
		if n := utf8.RuneCountInString(req.name); n < 1 || n > maxNameLen || req.name != strings.TrimSpace(req.name) {
			t.Fatalf("accepted name %q", req.name)
		}
		for _, r := range req.name {
			if isControlRune(r) {
				t.Fatalf("accepted control character in %q", req.name)
			}
		}
		if req.norm != foldName(req.name) {
			t.Fatalf("norm %q for %q", req.norm, req.name)
		}
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
