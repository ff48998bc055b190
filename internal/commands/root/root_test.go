package root

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// secretWords are what a flag that carries a credential would be named or
// described with.
var secretWords = regexp.MustCompile(`(?i)token|jwt|secret|password|passwd|api[-_ ]?key|\bkey\b`)

// notSecretValues are flags whose name or help mentions a credential but whose
// value is not one; each is reviewed here.
var notSecretValues = map[string]string{
	"output-file": "a path the new key's secret is written to, not the secret",
	"new-name":    "the replacement key's name",
	"name":        "a key's name",
	"name-match":  "a glob over key names",
	"columns":     "column names",
	"sub":         "the emulator token's subject (a user id)",
	"ttl":         "the emulator token's lifetime",
	"role":        "the emulator token's role",
	"org":         "an organization id",
	"keys":        "emulator seed: how many keys to create",
	"key":         "emulator audit: a key's id or name to filter by (a secret-shaped value is refused)",

	"last-used-resolution": "emulator start: how often a key's lastUsed is written",
	"token-file":           "emulator start: a path the minted token is written to (0600), not the token",
	"token-ttl":            "emulator start: the minted token's lifetime",
}

// SECURITY C1: no command takes a JWT or a key value as a flag value. Every
// flag of every command whose name or help speaks of a token, key or secret
// is a switch (--with-token, --key-stdin, --stdin) or is reviewed above.
func TestNoFlagTakesASecret(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := NewCmdRoot(cmdutil.New(ios, func(string) string { return "" }))
	seen := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(fl *pflag.Flag) {
			seen++
			if !secretWords.MatchString(fl.Name + " " + fl.Usage) {
				return
			}
			if fl.Value.Type() == "bool" {
				return
			}
			if _, ok := notSecretValues[fl.Name]; ok {
				return
			}
			t.Errorf("%s --%s (%s) looks like it takes a secret as its value: %q", c.CommandPath(), fl.Name, fl.Value.Type(), fl.Usage)
		}
		c.LocalFlags().VisitAll(check)
		c.InheritedFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if seen < 50 {
		t.Fatalf("walked only %d flags; the command tree was not built", seen)
	}
	// The switches that read secrets from stdin exist.
	for path, flag := range map[string]string{"auth login": "with-token", "keys create": "key-stdin", "keys test": "stdin"} {
		c, _, err := root.Find(strings.Fields(path))
		if err != nil || c.Flags().Lookup(flag) == nil || c.Flags().Lookup(flag).Value.Type() != "bool" {
			t.Errorf("%s --%s: missing or not a switch (%v)", path, flag, err)
		}
	}
}

// Bad flag values read as the flag and what it takes, never Go's parser text,
// and a long value (perhaps a pasted secret) is never echoed.
func TestFlagValueErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"keys", "list", "--limit", "abc"}, `invalid value "abc" for --limit: expected a whole number`},
		{[]string{"keys", "list", "--timeout", "abc"}, `invalid value "abc" for --timeout: expected a duration such as 30s`},
		{[]string{"keys", "list", "--all=maybe"}, `invalid value "maybe" for --all: expected true or false`},
		{[]string{"keys", "list", "--limit", "eyJhbGciOiJIUzI1NiJ9secret"}, `invalid value (value not shown) for --limit`},
	} {
		ios, _, _, _ := iostreams.Test()
		root := NewCmdRoot(cmdutil.New(ios, func(string) string { return "" }))
		root.SetArgs(tc.args)
		_, err := root.ExecuteC()
		if err == nil {
			t.Errorf("%v: no error", tc.args)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, "strconv") || strings.Contains(msg, "time: ") || strings.Contains(msg, "secret") {
			t.Errorf("%v: %q, want %q", tc.args, msg, tc.want)
		}
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want %d", tc.args, cmdutil.ExitCode(err), cmdutil.ExitUsage)
		}
	}
}
