package cmdutil

// The one rule for what a key id argument looks like, for every command that
// takes one (the keys verbs, emulator audit --key): a full id is a UUID's
// 36-character text, in any case; an id prefix is its start with at least
// MinIDPrefixHex hex digits, hyphens where a UUID has them.

// MinIDPrefixHex is the fewest hex digits an id prefix needs.
const MinIDPrefixHex = 4

// uuidTemplate marks where a UUID's text has hyphens.
const uuidTemplate = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"

// IDShape reports whether s is a full key id (full) or a prefix of one with
// at least MinIDPrefixHex hex digits (prefix); at most one is true.
func IDShape(s string) (full, prefix bool) {
	if len(s) > len(uuidTemplate) {
		return false, false
	}
	hex := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if uuidTemplate[i] == '-' {
			if c != '-' {
				return false, false
			}
			continue
		}
		if !isHex(c) {
			return false, false
		}
		hex++
	}
	if len(s) == len(uuidTemplate) {
		return true, false
	}
	return false, hex >= MinIDPrefixHex
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
