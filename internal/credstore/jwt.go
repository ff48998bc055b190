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
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, malformed("expected three dot-separated parts (header.payload.signature), found %d", len(parts))
	}
	header, err := decodePart(parts[0])
	if err != nil {
		return Claims{}, malformed("the header is not base64url-encoded")
	}
	if !isJSONObject(header) {
		return Claims{}, malformed("the header is not a JSON object")
	}
	payload, err := decodePart(parts[1])
	if err != nil {
		return Claims{}, malformed("the payload is not base64url-encoded")
	}
	if parts[2] == "" || strings.Trim(parts[2], "=") == "" {
		return Claims{}, malformed("the signature is empty")
	}
	if _, err := decodePart(parts[2]); err != nil {
		return Claims{}, malformed("the signature is not base64url-encoded")
	}

	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
		return Claims{}, malformed("the payload is not a JSON object")
	}
	var c Claims
	for _, sc := range []struct {
		name string
		dst  *string
	}{{"sub", &c.Subject}, {"org", &c.Org}, {"role", &c.Role}, {"iss", &c.Issuer}} {
		if *sc.dst, err = stringClaim(raw, sc.name); err != nil {
			return Claims{}, err
		}
	}
	if c.Audience, err = audienceClaim(raw); err != nil {
		return Claims{}, err
	}
	if c.ExpiresAt, err = timeClaim(raw, "exp"); err != nil {
		return Claims{}, err
	}
	if c.IssuedAt, err = timeClaim(raw, "iat"); err != nil {
		return Claims{}, err
	}
	return c, nil
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

// decodePart decodes one base64url part, with or without padding.
func decodePart(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func isJSONObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
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

func audienceClaim(raw map[string]json.RawMessage) ([]string, error) {
	v, ok := raw["aud"]
	if !ok || isNull(v) {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(v, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(v, &many); err == nil {
		return many, nil
	}
	return nil, malformed(`the "aud" claim is neither a string nor a list of strings`)
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
