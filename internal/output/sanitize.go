package output

import (
	"strings"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// Sanitize makes s safe to print on a terminal: every character that a terminal
// would act on instead of display is replaced by a visible escape, so text that
// came from a server (a key name, an error message) cannot clear the screen, move
// the cursor, set the window title or hide part of a line.
//
//   - "\n", "\r" and "\t" become `\n`, `\r` and `\t`;
//   - other C0 controls and DEL become `\xNN` (ESC is `\x1b`);
//   - C1 controls (U+0080–U+009F) become `\u0085` style escapes;
//   - bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E,
//     U+2066–U+2069) and the line and paragraph separators U+2028 and U+2029 become
//     `\u202e` style escapes, so text cannot be displayed reordered;
//   - each byte that is not part of valid UTF-8 becomes `\xNN`.
//
// Everything else, including emoji, accented and CJK text and joiners inside emoji
// sequences, is returned unchanged. A backslash is not itself escaped: the escapes
// are for reading, not for decoding. The result is valid UTF-8 and contains no
// byte below 0x20 and no 0x7f.
func Sanitize(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				writeByteEscape(&b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeByteEscape(&b, c)
		case escapedRune(r):
			writeRuneEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the index of the first byte Sanitize must change, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || escapedRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// escapedRune reports whether a valid non-ASCII rune is one Sanitize escapes.
func escapedRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // Arabic letter mark, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

func writeByteEscape(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0x0f])
}

// writeRuneEscape writes r (at most U+FFFF for every rune Sanitize escapes) as \uNNNN.
func writeRuneEscape(b *strings.Builder, r rune) {
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>uint(shift))&0x0f])
	}
}
