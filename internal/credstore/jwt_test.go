package credstore

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

var b64 = base64.RawURLEncoding

const testHeader = `{"alg":"HS256","typ":"JWT"}`

// testJWT is a token with the emulator's claims.
func testJWT(sub string) string {
	return testsupport.RawJWT(testHeader, `{"iss":"metabind-emulator","aud":"metabind-admin","sub":"`+sub+
		`","org":"acme","role":"owner","exp":1900000000,"iat":1800000000}`)
}

func TestParseClaims(t *testing.T) {
	c, err := ParseClaims(testJWT("alice@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "alice@example.com" || c.Org != "acme" || c.Role != "owner" || c.Issuer != "metabind-emulator" {
		t.Errorf("claims %+v", c)
	}
	if len(c.Audience) != 1 || c.Audience[0] != "metabind-admin" {
		t.Errorf("aud %q", c.Audience)
	}
	if c.ExpiresAt == nil || !c.ExpiresAt.Equal(time.Unix(1900000000, 0)) || c.ExpiresAt.Location() != time.UTC {
		t.Errorf("exp %v", c.ExpiresAt)
	}
	if c.IssuedAt == nil || !c.IssuedAt.Equal(time.Unix(1800000000, 0)) {
		t.Errorf("iat %v", c.IssuedAt)
	}
}

func TestParseClaimsVariants(t *testing.T) {
	t.Run("aud list, float exp, no iat", func(t *testing.T) {
		c, err := ParseClaims(testsupport.RawJWT(testHeader, `{"aud":["a","b"],"exp":1700000000.25}`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(c.Audience, ",") != "a,b" {
			t.Errorf("aud %q", c.Audience)
		}
		if want := time.Unix(1700000000, 250_000_000); c.ExpiresAt == nil || !c.ExpiresAt.Equal(want) {
			t.Errorf("exp %v, want %v", c.ExpiresAt, want)
		}
		if c.IssuedAt != nil {
			t.Errorf("iat %v, want nil", c.IssuedAt)
		}
	})
	t.Run("exponent notation", func(t *testing.T) {
		c, err := ParseClaims(testsupport.RawJWT(testHeader, `{"exp":1.7e9}`))
		if err != nil || c.ExpiresAt == nil || c.ExpiresAt.Unix() != 1700000000 {
			t.Fatalf("exp %v, err %v", c.ExpiresAt, err)
		}
	})
	t.Run("null and missing claims", func(t *testing.T) {
		c, err := ParseClaims(testsupport.RawJWT(testHeader, `{"sub":null,"exp":null,"aud":null,"extra":{"nested":[1,2]}}`))
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != "" || c.ExpiresAt != nil || c.Audience != nil {
			t.Errorf("claims %+v", c)
		}
	})
	t.Run("any header object, whatever its alg", func(t *testing.T) {
		for _, h := range []string{`{}`, `{"alg":"none"}`, `{"alg":"XY999"}`, `{"alg":5}`} {
			c, err := ParseClaims(testsupport.RawJWT(h, `{"sub":"abc"}`))
			if err != nil || c.Subject != "abc" {
				t.Errorf("header %s: sub %q, err %v", h, c.Subject, err)
			}
		}
	})
	t.Run("names are case-sensitive and the last repeat counts", func(t *testing.T) {
		c, err := ParseClaims(testsupport.RawJWT(testHeader, `{"sub":"first","SUB":7,"Sub":"other","sub":"last","EXP":"x"}`))
		if err != nil || c.Subject != "last" || c.ExpiresAt != nil {
			t.Fatalf("claims %+v, err %v", c, err)
		}
	})
	t.Run("extra padding in any part", func(t *testing.T) {
		hdr := b64.EncodeToString([]byte(testHeader))
		pay := b64.EncodeToString([]byte(`{"sub":"abc"}`))
		for _, tok := range []string{
			hdr + "." + pay + ".c2ln=",             // "sig" needs none
			hdr + "." + pay + ".c2lnbmF0dXJl==",    // "signature" needs none
			hdr + "." + pay + ".c2lnbg===",         // "sign" needs two
			hdr + "==." + pay + ".c2ln",            // header
			hdr + "." + pay + "==.c2ln",            // payload
			hdr + "=." + pay + "===.c2lnbmF0dXJl=", // all three
		} {
			c, err := ParseClaims(tok)
			if err != nil || c.Subject != "abc" {
				t.Errorf("%s: sub %q, err %v", tok, c.Subject, err)
			}
		}
	})
	t.Run("padded parts and surrounding whitespace", func(t *testing.T) {
		std := base64.URLEncoding // with padding
		tok := std.EncodeToString([]byte(testHeader)) + "." + std.EncodeToString([]byte(`{"sub":"abc"}`)) + "." + std.EncodeToString([]byte("sign"))
		if !strings.Contains(tok, "=") {
			t.Fatal("test token has no padding")
		}
		c, err := ParseClaims("  " + tok + "\r\n")
		if err != nil || c.Subject != "abc" {
			t.Fatalf("sub %q, err %v", c.Subject, err)
		}
	})
}

func TestParseClaimsErrors(t *testing.T) {
	sig := b64.EncodeToString([]byte("signature-signature"))
	hdr := b64.EncodeToString([]byte(testHeader))
	pay := b64.EncodeToString([]byte(`{"sub":"someone-with-a-long-name"}`))
	tests := []struct {
		name, token, msg string
	}{
		{"empty", "", "it is empty"},
		{"blank", " \n\t", "it is empty"},
		{"one part", "abcdefghijklmnopqrstuvwxyz", "expected three dot-separated parts (header.payload.signature), found 1"},
		{"two parts", hdr + "." + pay, "found 2"},
		{"four parts", hdr + "." + pay + "." + sig + "." + sig, "found 4"},
		{"inner newline", hdr + ".\n" + pay + "." + sig, "characters a JWT cannot hold"},
		{"inner space", hdr + "." + pay + " ." + sig, "characters a JWT cannot hold"},
		{"standard base64", hdr + "." + pay + "+/." + sig, "characters a JWT cannot hold"},
		{"header not base64", "a." + pay + "." + sig, "the header is not base64url-encoded"},
		{"header not JSON", b64.EncodeToString([]byte("hello-world")) + "." + pay + "." + sig, "the header is not a JSON object"},
		{"header JSON array", b64.EncodeToString([]byte(`["alg"]`)) + "." + pay + "." + sig, "the header is not a JSON object"},
		{"payload not base64", hdr + ".=abc." + sig, "the payload is not base64url-encoded"},
		{"payload not JSON", hdr + "." + b64.EncodeToString([]byte("not json at all")) + "." + sig, "the payload is not a JSON object"},
		{"payload null", hdr + "." + b64.EncodeToString([]byte("null")) + "." + sig, "the payload is not a JSON object"},
		{"payload array", hdr + "." + b64.EncodeToString([]byte(`[1]`)) + "." + sig, "the payload is not a JSON object"},
		{"payload trailing data", hdr + "." + b64.EncodeToString([]byte(`{} {}`)) + "." + sig, "the payload is not a JSON object"},
		{"empty signature", hdr + "." + pay + ".", "the signature is empty"},
		{"padding-only signature", hdr + "." + pay + ".==", "the signature is empty"},
		{"signature not base64", hdr + "." + pay + ".a", "the signature is not base64url-encoded"},
		{"exp string", testsupport.RawJWT(testHeader, `{"exp":"soon"}`), `the "exp" claim is not a number`},
		{"exp quoted number", testsupport.RawJWT(testHeader, `{"exp":"1700000000"}`), `the "exp" claim is not a number`},
		{"exp negative", testsupport.RawJWT(testHeader, `{"exp":-5}`), `the "exp" claim is not a time between 1970 and 9999`},
		{"exp huge", testsupport.RawJWT(testHeader, `{"exp":1e300}`), `the "exp" claim is not a time`},
		{"exp beyond float", testsupport.RawJWT(testHeader, `{"exp":1e999}`), `the "exp" claim is not a time`},
		{"iat bool", testsupport.RawJWT(testHeader, `{"iat":true}`), `the "iat" claim is not a number`},
		{"aud number", testsupport.RawJWT(testHeader, `{"aud":5}`), `the "aud" claim is neither a string nor a list of strings`},
		{"aud mixed list", testsupport.RawJWT(testHeader, `{"aud":["a",1]}`), `the "aud" claim is neither`},
		{"sub number", testsupport.RawJWT(testHeader, `{"sub":12}`), `the "sub" claim is not a string`},
		{"org object", testsupport.RawJWT(testHeader, `{"org":{"id":"acme"}}`), `the "org" claim is not a string`},
		{"too long", strings.Repeat("a", maxTokenLen+1), "bytes long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseClaims(tt.token)
			if err == nil {
				t.Fatal("ParseClaims succeeded")
			}
			if !errors.Is(err, ErrMalformedToken) {
				t.Errorf("%v does not match ErrMalformedToken", err)
			}
			if !strings.HasPrefix(err.Error(), "this does not look like a JWT: ") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to contain %q", err, tt.msg)
			}
			assertNoTokenIn(t, err.Error(), tt.token)
			if CheckShape(tt.token) == nil {
				t.Error("CheckShape accepted what ParseClaims rejected")
			}
		})
	}
}

// assertNoTokenIn fails when msg contains the token or any long piece of it.
func assertNoTokenIn(t *testing.T, msg, token string) {
	t.Helper()
	for _, piece := range strings.FieldsFunc(token, func(r rune) bool { return r == '.' || r == ' ' || r == '\n' }) {
		if len(piece) >= 12 && strings.Contains(msg, piece) {
			t.Errorf("message %q contains part of the token", msg)
		}
	}
}

func TestCheckShape(t *testing.T) {
	if err := CheckShape(testJWT("bob")); err != nil {
		t.Errorf("valid token rejected: %v", err)
	}
	if err := CheckShape("eyJhbGciOiJIUzI1NiJ9"); !errors.Is(err, ErrMalformedToken) {
		t.Errorf("one part accepted: %v", err)
	}
}

func TestMask(t *testing.T) {
	tok := testJWT("carol")
	tests := []struct{ in, want string }{
		{"", "****"},
		{"short", "****"},
		{"123456789012345", "****"},
		{"1234567890123456", "1234…3456"},
		{tok, tok[:4] + "…" + tok[len(tok)-4:]},
		{"ééééxxxxxxxxxxxxüüüü", "éééé…üüüü"},
	}
	for _, tt := range tests {
		got := Mask(tt.in)
		if got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.in != "" && strings.Contains(got, tt.in) {
			t.Errorf("Mask(%q) reveals the whole token", tt.in)
		}
	}
}

func FuzzParseClaims(f *testing.F) {
	f.Add(testJWT("fuzz"))
	f.Add(testsupport.RawJWT(testHeader, `{"aud":["a","b"],"exp":1.5e9,"iat":0}`))
	f.Add(testsupport.RawJWT(testHeader, `{"exp":1e308}`))
	f.Add(testsupport.RawJWT(`{}`, `{}`))
	f.Add(testsupport.RawJWT(`[]`, `null`))
	f.Add("a.b.c")
	f.Add("..")
	f.Add("...")
	f.Add("eyJ.eyJ.=")
	f.Add("")
	f.Add("not a jwt")
	f.Add(strings.Repeat("A", 64) + "." + strings.Repeat("=", 8) + ".x")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := ParseClaims(token)
		if (CheckShape(token) == nil) != (err == nil) {
			t.Fatal("CheckShape and ParseClaims disagree")
		}
		if err != nil {
			if !errors.Is(err, ErrMalformedToken) {
				t.Fatalf("error %v does not match ErrMalformedToken", err)
			}
			assertNoTokenIn(t, err.Error(), token)
			return
		}
		for _, ts := range []*time.Time{c.ExpiresAt, c.IssuedAt} {
			if ts != nil && (ts.Year() < 1970 || ts.Year() > 9999) {
				t.Fatalf("time out of range: %v", ts)
			}
		}
		if m := Mask(token); m == token {
			t.Fatalf("Mask returned the whole token")
		}
	})
}

func BenchmarkParseClaims(b *testing.B) {
	tok := testJWT("alice@example.com")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseClaims(tok); err != nil {
			b.Fatal(err)
		}
	}
}
