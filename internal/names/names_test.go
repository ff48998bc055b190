package names

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

func TestCheckRefuses(t *testing.T) {
	for _, tc := range []struct {
		label string
		name  string
		r     rune
		why   string
	}{
		{"Hangul filler U+3164", "prod\u3164", 0x3164, "Hangul filler"},
		{"halfwidth Hangul filler U+FFA0", "pr\uFFA0od", 0xFFA0, "Hangul filler"},
		{"Hangul choseong filler U+115F", "\u115Fprod", 0x115F, "Hangul filler"},
		{"Hangul jungseong filler U+1160", "pr\u1160od", 0x1160, "Hangul filler"},
		{"tag space U+E0020", "prod\U000E0020", 0xE0020, "formatting"},
		{"tag letter U+E0041", "prod\U000E0041x", 0xE0041, "formatting"},
		{"soft hyphen U+00AD", "pr\u00ADod", 0x00AD, "formatting"},
		{"Mongolian vowel separator U+180E", "pr\u180Eod", 0x180E, "formatting"},
		{"interlinear annotation U+FFF9", "pr\uFFF9od", 0xFFF9, "formatting"},
		{"Arabic letter mark U+061C", "pr\u061Cod", 0x061C, "formatting"},
		{"line separator U+2028", "p\u2028q", 0x2028, "line separator"},
		{"paragraph separator U+2029", "p\u2029q", 0x2029, "paragraph separator"},
		{"tab inside", "a\tb", '\t', "control"},
		{"newline inside", "a\nb", '\n', "control"},
		{"NUL", "a\x00b", 0, "control"},
		{"DEL", "a\x7fb", 0x7f, "control"},
		{"C1 CSI", "a\u009bb", 0x9b, "control"},
		{"ESC", "\x1b[2Jx", 0x1b, "control"},
		{"NBSP", "pro\u00A0d", 0xA0, "white space"},
		{"ideographic space", "pro\u3000d", 0x3000, "white space"},
		{"en quad", "pro\u2000d", 0x2000, "white space"},
		{"NEL", "pro\u0085d", 0x85, "control"},
		{"ZWJ", "a\u200Db", 0x200D, "formatting"},
		{"ZWNJ", "a\u200Cb", 0x200C, "formatting"},
		{"ZWSP", "a\u200Bb", 0x200B, "formatting"},
		{"word joiner", "a\u2060b", 0x2060, "formatting"},
		{"RLO", "a\u202Eb", 0x202E, "formatting"},
		{"LRI", "a\u2066b", 0x2066, "formatting"},
		{"BOM", "\uFEFFab", 0xFEFF, "formatting"},
		{"combining grapheme joiner U+034F", "a\u034Fb", 0x034F, "default-ignorable"},
		{"variation selector 16", "a\uFE0Fb", 0xFE0F, "default-ignorable"},
		{"variation selector 17", "a\U000E0100b", 0xE0100, "default-ignorable"},
		{"unassigned default-ignorable U+2065", "a\u2065b", 0x2065, "default-ignorable"},
		{"private use", "a\uE000b", 0xE000, "private-use"},
		{"supplementary private use", "a\U000F0000b", 0xF0000, "private-use"},
		{"unassigned U+0378", "a\u0378b", 0x0378, "unassigned"},
		{"noncharacter U+FFFF", "a\uFFFFb", 0xFFFF, "unassigned"},
		{"replacement character", "bad\uFFFDname", 0xFFFD, "replacement"},
	} {
		t.Run(tc.label, func(t *testing.T) {
			err := Check(tc.name)
			var ce *CharError
			if !errors.As(err, &ce) {
				t.Fatalf("Check(%q) = %v, want a CharError", tc.name, err)
			}
			if ce.Rune != tc.r {
				t.Errorf("rune = %s, want %s", Format(ce.Rune), Format(tc.r))
			}
			msg := err.Error()
			if !strings.Contains(msg, Format(tc.r)) || !strings.Contains(msg, tc.why) {
				t.Errorf("message %q should name %s and say %q", msg, Format(tc.r), tc.why)
			}
			if !errors.Is(err, ErrCharacter) {
				t.Errorf("errors.Is(err, ErrCharacter) = false")
			}
			if strings.Contains(msg, tc.name) {
				t.Errorf("message %q repeats the name", msg)
			}
			if !Unsafe(tc.r) {
				t.Errorf("Unsafe(%s) = false", Format(tc.r))
			}
		})
	}
}

func TestCheckPositions(t *testing.T) {
	var ce *CharError
	if !errors.As(Check("  ab\u00ADc"), &ce) || ce.Pos != 3 {
		t.Fatalf("position of the soft hyphen: %+v, want 3 (counted after trimming)", ce)
	}
}

func TestCheckLengthAndEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		want error
	}{
		{"", ErrEmpty},
		{"   ", ErrEmpty},
		{" \n\t ", ErrCharacter},
		{strings.Repeat("a", 101), ErrTooLong},
		{strings.Repeat("é", 101), ErrTooLong},
		{"a\xffb", ErrInvalidUTF8},
	} {
		if err := Check(tc.name); !errors.Is(err, tc.want) {
			t.Errorf("Check(%q) = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestCheckAccepts(t *testing.T) {
	for _, name := range []string{
		"prod",
		"iOS Production App",
		"  padded ",
		strings.Repeat("a", 100),
		strings.Repeat("é", 100),
		"  " + strings.Repeat("p", 100) + "  ",
		`"🔑" iOS <Production> & 'App'`,
		"Ключ для продакшена",
		"本番キー",
		"한국어 키",
		"مفتاح",   // Arabic letters without the letter mark
		"e\u0301", // a combining accent is visible
		"ＦＵＬＬ",
	} {
		if err := Check(name); err != nil {
			t.Errorf("Check(%q) = %v, want nil", name, err)
		}
	}
	if got, err := Normalize("  padded "); err != nil || got != "padded" {
		t.Errorf("Normalize = %q, %v", got, err)
	}
}

func TestKey(t *testing.T) {
	same := [][]string{
		{"prod", "PROD", "Prod", " prod "},
		{"ｐｒｏｄ", "prod"},        // fullwidth, NFKC
		{"ﬁle", "file", "FILE"}, // ligature, NFKC
		{"straße", "STRASSE"},   // full case folding
		{"\u212Aey", "key"},     // Kelvin sign
		{"café", "cafe\u0301"},  // composed and decomposed
		{"ΣΊΣΥΦΟΣ", "σίσυφος"},  // final sigma
		{"①", "1"},              // circled digit
	}
	for _, group := range same {
		for _, other := range group[1:] {
			if Key(group[0]) != Key(other) {
				t.Errorf("Key(%q) = %q, Key(%q) = %q; want equal", group[0], Key(group[0]), other, Key(other))
			}
		}
	}
	for _, pair := range [][2]string{{"prod", "prod2"}, {"a b", "ab"}, {"é", "e"}} {
		if Key(pair[0]) == Key(pair[1]) {
			t.Errorf("Key(%q) == Key(%q)", pair[0], pair[1])
		}
	}
}

// TestDefaultIgnorableDerivation pins the derivation against code points that
// DerivedCoreProperties.txt lists (or does not list) as Default_Ignorable_Code_Point.
func TestDefaultIgnorableDerivation(t *testing.T) {
	yes := []rune{0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180E, 0x180F,
		0x200B, 0x200F, 0x202A, 0x2060, 0x2065, 0x206F, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFFA0,
		0xFFF0, 0x1BCA0, 0x1D173, 0xE0000, 0xE0001, 0xE0020, 0xE007F, 0xE0100, 0xE0FFF}
	no := []rune{' ', 'a', 0x00A0, 0x0600, 0x06DD, 0x070F, 0x110BD, 0xFFF9, 0xFFFA, 0xFFFB, 0x13430, 0x1680, 0x3000}
	for _, r := range yes {
		if !DefaultIgnorable(r) {
			t.Errorf("DefaultIgnorable(%s) = false, want true", Format(r))
		}
	}
	for _, r := range no {
		if DefaultIgnorable(r) {
			t.Errorf("DefaultIgnorable(%s) = true, want false", Format(r))
		}
	}
}

// TestUnsafeMatchesCheck: a rune is Unsafe exactly when Check refuses a name
// holding it (other than as surrounding space), over the whole code space.
func TestUnsafeMatchesCheck(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // not encodable in a Go string
		}
		refused := Check("a"+string(r)+"b") != nil
		if refused != Unsafe(r) {
			t.Fatalf("%s: Check refuses = %v, Unsafe = %v", Format(r), refused, Unsafe(r))
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"prod", "a\u3164", " x ", "\U000E0020", strings.Repeat("é", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := Check(s); err != nil {
			return
		}
		name := Trim(s)
		for _, r := range name {
			if Unsafe(r) {
				t.Fatalf("accepted %q holding %s", s, Format(r))
			}
		}
		if k := Key(name); k != key(k) {
			t.Fatalf("Key not idempotent on %q", s)
		}
	})
}

// Only U+0020 is trimmed; other white space at either end is refused, as it is
// in the middle.
func TestOnlySpacesAreTrimmed(t *testing.T) {
	if err := Check("  prod  "); err != nil {
		t.Errorf("spaces around a name: %v", err)
	}
	if Key("  prod ") != Key("prod") {
		t.Error("spaces around a name change its key")
	}
	for _, raw := range []string{"prod\u00a0", "\u00a0prod", "prod\t", "\nprod", "prod\u3000", "prod\u2003"} {
		if err := Check(raw); !errors.Is(err, ErrCharacter) {
			t.Errorf("Check(%q) = %v, want a refused character", raw, err)
		}
	}
}
