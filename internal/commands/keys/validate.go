package keys

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// maxNameLen is the contract's limit on key names, in characters after trimming.
const maxNameLen = 100

// checkName applies the contract's name rules locally, so a bad name fails before
// any request: 1 to 100 characters after trimming, no control characters.
func checkName(flag, name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" {
		example := flag + ` "iOS Production App"`
		if !strings.HasPrefix(flag, "--") {
			example = `"iOS Production App" as ` + flag
		}
		return "", cmdutil.FlagErrorf("%s must not be empty", flag).WithHint("give the key a descriptive name, e.g. " + example)
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
	}
	return n, nil
}

// equalFoldTrim compares key names the way the API does: trimmed, case-insensitively.
func equalFoldTrim(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
