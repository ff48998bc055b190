package contract

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/testsupport"
)

// jwtParts is a decoded JWT: header and claims as generic maps (numbers kept
// as json.Number so they survive a round trip), and the raw signature.
type jwtParts struct {
	header, claims map[string]any
	signature      string
}

func parseJWT(t testing.TB, token string) jwtParts {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("the token is not three dot-separated parts")
	}
	decode := func(seg string) map[string]any {
		raw, err := base64.RawURLEncoding.DecodeString(seg)
		if err != nil {
			t.Fatalf("the token has a segment that is not base64url: %v", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("the token has a segment that is not a JSON object: %v", err)
		}
		return m
	}
	return jwtParts{header: decode(parts[0]), claims: decode(parts[1]), signature: parts[2]}
}

func (p jwtParts) clone() jwtParts {
	c := jwtParts{header: map[string]any{}, claims: map[string]any{}, signature: p.signature}
	for k, v := range p.header {
		c.header[k] = v
	}
	for k, v := range p.claims {
		c.claims[k] = v
	}
	return c
}

func segment(t testing.TB, v map[string]any) string {
	t.Helper()
	return base64.RawURLEncoding.EncodeToString(mustJSON(t, v))
}

// signingInput is the part of the token the signature covers.
func (p jwtParts) signingInput(t testing.TB) string {
	return segment(t, p.header) + "." + segment(t, p.claims)
}

// withSignature assembles the token with the given signature.
func (p jwtParts) withSignature(t testing.TB, sig string) string {
	return p.signingInput(t) + "." + sig
}

// signed assembles the token with an HMAC signature made with h and secret.
func (p jwtParts) signed(t testing.TB, h func() hash.Hash, secret []byte) string {
	return testsupport.SignedJWT(string(mustJSON(t, p.header)), string(mustJSON(t, p.claims)), h, secret)
}

// resigned signs p with the emulator's secret when it is known (so only the
// claim or header under test is wrong), else keeps the original signature
// (so the signature is wrong too, and the case still must fail).
func (p jwtParts) resigned(t testing.TB, secret []byte) string {
	if secret == nil {
		return p.withSignature(t, p.signature)
	}
	return p.signed(t, sha256.New, secret)
}

// TestAdminAuthRejected: every bad credential is 401 UNAUTHORIZED in the
// envelope. The crafted tokens start from a real token. When the emulator's
// secret can be identified beside its database, claim cases carry a valid
// HS256 signature, so only the claim under test is wrong; otherwise they
// also carry a broken signature (still 401), and the test says so. Expiry
// with a valid signature is covered by TestAdminTokenExpiry in any case.
func TestAdminAuthRejected(t *testing.T) {
	t.Parallel()
	var secret []byte
	if local != nil {
		secret = local.secret
		if secret == nil {
			t.Log("the emulator's secret was not found beside its database: claim cases carry a broken signature")
		}
	}
	base := parseJWT(t, target.Token)
	now := time.Now().Unix()

	// Each case is the whole Authorization value; "" sends no header. On a
	// remote server, whose secret the suite cannot know, the header and
	// claim cases keep the original signature: they must fail all the same.
	type tc struct{ label, header string }
	var tests []tc
	add := func(label, header string) { tests = append(tests, tc{label, header}) }
	add("no Authorization header", "")
	add("garbage", "garbage")
	add("Bearer garbage", "Bearer garbage")
	add("Bearer and nothing", "Bearer")
	add("Bearer and two dots", "Bearer ..")
	add("Basic credentials", "Basic "+base64.StdEncoding.EncodeToString([]byte("user:pass")))
	add("token without scheme", target.Token)
	add("two parts only", "Bearer "+strings.Join(strings.Split(target.Token, ".")[:2], "."))

	for _, alg := range []string{"none", "None", "NONE"} {
		p := base.clone()
		p.header["alg"] = alg
		add("alg "+alg+" without signature", "Bearer "+p.withSignature(t, ""))
		add("alg "+alg+" with the original signature", "Bearer "+p.withSignature(t, base.signature))
	}
	{
		p := base.clone()
		p.header["alg"] = "HS512"
		add("alg HS512 header, HS256 signature", "Bearer "+p.resigned(t, secret))
		if secret != nil {
			add("alg HS512 header, HS512 signature", "Bearer "+p.signed(t, sha512.New, secret))
		}
		p2 := base.clone()
		p2.header["alg"] = "RS256"
		add("alg RS256 header, HS256 signature", "Bearer "+p2.resigned(t, secret))
		p3 := base.clone()
		delete(p3.header, "alg")
		add("no alg", "Bearer "+p3.resigned(t, secret))
	}
	{
		p := base.clone()
		p.claims["sub"] = "someone-else"
		p.claims["role"] = "owner"
		add("tampered payload, original signature", "Bearer "+p.withSignature(t, base.signature))

		sig := []byte(base.signature)
		// Change the first character, not the last: the last base64url
		// character of a 32-byte MAC carries unused bits.
		if sig[0] == 'A' {
			sig[0] = 'B'
		} else {
			sig[0] = 'A'
		}
		raw := strings.Split(target.Token, ".")
		add("bad signature", "Bearer "+raw[0]+"."+raw[1]+"."+string(sig))
		add("signature made with another secret", "Bearer "+base.signed(t, sha256.New, []byte("not the emulator's secret")))
		add("empty signature", "Bearer "+raw[0]+"."+raw[1]+".")
	}
	claimCase := func(label string, change func(map[string]any)) {
		p := base.clone()
		change(p.claims)
		add(label, "Bearer "+p.resigned(t, secret))
	}
	claimCase("expired", func(c map[string]any) { c["exp"] = now - 60; c["iat"] = now - 3600 })
	claimCase("no exp", func(c map[string]any) { delete(c, "exp") })
	claimCase("exp not a number", func(c map[string]any) { c["exp"] = "tomorrow" })
	claimCase("wrong aud", func(c map[string]any) { c["aud"] = "metabind-client" })
	claimCase("no aud", func(c map[string]any) { delete(c, "aud") })
	claimCase("wrong iss", func(c map[string]any) { c["iss"] = "someone-else" })
	claimCase("no iss", func(c map[string]any) { delete(c, "iss") })

	// Controls: the token itself works, and so does the same token re-encoded
	// and re-signed with the secret found (else the claim cases prove nothing).
	decodeList(t, "control: the real token", admin(t, target, http.MethodGet, keysPath(target), nil))
	if secret != nil {
		decodeList(t, "control: the token re-signed with the secret found",
			mustDo(t, target, adminRequest(base.clone().signed(t, sha256.New, secret), http.MethodGet, keysPath(target), nil)))
	}

	for _, tc := range tests {
		t.Run(tc.label, func(t *testing.T) {
			h := http.Header{}
			h.Set("Accept", "application/json")
			if tc.header != "" {
				h.Set("Authorization", tc.header)
			}
			path := keysPath(target)
			r := mustDo(t, target, Request{Method: http.MethodGet, Path: path, Header: h})
			wantError(t, "GET "+path, r, http.StatusUnauthorized, codeUnauthorized)

			// A write with the same credential is refused too, and creates nothing.
			h.Set("Content-Type", "application/json")
			name := uniqueName(t, "unauth")
			r = mustDo(t, target, Request{Method: http.MethodPost, Path: path, Header: h, Body: mustJSON(t, map[string]any{"name": name})})
			if r.StatusCode == http.StatusCreated {
				registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
			}
			wantError(t, "POST "+path, r, http.StatusUnauthorized, codeUnauthorized)
		})
	}
}

// TestAdminTokenExpiry: exp is checked with no leeway, against the
// emulator's clock, on a token with a valid signature.
func TestAdminTokenExpiry(t *testing.T) {
	t.Parallel()
	needLocal(t, "an injected clock")
	clock := testsupport.NewClock(time.Now().UTC().Truncate(time.Second))
	d := newDedicated(t, func(c *emulator.Config) { c.Now = clock.Now })
	tok := d.mintToken(t, "owner", "expiry-user", 10*time.Minute)
	claims := parseJWT(t, tok).claims
	expNum, ok := claims["exp"].(json.Number)
	if !ok {
		t.Fatalf("minted token has no numeric exp claim")
	}
	expSec, err := expNum.Int64()
	if err != nil {
		t.Fatalf("minted token exp: %v", err)
	}
	exp := time.Unix(expSec, 0)
	tg := *d.target
	tg.Token = tok
	path := keysPath(&tg)
	for _, step := range []struct {
		label  string
		at     time.Time
		status int
	}{
		{"one second before exp", exp.Add(-time.Second), http.StatusOK},
		{"at exp", exp, http.StatusUnauthorized},
		{"one second after exp", exp.Add(time.Second), http.StatusUnauthorized},
		{"a day after exp", exp.Add(24 * time.Hour), http.StatusUnauthorized},
	} {
		clock.Set(step.at)
		r := admin(t, &tg, http.MethodGet, path, nil)
		if step.status == http.StatusOK {
			decodeList(t, step.label+": GET "+path, r)
		} else {
			wantError(t, step.label+": GET "+path, r, step.status, codeUnauthorized)
		}
	}
}

func TestAdminRoles(t *testing.T) {
	t.Parallel()
	l := needLocal(t, "tokens minted with other roles")
	for _, tc := range []struct {
		role    string
		allowed bool
	}{
		{"owner", true}, {"admin", true}, {"developer", true},
		{"editor", false}, {"viewer", false}, {"content-writer", false},
	} {
		t.Run(tc.role, func(t *testing.T) {
			t.Parallel()
			sub := "contract-" + tc.role + "-" + randomAlnum(t, 6)
			tg := *target
			tg.Token = l.mintToken(t, target.Org, tc.role, sub)
			// A key made by the owner for the read, update and delete checks.
			victim := createKey(t, target, uniqueName(t, "victim"))

			list := admin(t, &tg, http.MethodGet, keysPath(&tg), nil)
			create := admin(t, &tg, http.MethodPost, keysPath(&tg), mustJSON(t, map[string]any{"name": uniqueName(t, "by-role")}))
			show := admin(t, &tg, http.MethodGet, keysPath(&tg, victim.ID), nil)
			rename := admin(t, &tg, http.MethodPut, keysPath(&tg, victim.ID), mustJSON(t, map[string]any{"name": uniqueName(t, "renamed")}))
			revoke := admin(t, &tg, http.MethodPut, keysPath(&tg, victim.ID), []byte(`{"status":"revoked"}`))
			del := admin(t, &tg, http.MethodDelete, keysPath(&tg, victim.ID), nil)

			if !tc.allowed {
				for _, c := range []struct {
					what string
					r    *Response
				}{{"list", list}, {"create", create}, {"show", show}, {"rename", rename}, {"revoke", revoke}, {"delete", del}} {
					wantError(t, tc.role+" "+c.what, c.r, http.StatusForbidden, codeForbidden)
				}
				if got := showKey(t, target, victim.ID); got.Name != victim.Name || got.Status != "active" {
					t.Errorf("a refused %s changed the key: %q %s", tc.role, got.Name, got.Status)
				}
				return
			}
			decodeList(t, tc.role+" list", list)
			if k := wantKey(t, tc.role+" create", create, http.StatusCreated, true); k.CreatedBy != sub && k.ID != "" {
				t.Errorf("%s create: createdBy = %q, want %q", tc.role, k.CreatedBy, sub)
			}
			wantKey(t, tc.role+" show", show, http.StatusOK, false)
			wantKey(t, tc.role+" rename", rename, http.StatusOK, false)
			wantKey(t, tc.role+" revoke", revoke, http.StatusOK, false)
			wantJSON(t, tc.role+" delete", del, http.StatusOK)
		})
	}
}

func TestAdminOtherOrganization(t *testing.T) {
	t.Parallel()
	l := needLocal(t, "a token of another organization")
	globex := l.mintToken(t, l.otherOrg, "owner", "contract-globex")
	victim := createKey(t, target, uniqueName(t, "acme-key"))

	for _, c := range []struct {
		label, method, path string
		body                []byte
	}{
		{"list", http.MethodGet, keysPath(target), nil},
		{"create", http.MethodPost, keysPath(target), mustJSON(t, map[string]any{"name": uniqueName(t, "intruder")})},
		{"show", http.MethodGet, keysPath(target, victim.ID), nil},
		{"revoke", http.MethodPut, keysPath(target, victim.ID), []byte(`{"status":"revoked"}`)},
		{"delete", http.MethodDelete, keysPath(target, victim.ID), nil},
	} {
		r := mustDo(t, target, adminRequest(globex, c.method, c.path, c.body))
		wantError(t, "globex token: "+c.label+" in acme", r, http.StatusForbidden, codeForbidden)
	}
	if got := showKey(t, target, victim.ID); got.Status != "active" {
		t.Errorf("a refused cross-org revoke or delete changed the key: %s", got.Status)
	}
	// The same token works in its own organization, and the acme token does not there.
	own := AdminPath(l.otherOrg, l.otherOrgProj, "api-keys")
	decodeList(t, "globex token in globex", mustDo(t, target, adminRequest(globex, http.MethodGet, own, nil)))
	wantError(t, "acme token in globex", admin(t, target, http.MethodGet, own, nil), http.StatusForbidden, codeForbidden)
}

// TestAPIKeyOnAdminAPI: an API key is no admin credential, whether sent as a
// bearer token or in x-api-key.
func TestAPIKeyOnAdminAPI(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "not-admin"))
	path := keysPath(target)
	wantError(t, "API key as bearer token", mustDo(t, target, adminRequest(k.Secret, http.MethodGet, path, nil)),
		http.StatusUnauthorized, codeUnauthorized)
	r := mustDo(t, target, clientRequest(k.Secret, http.MethodGet, path))
	wantError(t, "API key in x-api-key on the admin API", r, http.StatusUnauthorized, codeUnauthorized)
}
