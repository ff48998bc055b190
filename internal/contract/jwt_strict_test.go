package contract

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

// rawToken assembles a token from header and payload JSON as given (so that
// members can repeat), signed with HS256 under secret, or with the original
// token's signature when the secret is not known.
func rawToken(t *testing.T, header, payload string, secret []byte) string {
	t.Helper()
	if secret == nil {
		in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
		return in + "." + parseJWT(t, target.Token).signature
	}
	return testsupport.SignedJWT(header, payload, sha256.New, secret)
}

// TestAdminTokenStrictJSON: a header or payload that repeats a member (names
// compared regardless of case) makes the token invalid, 401, whichever copy
// a lenient reader would have taken; claim names are case-sensitive.
func TestAdminTokenStrictJSON(t *testing.T) {
	t.Parallel()
	var secret []byte
	if local != nil {
		secret = local.secret
	}
	base := parseJWT(t, target.Token)
	claims := func(extra string) string {
		c := base.clone().claims
		c["exp"] = time.Now().Add(time.Hour).Unix()
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.TrimSuffix(string(b), "}")
		if extra != "" {
			s += "," + extra
		}
		return s + "}"
	}
	role, _ := base.claims["role"].(string)
	hs := `{"alg":"HS256","typ":"JWT"}`
	if secret != nil {
		// The well-formed token is accepted, so each refusal below is about
		// the repeated member alone.
		r := mustDo(t, target, adminRequest(rawToken(t, hs, claims(""), secret), http.MethodGet, keysPath(target)+"?limit=1", nil))
		wantJSON(t, "control token", r, http.StatusOK)
	}
	for _, tc := range []struct{ label, header, payload string }{
		{"alg none then HS256", `{"alg":"none","alg":"HS256","typ":"JWT"}`, claims("")},
		{"alg HS256 twice", `{"alg":"HS256","alg":"HS256"}`, claims("")},
		{"alg and ALG", `{"alg":"HS256","ALG":"none"}`, claims("")},
		{"typ twice", `{"alg":"HS256","typ":"JWT","typ":"JWT"}`, claims("")},
		{"second Role after role", hs, claims(`"role":"viewer","Role":"` + role + `"`)},
		{"role twice", hs, claims(`"role":"` + role + `"`)},
		{"org and ORG", hs, claims(`"ORG":"other-org"`)},
		{"exp twice", hs, claims(`"exp":4102444800`)},
		{"member repeated in a nested object", hs, claims(`"x":{"a":1,"a":2}`)},
	} {
		t.Run(tc.label, func(t *testing.T) {
			tok := rawToken(t, tc.header, tc.payload, secret)
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				path := keysPath(target)
				var body []byte
				if method == http.MethodPost {
					body = mustJSON(t, map[string]any{"name": uniqueName(t, "dup")})
				}
				r := mustDo(t, target, adminRequest(tok, method, path, body))
				if r.StatusCode == http.StatusCreated {
					registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
				}
				wantError(t, method+" "+tc.label, r, http.StatusUnauthorized, codeUnauthorized)
			}
		})
	}
}
