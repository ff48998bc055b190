package keys

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	namerule "github.com/metabind/metabind-cli/internal/names"
	"github.com/metabind/metabind-cli/internal/redact"
)

// maxNameLen is the limit on key names, in characters after trimming.
const maxNameLen = namerule.MaxLen

// checkName applies the name rule (package names, the one the emulator applies)
// locally, so a bad name fails before any request: 1 to 100 characters after
// trimming, no control, format, invisible or separator characters, and nothing
// the CLI recognises as a secret (a JWT, a generated API key).
func checkName(flag, name string) (string, error) {
	n := namerule.Trim(name)
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
	if err := namerule.Check(n); err != nil {
		var ce *namerule.CharError
		switch {
		case errors.As(err, &ce):
			return "", cmdutil.FlagErrorf("%s must not contain control or invisible characters (%s: character %d is %s)", flag, namerule.Format(ce.Rune), ce.Pos, ce.Reason).
				WithHint("names are visible text, with a plain space as the only space")
		case errors.Is(err, namerule.ErrInvalidUTF8):
			return "", cmdutil.FlagErrorf("%s must be valid UTF-8 text", flag)
		case errors.Is(err, namerule.ErrTooLong):
			return "", cmdutil.FlagErrorf("%s is %d characters long; the limit is %d", flag, utf8.RuneCountInString(n), namerule.MaxLen)
		default:
			return "", cmdutil.FlagErrorf("%s %v", flag, err)
		}
	}
	return n, nil
}

// equalFoldTrim compares key names the way the API does: trimmed, then NFKC
// and case folding (namerule.Key), so look-alikes such as "ｐｒｏｄ" match "prod".
func equalFoldTrim(a, b string) bool {
	return namerule.Key(a) == namerule.Key(b)
}
