// Package names is the one rule for API key names, shared by the emulator
// (which refuses bad names) and the CLI (which refuses them before sending and
// escapes them when a server returns one).
//
// A name is trimmed of surrounding white space and must then be 1 to 100
// characters with none of these:
//
//   - general categories Cc (controls), Cf (format), Co (private use),
//     Cn (unassigned) and Cs (surrogates), Zl (line separator) and
//     Zp (paragraph separator);
//   - default-ignorable code points (see [DefaultIgnorable]);
//   - the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0;
//   - white space other than U+0020 SPACE (the Unicode White_Space property);
//   - U+FFFD, which stands for text that was lost in decoding.
//
// Names are compared by [Key]: NFKC and full case folding, so that "Prod",
// "PROD" and "ｐｒｏｄ" are the same name.
//
// The tables are those of the Go release the binary is built with (package
// unicode) and of golang.org/x/text.
package names

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// MaxLen is the longest name, in characters, after trimming.
const MaxLen = 100

// ErrEmpty, ErrTooLong and ErrInvalidUTF8 are returned (wrapped) by Check.
var (
	ErrEmpty       = errors.New("must not be empty")
	ErrTooLong     = errors.New("too long")
	ErrInvalidUTF8 = errors.New("must be valid UTF-8")
	ErrCharacter   = errors.New("holds a character that is not allowed")
)

// CharError is Check's error for a refused character.
type CharError struct {
	Rune   rune
	Pos    int    // 1-based character position in the trimmed name
	Reason string // why: "a control character", "an invisible formatting character", …
}

func (e *CharError) Error() string {
	return fmt.Sprintf("character %d is %s (%s); names are visible text, with U+0020 as the only space", e.Pos, e.Reason, Format(e.Rune))
}

// Unwrap makes errors.Is(err, ErrCharacter) hold.
func (e *CharError) Unwrap() error { return ErrCharacter }

// Format writes r as U+XXXX (at least four hex digits).
func Format(r rune) string { return fmt.Sprintf("U+%04X", r) }

// Trim removes the spaces (U+0020) around a name, as Check and Normalize do.
// Other white space is not trimmed but refused by Check, wherever it stands: a
// no-break space at the end would otherwise make "prod\u00a0" pass as "prod"
// while looking like a different name to whoever typed it.
func Trim(s string) string { return strings.Trim(s, " ") }

// Check reports whether raw, once trimmed, is an acceptable name. The error
// says what is wrong and, for a character, which one (as U+XXXX) and why; it
// never repeats the name.
func Check(raw string) error {
	if !utf8.ValidString(raw) {
		return ErrInvalidUTF8
	}
	name := Trim(raw)
	if name == "" {
		return ErrEmpty
	}
	if n := utf8.RuneCountInString(name); n > MaxLen {
		return fmt.Errorf("%w: must be at most %d characters (got %d)", ErrTooLong, MaxLen, n)
	}
	pos := 0
	for _, r := range name {
		pos++
		if why := reason(r); why != "" {
			return &CharError{Rune: r, Pos: pos, Reason: why}
		}
	}
	return nil
}

// Normalize checks raw and returns it trimmed.
func Normalize(raw string) (string, error) {
	if err := Check(raw); err != nil {
		return "", err
	}
	return Trim(raw), nil
}

// fold is safe for concurrent use: a cases.Caser is not, so Key makes one per
// call (it is a small value).
func fold() cases.Caser { return cases.Fold() }

// Key is the form in which names are compared: trimmed, then NFKC, full case
// folding, and NFKC again (folding can un-normalise). Two names with the same
// Key are the same name.
func Key(name string) string { return key(Trim(name)) }

func key(s string) string {
	s = norm.NFKC.String(s)
	c := fold()
	s = c.String(s)
	return norm.NFKC.String(s)
}

// Unsafe reports whether r must not appear in a name as shown: any character
// that Check refuses except U+0020. A display layer escapes such runes.
func Unsafe(r rune) bool { return r != ' ' && reason(r) != "" }

// hangulFillers render as blank space but are letters (Lo).
var hangulFillers = [...]rune{0x115F, 0x1160, 0x3164, 0xFFA0}

// reason returns why r is refused in a name, or "".
func reason(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "the replacement character, left where text could not be decoded"
	case r == ' ':
		return ""
	case unicode.Is(unicode.Cc, r):
		return "a control character"
	case unicode.Is(unicode.Zl, r):
		return "a line separator"
	case unicode.Is(unicode.Zp, r):
		return "a paragraph separator"
	case unicode.Is(unicode.White_Space, r):
		return "white space other than a plain space"
	case unicode.Is(unicode.Cf, r):
		return "an invisible formatting character"
	case unicode.Is(unicode.Co, r):
		return "a private-use character"
	case unicode.Is(unicode.Cs, r):
		return "a surrogate"
	case isHangulFiller(r):
		return "a Hangul filler, which shows as blank space"
	case DefaultIgnorable(r):
		return "a default-ignorable character, which is not shown"
	case Unassigned(r):
		return "unassigned in Unicode"
	}
	return ""
}

func isHangulFiller(r rune) bool {
	for _, f := range hangulFillers {
		if r == f {
			return true
		}
	}
	return false
}

// DefaultIgnorable reports the Unicode property Default_Ignorable_Code_Point,
// derived as DerivedCoreProperties.txt defines it (Unicode 15/16):
//
//	Other_Default_Ignorable_Code_Point
//	+ Cf (format characters)
//	+ Variation_Selector
//	- White_Space
//	- FFF9..FFFB (interlinear annotation format characters)
//	- 13430..13440 (Egyptian hieroglyph format characters)
//	- Prepended_Concatenation_Mark
//
// Go's unicode package has every table on the right-hand side but not the
// derived property itself.
func DefaultIgnorable(r rune) bool {
	if !unicode.In(r, unicode.Other_Default_Ignorable_Code_Point, unicode.Cf, unicode.Variation_Selector) {
		return false
	}
	switch {
	case unicode.Is(unicode.White_Space, r),
		r >= 0xFFF9 && r <= 0xFFFB,
		r >= 0x13430 && r <= 0x13440,
		unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	}
	return true
}

// Unassigned reports general category Cn (unassigned code points and
// noncharacters).
func Unassigned(r rune) bool {
	return r < 0 || r > unicode.MaxRune || unicode.Is(unicode.Cn, r)
}
