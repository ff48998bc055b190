package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The emulator's admin tokens are HS256 JWTs it signs itself. They are written
// and checked here by hand, with the algorithm pinned: there is no "alg" the
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
	errTokenIssuer    = errors.New("token issuer is not " + tokenIssuer)
	errTokenAudience  = errors.New("token audience is not " + tokenAudience)
	errTokenExpiry    = errors.New("token has no expiry")
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

type tokenHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
}

// tokenClaims is what a verified token says.
type tokenClaims struct {
	Subject string
	Org     string
	Role    string
	Expires time.Time
}

type wireClaims struct {
	Issuer    string          `json:"iss"`
	Audience  json.RawMessage `json:"aud"`
	Subject   string          `json:"sub"`
	Org       string          `json:"org"`
	Role      string          `json:"role"`
	IssuedAt  jsonNumber      `json:"iat"`
	ExpiresAt jsonNumber      `json:"exp"`
	NotBefore jsonNumber      `json:"nbf,omitempty"`
}

// jsonNumber is a JSON number kept as text. Unlike json.Number it refuses a
// quoted string: RFC 7519 NumericDates are numbers.
type jsonNumber string

func (n *jsonNumber) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return errors.New("a NumericDate must be a JSON number, not a string")
	}
	*n = jsonNumber(b)
	return nil
}

// signToken returns an HS256 JWT for the given claims.
func signToken(secret []byte, sub, org, role string, iat, exp time.Time) (string, error) {
	h, err := json.Marshal(tokenHeader{Alg: "HS256", Typ: "JWT"})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(struct {
		Iss  string `json:"iss"`
		Aud  string `json:"aud"`
		Sub  string `json:"sub"`
		Org  string `json:"org"`
		Role string `json:"role"`
		Iat  int64  `json:"iat"`
		Exp  int64  `json:"exp"`
	}{tokenIssuer, tokenAudience, sub, org, role, iat.Unix(), ceilUnix(exp)})
	if err != nil {
		return "", err
	}
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	return signing + "." + b64.EncodeToString(tokenMAC(secret, signing)), nil
}

// ceilUnix rounds up to the second, so a token never expires before its TTL.
func ceilUnix(t time.Time) int64 {
	if t.Nanosecond() > 0 {
		return t.Unix() + 1
	}
	return t.Unix()
}

func tokenMAC(secret []byte, signingInput string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signingInput))
	return m.Sum(nil)
}

// parseToken verifies token and returns its claims. The signature is checked
// (in constant time) before the payload is even decoded; iss, aud and exp are
// required and exp is checked with no leeway.
func parseToken(secret []byte, token string, now time.Time) (tokenClaims, error) {
	if len(token) == 0 || len(token) > maxTokenLen {
		return tokenClaims{}, errTokenMalformed
	}
	first := strings.IndexByte(token, '.')
	last := strings.LastIndexByte(token, '.')
	if first <= 0 || last == first || last == len(token)-1 || strings.Count(token, ".") != 2 {
		return tokenClaims{}, errTokenMalformed
	}
	headerPart, payloadPart, sigPart := token[:first], token[first+1:last], token[last+1:]

	hb, err := b64.DecodeString(headerPart)
	if err != nil {
		return tokenClaims{}, errTokenMalformed
	}
	var hdr map[string]json.RawMessage
	if err := strictUnmarshal(hb, &hdr); err != nil {
		return tokenClaims{}, errTokenMalformed
	}
	var alg, typ string
	if raw, ok := hdr["alg"]; !ok || json.Unmarshal(raw, &alg) != nil || alg != "HS256" {
		return tokenClaims{}, errTokenAlg
	}
	if raw, ok := hdr["typ"]; ok {
		if json.Unmarshal(raw, &typ) != nil || !strings.EqualFold(typ, "JWT") {
			return tokenClaims{}, errTokenMalformed
		}
	}
	if _, ok := hdr["crit"]; ok {
		// No extension is understood, so a token that demands one is refused.
		return tokenClaims{}, errTokenMalformed
	}

	sig, err := b64.DecodeString(sigPart)
	if err != nil || len(sig) != sha256.Size {
		return tokenClaims{}, errTokenSignature
	}
	if !hmac.Equal(sig, tokenMAC(secret, token[:last])) {
		return tokenClaims{}, errTokenSignature
	}

	pb, err := b64.DecodeString(payloadPart)
	if err != nil {
		return tokenClaims{}, errTokenMalformed
	}
	var c wireClaims
	if err := strictUnmarshal(pb, &c); err != nil {
		return tokenClaims{}, errTokenClaims
	}
	if c.Issuer != tokenIssuer {
		return tokenClaims{}, errTokenIssuer
	}
	if !audienceHas(c.Audience, tokenAudience) {
		return tokenClaims{}, errTokenAudience
	}
	if c.ExpiresAt == "" {
		return tokenClaims{}, errTokenExpiry
	}
	exp, ok := numericDate(c.ExpiresAt)
	if !ok {
		return tokenClaims{}, errTokenClaims
	}
	if c.IssuedAt != "" {
		if _, ok := numericDate(c.IssuedAt); !ok {
			return tokenClaims{}, errTokenClaims
		}
	}
	nowSec := float64(now.UnixNano()) / 1e9
	if nowSec >= exp {
		return tokenClaims{}, errTokenExpired
	}
	if c.NotBefore != "" {
		nbf, ok := numericDate(c.NotBefore)
		if !ok {
			return tokenClaims{}, errTokenClaims
		}
		if nowSec < nbf {
			return tokenClaims{}, errTokenNotYet
		}
	}
	if c.Subject == "" || c.Org == "" || c.Role == "" {
		return tokenClaims{}, errTokenClaims
	}
	sec, frac := math.Modf(exp)
	return tokenClaims{
		Subject: c.Subject,
		Org:     c.Org,
		Role:    c.Role,
		Expires: time.Unix(int64(sec), int64(frac*1e9)).UTC(),
	}, nil
}

// strictUnmarshal decodes exactly one JSON value with numbers kept as
// json.Number and nothing after it.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("trailing data")
	}
	return nil
}

// numericDate parses a JWT NumericDate (seconds, possibly fractional).
func numericDate(n jsonNumber) (float64, bool) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e15 {
		return 0, false
	}
	return f, true
}

// audienceHas accepts "aud" as a string or an array of strings (RFC 7519 §4.1.3).
func audienceHas(raw json.RawMessage, want string) bool {
	if len(raw) == 0 {
		return false
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if a == want {
				return true
			}
		}
	}
	return false
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
	now := e.now()
	return signToken(e.secret, r.Subject, r.Org, r.Role, now, now.Add(r.TTL))
}
