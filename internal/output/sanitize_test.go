package output

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/textsafe"
)

func TestSanitize(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain ASCII", "iOS Production App", "iOS Production App"},
		{"empty", "", ""},
		{"clear screen", "evil\x1b[2Jname", `evil\x1b[2Jname`},
		{"OSC window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"newline", "line1\nline2", `line1\nline2`},
		{"carriage return", "shown\rhidden", `shown\rhidden`},
		{"CRLF", "a\r\n", `a\r\n`},
		{"tab", "a\tb", `a\tb`},
		{"NUL", "a\x00b", `a\x00b`},
		{"backspace", "abc\b\b\b", `abc\x08\x08\x08`},
		{"unit separator", "\x1f", `\x1f`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI", "a\u009b2Jb", `a\u009b2Jb`},
		{"C1 NEL", "a\u0085b", `a\u0085b`},
		{"C1 first and last", "\u0080\u009f", `\u0080\u009f`},
		{"bidi override", "abc\u202edcb", `abc\u202edcb`},
		{"bidi isolate", "\u2066x\u2069", `\u2066x\u2069`},
		{"line separator", "a\u2028b\u2029", `a\u2028b\u2029`},
		{"invalid UTF-8 byte", "a\xffb", `a\xffb`},
		{"truncated sequence", "caf\xc3", `caf\xc3`},
		{"raw C1 byte", "a\x9bb", `a\x9bb`},
		{"emoji", "🚀 Launch", "🚀 Launch"},
		{"emoji ZWJ sequence", "👩‍💻 dev", "👩‍💻 dev"},
		{"accents and CJK", "café ünïcode 日本語", "café ünïcode 日本語"},
		{"NBSP", "a\u00a0b", `a\u00a0b`},
		{"Hangul filler", "prod\u3164", `prod\u3164`},
		{"tag space", "prod\U000e0020", `prod\U000e0020`},
		{"replacement char itself", "\uFFFD", "\uFFFD"},
		{"backslash untouched", `C:\x1b`, `C:\x1b`},
		{"mixed", "🚀\x1b[31mred\x1b[0m\n", `🚀\x1b[31mred\x1b[0m\n`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Sanitize(c.in); got != c.want {
				t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestSanitizeReturnsCleanInputUnchanged(t *testing.T) {
	s := "clean café 🚀"
	if got := Sanitize(s); got != s {
		t.Fatalf("Sanitize(%q) = %q", s, got)
	}
	allocs := testing.AllocsPerRun(100, func() { _ = Sanitize(s) })
	if allocs != 0 {
		t.Errorf("Sanitize allocated %v times for clean input, want 0", allocs)
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "plain", "evil\x1b[2J", "\x00\x7f\u0085\u009f", "a\xffb\xc3", "🚀\u202e\u2028", "\r\n\t", "\\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q is not valid UTF-8", s, out)
		}
		for i := 0; i < len(out); i++ {
			if c := out[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("Sanitize(%q) = %q contains byte %#x", s, out, c)
			}
		}
		for _, r := range out {
			if textsafe.Unsafe(r) && r != 0x200d && r != 0xfe0e && r != 0xfe0f { // emoji joiners may stay
				t.Fatalf("Sanitize(%q) = %q contains %U", s, out, r)
			}
		}
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize is not idempotent: %q -> %q -> %q", s, out, again)
		}
		if textsafe.Escape(s) == s && out != s {
			t.Fatalf("safe input %q changed to %q", s, out)
		}
		if len(out) < len(s) {
			t.Fatalf("Sanitize(%q) = %q dropped content", s, out)
		}
		if out != s && !strings.Contains(out, `\`) {
			t.Fatalf("Sanitize(%q) = %q changed text without escaping", s, out)
		}
	})
}
