package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// generatedKeyLen is the length of a generated key: 32 Base62 characters,
	// about 190 bits.
	generatedKeyLen = 32
	// Custom key values: 20 to 128 characters of [A-Za-z0-9_-].
	minCustomKeyLen = 20
	maxCustomKeyLen = 128
	// maxKeyHeaderLen bounds the x-api-key header: anything longer is refused
	// before it is looked at.
	maxKeyHeaderLen = 256
	// maxNameLen is the longest key name, in characters, after trimming.
	maxNameLen = 100
)

const base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// generateKey returns a new key: 32 characters drawn uniformly from Base62 using
// crypto/rand. Bytes of 248 and above are rejected so that every character is
// equally likely (248 = 4 × 62).
func generateKey() (string, error) {
	out := make([]byte, 0, generatedKeyLen)
	buf := make([]byte, 48)
	for len(out) < generatedKeyLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("read random bytes: %w", err)
		}
		for _, b := range buf {
			if b >= 248 {
				continue
			}
			out = append(out, base62[b%62])
			if len(out) == generatedKeyLen {
				break
			}
		}
	}
	return string(out), nil
}

// keyDigest is what the database stores instead of a key:
// HMAC-SHA-256 keyed with the emulator's secret.
func keyDigest(secret []byte, key string) [sha256.Size]byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(key))
	var d [sha256.Size]byte
	m.Sum(d[:0])
	return d
}

// keyShapeOK reports whether s could be a key at all: 20 to 128 characters of
// [A-Za-z0-9_-]. It looks at nothing but s, so malformed keys cost no database
// access.
func keyShapeOK(s string) bool {
	if len(s) < minCustomKeyLen || len(s) > maxCustomKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// checkName validates a key name and returns it trimmed, with its normalised form
// for case-insensitive uniqueness. The message is for the user.
func checkName(raw string) (name, norm, problem string) {
	if !utf8.ValidString(raw) {
		return "", "", "must be valid UTF-8"
	}
	name = strings.TrimSpace(raw)
	if name == "" {
		return "", "", "must not be empty"
	}
	if n := utf8.RuneCountInString(name); n > maxNameLen {
		return "", "", fmt.Sprintf("must be at most %d characters (got %d)", maxNameLen, n)
	}
	for _, r := range name {
		if isControlRune(r) {
			return "", "", "must not contain control characters"
		}
		if r == utf8.RuneError {
			// JSON decoding turns a lone surrogate escape into U+FFFD.
			return "", "", "must be valid Unicode text (it holds U+FFFD, e.g. from a lone surrogate escape)"
		}
	}
	return name, foldName(name), ""
}

// isControlRune reports control characters (C0, DEL, C1) and the invisible
// formatting characters that reorder or hide text on a terminal (bidi controls,
// zero-width characters, the BOM).
func isControlRune(r rune) bool {
	if unicode.IsControl(r) {
		return true
	}
	switch {
	case r >= 0x200B && r <= 0x200F, // zero-width space/joiners, LRM, RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2069, // word joiner, invisible operators, bidi isolates
		r == 0x2028 || r == 0x2029, // line and paragraph separators
		r == 0xFEFF:
		return true
	}
	return false
}

// foldName maps a name to a case-insensitive form: each rune becomes the smallest
// member of its simple case-folding orbit, so "Key", "KEY" and "key" (and
// "K" with the Kelvin sign) compare equal.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}
