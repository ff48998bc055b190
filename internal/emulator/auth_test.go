package emulator

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

// craftToken builds a JWT from arbitrary header and claims, signed with HMAC
// using mac (nil = no signature).
func craftToken(t testing.TB, header, claims map[string]any, secret []byte, mac func() hash.Hash) string {
	t.Helper()
	hb, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return testsupport.SignedJWT(string(hb), string(cb), mac, secret)
}

func TestAdminTokens(t *testing.T) {
	h := newHarness(t)
	now := h.clock.Now().Unix()
	hs256 := map[string]any{"alg": "HS256", "typ": "JWT"}
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"iss": tokenIssuer, "aud": tokenAudience, "sub": "user-9", "org": testOrg, "role": "owner", "iat": now, "exp": now + 3600}
		if mod != nil {
			mod(c)
		}
		return c
	}
	good := craftToken(t, hs256, claims(nil), h.e.secret, sha256.New)
	tampered := func() string {
		parts := strings.Split(good, ".")
		cb, _ := json.Marshal(claims(func(c map[string]any) { c["org"] = "evil" }))
		return parts[0] + "." + b64.EncodeToString(cb) + "." + parts[2]
	}()
	flipped := func() string {
		b := []byte(good)
		i := len(b) - 5
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}()

	cases := []struct {
		name   string
		auth   string // the whole Authorization header; "" = none
		status int
		code   string
	}{
		{"valid", "Bearer " + good, 200, ""},
		{"lower-case scheme", "bearer " + good, 200, ""},
		{"aud as array", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["aud"] = []string{"x", tokenAudience} }), h.e.secret, sha256.New), 200, ""},
		{"no typ", "Bearer " + craftToken(t, map[string]any{"alg": "HS256"}, claims(nil), h.e.secret, sha256.New), 200, ""},
		{"minted", "Bearer " + h.token, 200, ""},
		{"no header", "", 401, "UNAUTHORIZED"},
		{"empty bearer", "Bearer ", 401, "UNAUTHORIZED"},
		{"basic auth", "Basic dXNlcjpwYXNz", 401, "UNAUTHORIZED"},
		{"garbage", "Bearer garbage", 401, "UNAUTHORIZED"},
		{"two parts", "Bearer abc.def", 401, "UNAUTHORIZED"},
		{"four parts", "Bearer " + good + ".x", 401, "UNAUTHORIZED"},
		{"empty parts", "Bearer ..", 401, "UNAUTHORIZED"},
		{"expired", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["exp"] = now - 1 }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"expires now (no leeway)", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["exp"] = now }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"no exp", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { delete(c, "exp") }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"exp string", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["exp"] = "never" }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"not yet valid", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["nbf"] = now + 60 }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"wrong aud", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["aud"] = "metabind-client" }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"no aud", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { delete(c, "aud") }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"wrong iss", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["iss"] = "https://metabind.ai" }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"no iss", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { delete(c, "iss") }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"no sub", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { delete(c, "sub") }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"no org", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { delete(c, "org") }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"no role", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { delete(c, "role") }), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"alg none unsigned", "Bearer " + craftToken(t, map[string]any{"alg": "none", "typ": "JWT"}, claims(nil), nil, nil), 401, "UNAUTHORIZED"},
		{"alg none with signature", "Bearer " + craftToken(t, map[string]any{"alg": "none"}, claims(nil), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"alg None", "Bearer " + craftToken(t, map[string]any{"alg": "None"}, claims(nil), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"alg HS512", "Bearer " + craftToken(t, map[string]any{"alg": "HS512", "typ": "JWT"}, claims(nil), h.e.secret, sha512.New), 401, "UNAUTHORIZED"},
		{"alg RS256 label", "Bearer " + craftToken(t, map[string]any{"alg": "RS256", "typ": "JWT"}, claims(nil), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"no alg", "Bearer " + craftToken(t, map[string]any{"typ": "JWT"}, claims(nil), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"crit header", "Bearer " + craftToken(t, map[string]any{"alg": "HS256", "crit": []string{"exp"}}, claims(nil), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"typ not JWT", "Bearer " + craftToken(t, map[string]any{"alg": "HS256", "typ": "at+jwt+x"}, claims(nil), h.e.secret, sha256.New), 401, "UNAUTHORIZED"},
		{"other secret", "Bearer " + craftToken(t, hs256, claims(nil), []byte("another secret entirely, 32 byte"), sha256.New), 401, "UNAUTHORIZED"},
		{"bad signature", "Bearer " + flipped, 401, "UNAUTHORIZED"},
		{"tampered payload", "Bearer " + tampered, 401, "UNAUTHORIZED"},
		{"truncated signature", "Bearer " + good[:len(good)-3], 401, "UNAUTHORIZED"},
		{"padded signature", "Bearer " + good + "=", 401, "UNAUTHORIZED"},
		{"oversized", "Bearer " + strings.Repeat("a", maxTokenLen) + "." + good, 401, "UNAUTHORIZED"},
		{"other org", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["org"] = "globex" }), h.e.secret, sha256.New), 403, "FORBIDDEN"},
		{"role admin", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["role"] = "admin" }), h.e.secret, sha256.New), 200, ""},
		{"role developer", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["role"] = "developer" }), h.e.secret, sha256.New), 200, ""},
		{"role editor", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["role"] = "editor" }), h.e.secret, sha256.New), 403, "FORBIDDEN"},
		{"role content-writer", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["role"] = "content-writer" }), h.e.secret, sha256.New), 403, "FORBIDDEN"},
		{"role viewer", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["role"] = "viewer" }), h.e.secret, sha256.New), 403, "FORBIDDEN"},
		{"role mcp", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["role"] = "mcp-reader" }), h.e.secret, sha256.New), 403, "FORBIDDEN"},
		{"role Owner (case)", "Bearer " + craftToken(t, hs256, claims(func(c map[string]any) { c["role"] = "Owner" }), h.e.secret, sha256.New), 403, "FORBIDDEN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{"GET", "POST"} {
				body := ""
				if method == "POST" {
					body = `{"name":"` + tc.name + " " + method + `"}`
				}
				w := h.raw(method, keysPath(testOrg, testProject), body, func(r *http.Request) {
					if tc.auth != "" {
						r.Header.Set("Authorization", tc.auth)
					}
				})
				if tc.status == 200 {
					if method == "GET" && w.Code != 200 || method == "POST" && w.Code != 201 {
						t.Fatalf("%s: %d %s", method, w.Code, w.Body.String())
					}
					continue
				}
				expectError(t, w, tc.status, tc.code)
				if tc.status == 401 && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer ") {
					t.Errorf("401 without WWW-Authenticate: %v", w.Header())
				}
			}
		})
	}

	// Tokens expire exactly at exp.
	short, err := h.e.MintToken(TokenRequest{Org: testOrg, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if w := h.raw("GET", keysPath(testOrg, testProject), "", withBearer(short)); w.Code != 200 {
		t.Fatalf("fresh token: %d", w.Code)
	}
	h.clock.Advance(time.Minute)
	expectError(t, h.raw("GET", keysPath(testOrg, testProject), "", withBearer(short)), 401, "UNAUTHORIZED")

	// Two Authorization headers are refused.
	w := h.raw("GET", keysPath(testOrg, testProject), "", withHeader("Authorization", "Bearer "+h.token), withHeader("Authorization", "Bearer "+h.token))
	expectError(t, w, 401, "UNAUTHORIZED")

	// createdBy is the subject of the token that created the key.
	w = h.raw("POST", keysPath(testOrg, testProject), `{"name":"by user-9"}`, withBearer(good))
	if k := decode[keyJSON](t, w); k.CreatedBy != "user-9" {
		t.Errorf("createdBy = %q", k.CreatedBy)
	}
}

// An API key is not a bearer token and a bearer token is not an API key.
func TestCredentialsStayInTheirAPI(t *testing.T) {
	h := newHarness(t)
	k := h.create("client")
	expectError(t, h.raw("GET", keysPath(testOrg, testProject), "", withKey(k.Key)), 401, "UNAUTHORIZED")
	expectError(t, h.raw("GET", keysPath(testOrg, testProject), "", withBearer(k.Key)), 401, "UNAUTHORIZED")
	w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(h.token))
	if w.Code != 401 || w.Body.String() != string(unauthorizedKeyBody) {
		t.Errorf("JWT as x-api-key: %d %s", w.Code, w.Body.String())
	}
	w = h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withBearer(h.token))
	if w.Code != 401 || w.Body.String() != string(unauthorizedKeyBody) {
		t.Errorf("JWT as bearer on the client API: %d %s", w.Code, w.Body.String())
	}
}

func TestMintToken(t *testing.T) {
	h := newHarness(t)
	tok, err := h.e.MintToken(TokenRequest{Org: "o"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseToken(h.e.secret, tok, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c.Role != "owner" || c.Subject != "emulator-user" || c.Org != "o" || !c.Expires.Equal(h.clock.Now().Add(time.Hour)) {
		t.Errorf("defaults: %+v", c)
	}
	// The payload carries exactly the documented claims.
	var claims map[string]any
	payload, _ := b64.DecodeString(strings.Split(tok, ".")[1])
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"iss", "aud", "sub", "org", "role", "iat", "exp"} {
		if _, ok := claims[k]; !ok {
			t.Errorf("claim %s missing from %v", k, claims)
		}
	}
	header, _ := b64.DecodeString(strings.Split(tok, ".")[0])
	if string(header) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("header %s", header)
	}
	if _, err := h.e.MintToken(TokenRequest{}); err == nil {
		t.Error("a token without an org was minted")
	}
	if _, err := h.e.MintToken(TokenRequest{Org: "o", TTL: -time.Second}); err == nil {
		t.Error("a token with a negative TTL was minted")
	}
	// A sub-second TTL still yields a token that is valid now.
	tok, err = h.e.MintToken(TokenRequest{Org: "o", TTL: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseToken(h.e.secret, tok, h.clock.Now()); err != nil {
		t.Errorf("1ms token: %v", err)
	}
}

// RFC 7519 NumericDates are JSON numbers: a quoted exp, iat or nbf is refused
// even under a valid signature.
func TestQuotedNumericDateRefused(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	base := func() map[string]any {
		return map[string]any{"iss": tokenIssuer, "aud": tokenAudience, "sub": "u", "org": "acme", "role": "owner",
			"iat": now.Unix() - 10, "exp": now.Unix() + 3600}
	}
	good := craftToken(t, map[string]any{"alg": "HS256", "typ": "JWT"}, base(), secret, sha256.New)
	if _, err := parseToken(secret, good, now); err != nil {
		t.Fatalf("control token refused: %v", err)
	}
	for _, field := range []string{"exp", "iat", "nbf"} {
		c := base()
		c[field] = strconv.FormatInt(now.Unix(), 10)
		tok := craftToken(t, map[string]any{"alg": "HS256", "typ": "JWT"}, c, secret, sha256.New)
		if _, err := parseToken(secret, tok, now); err == nil {
			t.Errorf("a quoted %s was accepted", field)
		}
	}
}
