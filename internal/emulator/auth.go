package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The emulator's admin tokens are HS256 JWTs it signs itself, written and
// checked with golang-jwt, with the algorithm pinned: there is no "alg" the
// token can choose.
const (
	tokenIssuer   = "metabind-emulator"
	tokenAudience = "metabind-admin"
	// maxTokenLen bounds the bearer token; a longer one is refused unread.
	maxTokenLen = 8 << 10

	defaultRole    = "owner"
	defaultSubject = "emulator-user"
	defaultTTL     = time.Hour
)

// Roles lists the roles a token can carry; only those in apiKeyRoles may use
// the api-keys endpoints.
var Roles = []string{"owner", "admin", "developer", "editor", "content-writer", "viewer"}

var apiKeyRoles = map[string]bool{"owner": true, "admin": true, "developer": true}

var b64 = base64.RawURLEncoding.Strict()

var (
	errTokenMalformed = errors.New("token is not a well-formed JWT")
	errTokenAlg       = errors.New("token algorithm is not HS256")
	errTokenSignature = errors.New("token signature is invalid")
	errTokenClaims    = errors.New("token claims are invalid")
	errTokenExpired   = errors.New("token has expired")
	errTokenNotYet    = errors.New("token is not valid yet")
)

// TokenRequest describes a token for MintToken.
type TokenRequest struct {
	Org     string        // required
	Role    string        // default "owner"
	Subject string        // default "emulator-user"
	TTL     time.Duration // default 1h
}

// tokenClaims is what a verified token says.
type tokenClaims struct {
	Subject string
	Org     string
	Role    string
	Expires time.Time
}

// signToken returns an HS256 JWT for the given claims.
func signToken(secret []byte, sub, org, role string, iat, exp time.Time) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss":  tokenIssuer,
		"aud":  tokenAudience,
		"sub":  sub,
		"org":  org,
		"role": role,
		"iat":  iat.Unix(),
		"exp":  ceilUnix(exp),
	}).SignedString(secret)
}

// ceilUnix rounds up to the second, so a token never expires before its TTL.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

// parseToken verifies token and returns its claims. Before golang-jwt sees
// it, the header and payload must each be one JSON object with no member
// repeated at any depth: encoding/json keeps the last of repeated members, so
// {"alg":"none","alg":"HS256"} would read as HS256 here and as none elsewhere.
// golang-jwt then checks the signature (HS256 only, constant time), iss, aud,
// and exp (required, no leeway); the claims are read from a map, by their
// exact, case-sensitive names (struct decoding would match "ORG" for "org").
func parseToken(secret []byte, token string, now time.Time) (tokenClaims, error) {
	if len(token) == 0 || len(token) > maxTokenLen || strings.Count(token, ".") != 2 {
		return tokenClaims{}, errTokenMalformed
	}
	parts := strings.Split(token, ".")
	hb, err := b64.DecodeString(parts[0])
	if err != nil || !uniqueMembers(hb) {
		return tokenClaims{}, errTokenMalformed
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil || !uniqueMembers(pb) {
		return tokenClaims{}, errTokenClaims
	}
	if _, err := b64.DecodeString(parts[2]); err != nil {
		return tokenClaims{}, errTokenSignature
	}
	var hdr map[string]any
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return tokenClaims{}, errTokenMalformed
	}
	if _, ok := hdr["crit"]; ok {
		// No extension is understood, so a token that demands one is refused.
		return tokenClaims{}, errTokenMalformed
	}
	if typ, ok := hdr["typ"]; ok {
		if s, isString := typ.(string); !isString || !strings.EqualFold(s, "JWT") {
			return tokenClaims{}, errTokenMalformed
		}
	}

	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenAudience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(0),
		jwt.WithJSONNumber(),
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	claims := jwt.MapClaims{}
	if _, err := parser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) {
		if len(secret) == 0 { // opened read-only: nothing verifies
			return nil, jwt.ErrTokenSignatureInvalid
		}
		return secret, nil
	}); err != nil {
		switch {
		case errors.Is(err, jwt.ErrTokenExpired):
			return tokenClaims{}, errTokenExpired
		case errors.Is(err, jwt.ErrTokenNotValidYet):
			return tokenClaims{}, errTokenNotYet
		case errors.Is(err, jwt.ErrTokenSignatureInvalid):
			return tokenClaims{}, errTokenSignature
		case errors.Is(err, jwt.ErrTokenUnverifiable):
			return tokenClaims{}, errTokenAlg
		}
		return tokenClaims{}, errTokenClaims
	}
	// Expiry: golang-jwt has checked it (with no leeway, to the second); a
	// token expiring within the current second is also refused here, as
	// RFC 7519 asks ("on or after").
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil || !now.Before(exp.Time) {
		return tokenClaims{}, errTokenExpired
	}
	if iat, ok := claims["iat"]; ok {
		if _, isNumber := iat.(json.Number); !isNumber {
			return tokenClaims{}, errTokenClaims
		}
	}
	str := func(name string) string {
		s, _ := claims[name].(string)
		return s
	}
	c := tokenClaims{Subject: str("sub"), Org: str("org"), Role: str("role"), Expires: exp.UTC()}
	if c.Subject == "" || c.Org == "" || c.Role == "" {
		return tokenClaims{}, errTokenClaims
	}
	return c, nil
}

// uniqueMembers reports whether b is exactly one JSON object in which no
// object, at any depth, has the same member twice, names compared without
// regard to case.
func uniqueMembers(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '{' {
		return false
	}
	if !objectMembersUnique(dec) {
		return false
	}
	_, err = dec.Token()
	return err == io.EOF
}

// objectMembersUnique reads the rest of an object whose '{' was just read.
func objectMembersUnique(dec *json.Decoder) bool {
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		name, ok := tok.(string)
		// Names that differ only in case count as the same: a reader that
		// matches names case-insensitively (as encoding/json does for
		// structs) would take either.
		key := strings.ToLower(strings.ToUpper(name))
		if !ok || seen[key] {
			return false
		}
		seen[key] = true
		if !valueMembersUnique(dec) {
			return false
		}
	}
	tok, err := dec.Token() // '}'
	return err == nil && tok == json.Delim('}')
}

func valueMembersUnique(dec *json.Decoder) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	switch tok {
	case json.Delim('{'):
		return objectMembersUnique(dec)
	case json.Delim('['):
		for dec.More() {
			if !valueMembersUnique(dec) {
				return false
			}
		}
		tok, err := dec.Token()
		return err == nil && tok == json.Delim(']')
	}
	return true
}

// MintToken signs an admin token for the emulator's own admin API.
func (e *Emulator) MintToken(r TokenRequest) (string, error) {
	if r.Org == "" {
		return "", errors.New("an organization is required")
	}
	if r.Role == "" {
		r.Role = defaultRole
	}
	if r.Subject == "" {
		r.Subject = defaultSubject
	}
	if r.TTL == 0 {
		r.TTL = defaultTTL
	}
	if r.TTL < 0 {
		return "", fmt.Errorf("token lifetime must be positive, got %s", r.TTL)
	}
	if len(e.secret) == 0 {
		return "", errors.New("the database was opened read-only, without its signing secret")
	}
	now := e.now()
	return signToken(e.secret, r.Subject, r.Org, r.Role, now, now.Add(r.TTL))
}
