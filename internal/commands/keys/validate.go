package keys

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/redact"
)

// maxNameLen is the contract's limit on key names, in characters after trimming.
const maxNameLen = 100

// checkName applies the contract's name rules locally, so a bad name fails before
// any request: 1 to 100 characters after trimming, no control characters, and
// nothing the CLI recognises as a secret (a JWT, a generated API key).
func checkName(flag, name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" {
		example := flag + ` "iOS Production App"`
		if !strings.HasPrefix(flag, "--") {
			example = `"iOS Production App" as ` + flag
		}
		return "", cmdutil.FlagErrorf("%s must not be empty", flag).WithHint("give the key a descriptive name, e.g. " + example)
	}
	if redact.Contains(n) {
		// The value is not echoed: it is most likely a secret pasted into the
		// wrong place, and a name is stored, listed and audited in plain text.
		return "", cmdutil.FlagErrorf("%s looks like a secret (it holds an API key or a token), so it was not used or sent: key names are stored and shown in plain text", flag).
			WithHint("give the key a descriptive name, e.g. \"iOS Production App\"; pass a key value only with --key-stdin")
	}
	if !utf8.ValidString(n) {
		return "", cmdutil.FlagErrorf("%s must be valid UTF-8 text", flag)
	}
	if c := utf8.RuneCountInString(n); c > maxNameLen {
		return "", cmdutil.FlagErrorf("%s is %d characters long; the limit is %d", flag, c, maxNameLen)
	}
	for _, r := range n {
		if unicode.IsControl(r) {
			return "", cmdutil.FlagErrorf("%s must not contain control characters (such as newlines, tabs or escape sequences)", flag)
		}
		if invisibleRune(r) {
			return "", cmdutil.FlagErrorf("%s must not contain invisible characters (U+%04X: zero-width, direction or line-separator marks)", flag, r)
		}
	}
	return n, nil
}

// invisibleRune reports the format characters the API refuses in names (as the
// emulator does): zero-width spaces and joiners, bidi embeddings, overrides and
// isolates, word joiners, line and paragraph separators, the BOM.
func invisibleRune(r rune) bool {
	return r >= 0x200B && r <= 0x200F || r >= 0x202A && r <= 0x202E || r >= 0x2060 && r <= 0x2069 ||
		r == 0x2028 || r == 0x2029 || r == 0xFEFF
}

// equalFoldTrim compares key names the way the API does: trimmed, case-insensitively.
func equalFoldTrim(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
