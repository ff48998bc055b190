// Package redact is the one place that hides secrets, three ways:
//
//   - by shape (Secrets, Contains, LooksLikeJWT, LooksLikeAPIKey): a token or
//     key given by mistake where an id, a name or a flag value was expected
//     ("metabind keys show eyJhbGci…", a key pasted as --org) must not be
//     saved, sent or echoed back in the error that refuses it: every error
//     message and hint passes through Secrets before it is printed;
//   - by value (Values, ValuesIn): the secrets a caller knows (the token, a
//     key it sent) are masked wherever they appear, in a debug trace, a
//     server's error, a benchmark's command line;
//   - by field (SensitiveField, Fields): in a JSON document, the values of
//     members such as key, apiKey, token or secret are masked at any depth
//     (the debug trace's bodies, the contract suite's failure messages).
package redact

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
)

var (
	jwtShape = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	})
	keyShape = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`)
	})
)

// LooksLikeJWT reports whether s holds something shaped like a JWT.
func LooksLikeJWT(s string) bool { return jwtShape().MatchString(s) }

// LooksLikeAPIKey reports whether s is shaped like a generated API key: 32
// characters of A-Z, a-z and 0-9 mixing upper case, lower case and digits.
func LooksLikeAPIKey(s string) bool {
	return len(s) == 32 && keyShape().MatchString(s) && mixed(s)
}

func mixed(s string) bool {
	var upper, lower, digit bool
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		}
	}
	return upper && lower && digit
}

// Contains reports whether s holds anything Secrets would hide: a JWT-shaped
// run or an API-key-shaped word anywhere in it.
func Contains(s string) bool { return Secrets(s) != s }

// Secrets replaces JWT-shaped text and API-key-shaped words in s.
func Secrets(s string) string {
	if !strings.Contains(s, "eyJ") && len(s) < 32 {
		return s
	}
	s = jwtShape().ReplaceAllString(s, "[token hidden]")
	return keyShape().ReplaceAllStringFunc(s, func(m string) string {
		if mixed(m) {
			return "[key hidden]"
		}
		return m
	})
}

// Mask replaces a hidden value.
const Mask = "****"

// MinSecretLen is the shortest string Values treats as a secret; shorter ones
// would mask ordinary words.
const MinSecretLen = 8

// Values replaces every occurrence of each secret in s with Mask. Secrets
// shorter than MinSecretLen are ignored.
func Values(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= MinSecretLen && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Mask)
		}
	}
	return s
}

// ValuesIn returns a copy of v, a decoded JSON value, with Values applied to
// every string in it, member names included.
func ValuesIn(v any, secrets []string) any {
	switch t := v.(type) {
	case string:
		return Values(t, secrets)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[Values(k, secrets)] = ValuesIn(x, secrets)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = ValuesIn(x, secrets)
		}
		return out
	default:
		return v
	}
}

// sensitiveFields are JSON member names, lower case without '_' or '-', whose
// values are credentials.
var sensitiveFields = map[string]bool{
	"key": true, "apikey": true, "xapikey": true, "token": true, "accesstoken": true,
	"refreshtoken": true, "idtoken": true, "secret": true, "clientsecret": true,
	"jwt": true, "password": true, "authorization": true,
}

var fieldSeparators = strings.NewReplacer("_", "", "-", "")

// SensitiveField reports whether a JSON member of this name holds a
// credential: key, apiKey, x-api-key, token, access_token, secret, jwt,
// password, authorization and the like, compared without case, '_' or '-'.
func SensitiveField(name string) bool {
	return sensitiveFields[fieldSeparators.Replace(strings.ToLower(name))]
}

// Fields returns a copy of v, a decoded JSON value, in which the value of
// every sensitive member (SensitiveField), at any depth, is Mask.
func Fields(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if SensitiveField(k) {
				out[k] = Mask
				continue
			}
			out[k] = Fields(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = Fields(x)
		}
		return out
	default:
		return v
	}
}

// URL is raw as an error message may quote it: a password, the query and the
// fragment, which can carry a token, read "xxxxx"; a string that does not
// parse as a URL is not shown at all.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(not shown: not a URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if u.RawQuery != "" {
		u.RawQuery = "xxxxx"
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = "xxxxx", ""
	}
	return u.String()
}
