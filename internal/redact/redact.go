// Package redact recognises secrets by their shape. A token or key given by
// mistake where an id, a name or a flag value was expected ("metabind keys show
// eyJhbGci…", a key pasted as --org) must not be saved, sent or echoed back in
// the error that refuses it: every error message and hint passes through
// Secrets before it is printed.
package redact

import (
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
