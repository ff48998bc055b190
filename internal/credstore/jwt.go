package credstore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the parts of a JWT payload metabind shows. The signature is never
// checked: only the server can tell whether a token is valid. String claims are
// as the token carries them; sanitize them before printing.
type Claims struct {
	Subject  string // sub
	Org      string // org
	Role     string // role
	Issuer   string // iss
	Audience []string
	// ExpiresAt (exp) and IssuedAt (iat) are nil when the token lacks them.
	ExpiresAt *time.Time
	IssuedAt  *time.Time
}

// ErrMalformedToken matches (with errors.Is) every error ParseClaims and
// CheckShape return.
var ErrMalformedToken = errors.New("this does not look like a JWT")

// MalformedTokenError says why a string is not a JWT. Its message never
// contains any part of the token.
type MalformedTokenError struct{ Reason string }

func (e *MalformedTokenError) Error() string { return ErrMalformedToken.Error() + ": " + e.Reason }

// Is makes every MalformedTokenError match ErrMalformedToken.
func (e *MalformedTokenError) Is(target error) bool { return target == ErrMalformedToken }

// MalformedReason is why ParseClaims refused a token ("it cannot be read"
// for any other error); it never quotes the token.
func MalformedReason(err error) string {
	var m *MalformedTokenError
	if errors.As(err, &m) {
		return m.Reason
	}
	return "it cannot be read"
}

// NotAJWT says that the token from t's source is not a JWT, and why.
func (t Token) NotAJWT(reason string) string {
	if t.Source == SourceEnv {
		return "the token in MB_TOKEN is not a JWT: " + reason
	}
	return "the stored token is not a JWT: " + reason
}

// NotAJWTHint says how to replace a token from t's source that is not a JWT.
func (t Token) NotAJWTHint() string {
	if t.Source == SourceEnv {
		return "set MB_TOKEN to the JWT from the Metabind web app (Settings → API Keys → Create JWT), or unset it"
	}
	return "run `metabind auth login` with the JWT from the Metabind web app (Settings → API Keys → Create JWT)"
}

func malformed(format string, args ...any) error {
	return &MalformedTokenError{Reason: fmt.Sprintf(format, args...)}
}

// maxTokenLen bounds what ParseClaims looks at; admin JWTs are well under 4 KiB.
const maxTokenLen = 16 << 10

// maxUnixTime is 9999-12-31T23:59:59Z, the largest time a claim may hold.
const maxUnixTime = 253402300799

// ParseClaims decodes the claims of a JWT without verifying its signature. The
// token (surrounding whitespace ignored) must be three dot-separated base64url
// parts (padding tolerated): a JSON object header, a JSON object payload and a
// non-empty signature. In the payload, "aud" may be a string or a list of
// strings, and "exp" and "iat" numbers of seconds (fractions tolerated).
//
// golang-jwt splits and decodes the token; what it does not check (the size,
// the alphabet, an empty signature, the claims' types and ranges) is checked
// here, and each failure gets a reason that quotes no part of the token.
func ParseClaims(token string) (Claims, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return Claims{}, malformed("it is empty")
	}
	if len(token) > maxTokenLen {
		return Claims{}, malformed("it is %d bytes long; a JWT is at most %d", len(token), maxTokenLen)
	}
	for i := 0; i < len(token); i++ {
		if !isTokenByte(token[i]) {
			return Claims{}, malformed("it contains characters a JWT cannot hold (only letters, digits, '-', '_', '=' and '.')")
		}
	}
	// Padding is tolerated in every part, however much: golang-jwt accepts
	// only the exact padding a part's length calls for, so trailing '=' are
	// dropped here and each part is decoded unpadded.
	token = trimPadding(token)
	// Built here, not at package level, so that a command that never reads a
	// token does no work for it at start-up.
	parser := jwt.NewParser(jwt.WithPaddingAllowed())
	var tc tokenClaims
	tok, parts, err := parser.ParseUnverified(token, &tc)
	if err := parseError(parser, tok, parts, err, token); err != nil {
		return Claims{}, err
	}
	if !tc.object { // JSON null: golang-jwt decodes it without a word
		return Claims{}, malformed("the payload is not a JSON object")
	}
	return tc.claims, nil
}

// trimPadding drops the trailing '=' of each dot-separated part of token. A
// '=' anywhere else is left for the decoder to refuse.
func trimPadding(token string) string {
	if !strings.Contains(token, "=") {
		return token
	}
	parts := strings.Split(token, ".")
	for i, p := range parts {
		parts[i] = strings.TrimRight(p, "=")
	}
	return strings.Join(parts, ".")
}

// parseError turns what ParseUnverified returned into a MalformedTokenError, or
// nil when the token is well formed. golang-jwt fills the token in as it goes
// (the header, then the claims, then the signing method and the signature), so
// how far it got says which part failed; the cause (a base64 or JSON error, or
// a MalformedTokenError from the claims) says how.
func parseError(parser *jwt.Parser, tok *jwt.Token, parts []string, err error, token string) error {
	var bad *MalformedTokenError
	var notBase64 base64.CorruptInputError
	switch {
	case tok == nil: // it did not split into three parts
		return malformed("expected three dot-separated parts (header.payload.signature), found %d", strings.Count(token, ".")+1)
	case tok.Claims == nil && errors.As(err, &notBase64):
		return malformed("the header is not base64url-encoded")
	case tok.Claims == nil || tok.Header == nil: // not JSON, or JSON null
		return malformed("the header is not a JSON object")
	case errors.As(err, &bad):
		return bad
	case errors.Is(err, jwt.ErrTokenMalformed) && tok.Method == nil && errors.As(err, &notBase64):
		return malformed("the payload is not base64url-encoded")
	case errors.Is(err, jwt.ErrTokenMalformed) && tok.Method == nil:
		return malformed("the payload is not a JSON object")
	}
	// The header is an object and the payload decoded. Only the signature is
	// left: it must be non-empty base64url. golang-jwt stops before decoding it
	// when the header names no signing method it knows (ErrTokenUnverifiable);
	// claims are read whatever the algorithm, so decode it here then.
	if parts[2] == "" {
		return malformed("the signature is empty")
	}
	if err != nil && !errors.Is(err, jwt.ErrTokenUnverifiable) {
		return malformed("the signature is not base64url-encoded")
	}
	if err != nil {
		if _, err := parser.DecodeSegment(parts[2]); err != nil {
			return malformed("the signature is not base64url-encoded")
		}
	}
	return nil
}

// tokenClaims is what golang-jwt decodes a payload into. Claim names are
// matched exactly (a JWT's names are case-sensitive), and a repeated name
// counts once, its last value.
type tokenClaims struct {
	claims Claims
	object bool // the payload was a JSON object, not null
}

// UnmarshalJSON reads the claims metabind shows and checks their types; the
// errors it returns are MalformedTokenErrors.
func (c *tokenClaims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return malformed("the payload is not a JSON object")
	}
	var err error
	for _, sc := range []struct {
		name string
		dst  *string
	}{{"sub", &c.claims.Subject}, {"org", &c.claims.Org}, {"role", &c.claims.Role}, {"iss", &c.claims.Issuer}} {
		if *sc.dst, err = stringClaim(raw, sc.name); err != nil {
			return err
		}
	}
	if v, ok := raw["aud"]; ok {
		var aud jwt.ClaimStrings // a string or a list of strings
		if aud.UnmarshalJSON(v) != nil {
			return malformed(`the "aud" claim is neither a string nor a list of strings`)
		}
		c.claims.Audience = aud
	}
	if c.claims.ExpiresAt, err = timeClaim(raw, "exp"); err != nil {
		return err
	}
	if c.claims.IssuedAt, err = timeClaim(raw, "iat"); err != nil {
		return err
	}
	c.object = true
	return nil
}

// The jwt.Claims methods. ParseUnverified validates nothing, so they only
// serve the interface.

func (c *tokenClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	return numericDate(c.claims.ExpiresAt), nil
}
func (c *tokenClaims) GetIssuedAt() (*jwt.NumericDate, error) {
	return numericDate(c.claims.IssuedAt), nil
}
func (c *tokenClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c *tokenClaims) GetIssuer() (string, error)              { return c.claims.Issuer, nil }
func (c *tokenClaims) GetSubject() (string, error)             { return c.claims.Subject, nil }
func (c *tokenClaims) GetAudience() (jwt.ClaimStrings, error)  { return c.claims.Audience, nil }

func numericDate(t *time.Time) *jwt.NumericDate {
	if t == nil {
		return nil
	}
	return &jwt.NumericDate{Time: *t}
}

// CheckShape reports whether token looks like a JWT: ParseClaims succeeds.
func CheckShape(token string) error {
	_, err := ParseClaims(token)
	return err
}

// Mask returns a form of token safe to show: its first and last four
// characters around "…" when it has at least 16 characters, else "****". It
// never returns the whole token.
func Mask(token string) string {
	if utf8.RuneCountInString(token) < 16 {
		return "****"
	}
	r := []rune(token)
	return string(r[:4]) + "…" + string(r[len(r)-4:])
}

func isTokenByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
		b == '-' || b == '_' || b == '.' || b == '='
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

func stringClaim(raw map[string]json.RawMessage, name string) (string, error) {
	v, ok := raw[name]
	if !ok || isNull(v) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", malformed("the %q claim is not a string", name)
	}
	return s, nil
}

func timeClaim(raw map[string]json.RawMessage, name string) (*time.Time, error) {
	v, ok := raw[name]
	if !ok || isNull(v) {
		return nil, nil
	}
	var n json.Number
	// json.Number would also accept a quoted number; a JWT's times are bare.
	if bytes.TrimSpace(v)[0] == '"' || json.Unmarshal(v, &n) != nil {
		return nil, malformed("the %q claim is not a number", name)
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > maxUnixTime {
		return nil, malformed("the %q claim is not a time between 1970 and 9999", name)
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
	return &t, nil
}
