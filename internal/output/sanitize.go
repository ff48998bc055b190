package output

import "github.com/metabind/metabind-cli/internal/textsafe"

// Sanitize makes s safe to print on a terminal: every character that a terminal
// would act on, that is not displayed or that passes for another (controls,
// bidirectional and other format characters, line separators, Hangul fillers,
// white space other than U+0020, invalid UTF-8) becomes a visible escape such
// as `\x1b`, `\n`, `\u202e` or `\U000e0020`. It is textsafe.Escape, the one
// rule for text from a server.
func Sanitize(s string) string { return textsafe.Escape(s) }
