// Package textsafe makes text that came from elsewhere (a server's key names
// and error messages, a debug trace) safe to show on a terminal: every
// character that a terminal would act on, that is not displayed, or that can
// pass for another one is replaced by a visible escape, so the text cannot
// clear the screen, move the cursor, set the window title, reorder a line or
// make two different names look the same.
//
// Which characters are escaped is the rule for key names in package names
// (names.Unsafe): general categories Cc, Cf, Co, Cn, Cs, Zl and Zp,
// default-ignorable code points, Hangul fillers and white space other than
// U+0020. Two exceptions keep emoji readable: U+200D ZERO WIDTH JOINER between
// two symbols and the variation selectors U+FE0E/U+FE0F after a symbol. U+FFFD
// is shown as it is (it already marks lost text); an invalid UTF-8 byte is
// escaped.
package textsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/names"
)

const hexDigits = "0123456789abcdef"

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// Unsafe reports whether r is escaped wherever it appears.
func Unsafe(r rune) bool {
	if r < utf8.RuneSelf {
		return r < 0x20 || r == 0x7f
	}
	return r != utf8.RuneError && names.Unsafe(r)
}

// Escape returns s with every unsafe character replaced by a visible escape:
//
//   - "\n", "\r" and "\t" become `\n`, `\r` and `\t`;
//   - other C0 controls, DEL and each byte that is not part of valid UTF-8
//     become `\xNN` (ESC is `\x1b`);
//   - any other unsafe rune becomes `\uNNNN`, or `\UNNNNNNNN` above U+FFFF
//     (as in a Go string literal): `\u202e`, `\u3164`, `\U000e0020`.
//
// Everything else, including accented and CJK text and emoji, is returned
// unchanged; clean input is returned without allocating. A backslash is not
// itself escaped: the escapes are for reading, not for decoding. The result is
// valid UTF-8 and contains no unsafe character.
func Escape(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	escapeTo(&b, s[i:], s[:i])
	return b.String()
}

// Line is Escape for a one-line message: line breaks and tabs become spaces,
// the result is trimmed and cut to at most max characters of s (then "…" is
// added).
func Line(s string, max int) string {
	if s == "" {
		return ""
	}
	n, cut := 0, len(s)
	for i := range s {
		if n == max {
			cut = i
			break
		}
		n++
	}
	head := lineBreaks.Replace(s[:cut])
	out := strings.TrimSpace(Escape(head))
	if cut < len(s) {
		out += "…"
	}
	return out
}

// firstUnsafe returns the index of the first byte Escape must change, or -1.
func firstUnsafe(s string) int {
	prev := rune(-1)
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			prev = rune(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || Unsafe(r) && !emojiPart(prev, r, s[i+size:]) {
			return i
		}
		prev = setPrev(prev, r)
		i += size
	}
	return -1
}

// escapeTo writes the escaped form of s to b; before is the text already
// written (for the emoji exceptions).
func escapeTo(b *strings.Builder, s, before string) {
	prev := rune(-1)
	for _, r := range before {
		prev = setPrev(prev, r)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			prev = rune(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeByte(b, c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case r < utf8.RuneSelf:
			writeByte(b, c)
		case Unsafe(r) && !emojiPart(prev, r, s[i+size:]):
			writeRune(b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		prev = setPrev(prev, r)
		i += size
	}
}

// emojiPart reports whether r, after prev and before rest, is part of an emoji
// sequence: a zero-width joiner between two symbols (So, or Sk for a skin tone
// modifier), or a text or emoji variation selector after one. prev skips
// variation selectors (see setPrev).
func emojiPart(prev, r rune, rest string) bool {
	if prev < 0 || prev == utf8.RuneError || !unicode.In(prev, unicode.So, unicode.Sk) {
		return false
	}
	switch r {
	case 0xFE0E, 0xFE0F:
		return true
	case 0x200D:
		next, _ := utf8.DecodeRuneInString(rest)
		return rest != "" && next != utf8.RuneError && unicode.Is(unicode.So, next)
	}
	return false
}

// setPrev is the rune emojiPart looks back at after r: a variation selector
// belongs to the symbol before it.
func setPrev(prev, r rune) rune {
	if r == 0xFE0E || r == 0xFE0F {
		return prev
	}
	return r
}

func writeByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0x0f])
}

func writeRune(b *strings.Builder, r rune) {
	digits := 4
	if r > 0xFFFF {
		b.WriteString(`\U`)
		digits = 8
	} else {
		b.WriteString(`\u`)
	}
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>uint(shift))&0x0f])
	}
}
