package emulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/metabind/metabind-cli/internal/names"
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
	maxNameLen = names.MaxLen
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

// checkName validates a key name by the one rule in package names and returns it
// trimmed, with the form used to compare names (names.Key: NFKC and case
// folding). The message is for the user and never repeats the name.
func checkName(raw string) (name, norm, problem string) {
	name, err := names.Normalize(raw)
	if err != nil {
		return "", "", err.Error()
	}
	return name, names.Key(name), ""
}
