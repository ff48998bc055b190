package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain ASCII", "iOS Production App", "iOS Production App"},
		{"empty", "", ""},
		{"clear screen", "evil\x1b[2Jname", `evil\x1b[2Jname`},
		{"OSC window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"newline, CR, tab", "a\nb\rc\td", `a\nb\rc\td`},
		{"NUL and DEL", "a\x00b\x7f", `a\x00b\x7f`},
		{"C1", "a\u009b2J\u0085", `a\u009b2J\u0085`},
		{"bidi override and isolate", "abc\u202edcb\u2066x\u2069", `abc\u202edcb\u2066x\u2069`},
		{"Arabic letter mark", "a\u061cb", `a\u061cb`},
		{"line and paragraph separators", "a\u2028b\u2029", `a\u2028b\u2029`},
		{"Hangul filler", "prod\u3164", `prod\u3164`},
		{"halfwidth Hangul filler", "prod\uffa0", `prod\uffa0`},
		{"tag space", "prod\U000e0020", `prod\U000e0020`},
		{"soft hyphen", "pr\u00adod", `pr\u00adod`},
		{"Mongolian vowel separator", "prod\u180e", `prod\u180e`},
		{"interlinear annotation", "prod\ufff9", `prod\ufff9`},
		{"zero-width space and joiner in a word", "p\u200brod\u200d", `p\u200brod\u200d`},
		{"BOM", "\ufeffprod", `\ufeffprod`},
		{"NBSP", "a\u00a0b", `a\u00a0b`},
		{"ideographic space", "a\u3000b", `a\u3000b`},
		{"private use", "a\ue000b", `a\ue000b`},
		{"unassigned", "a\U000e0fffb", `a\U000e0fffb`},
		{"invalid UTF-8", "a\xffb caf\xc3", `a\xffb caf\xc3`},
		{"raw C1 byte", "a\x9bb", `a\x9bb`},
		{"replacement character kept", "\uFFFD", "\uFFFD"},
		{"emoji", "🚀 Launch", "🚀 Launch"},
		{"emoji ZWJ sequence", "👩‍💻 dev", "👩‍💻 dev"},
		{"skin tone ZWJ sequence", "👩🏽‍💻", "👩🏽‍💻"},
		{"emoji presentation selector", "❤️ and ❤️‍🔥", "❤️ and ❤️‍🔥"},
		{"variation selector after a letter", "a\ufe0f", `a\ufe0f`},
		{"accents and CJK", "café ünïcode 日本語", "café ünïcode 日本語"},
		{"backslash untouched", `C:\x1b`, `C:\x1b`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Escape(c.in); got != c.want {
				t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestEscapeCleanInputDoesNotAllocate(t *testing.T) {
	s := "clean café 🚀 👩‍💻"
	if got := Escape(s); got != s {
		t.Fatalf("Escape(%q) = %q", s, got)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = Escape(s) }); allocs != 0 {
		t.Errorf("Escape allocated %v times for clean input, want 0", allocs)
	}
}

func TestLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"name \x1b[2J taken\r\nreally\u202e", 100, `name \x1b[2J taken really\u202e`},
		{"  padded\n", 100, "padded"},
		{"a\u2028b", 100, `a\u2028b`},
		{strings.Repeat("é", 10), 4, "éééé…"},
		{"a\xffb", 10, `a\xffb`},
		{"", 10, ""},
	} {
		if got := Line(c.in, c.max); got != c.want {
			t.Errorf("Line(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "evil\x1b[2J", "\x00\x7f\u0085\u009f", "a\xffb\xc3", "🚀\u202e\u2028", "\r\n\t", "👩‍💻\u200d", "❤\ufe0f\u200d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Escape(%q) = %q is not valid UTF-8", s, out)
		}
		for i, r := range out {
			if Unsafe(r) && r != 0x200D && r != 0xFE0E && r != 0xFE0F {
				t.Fatalf("Escape(%q) = %q contains %U at %d", s, out, r, i)
			}
		}
		if Escape(out) != out {
			t.Fatalf("Escape is not idempotent on %q", s)
		}
	})
}
