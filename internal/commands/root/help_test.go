package root_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/commands/root"
	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// Root and group help lead with usage, commands and flags; reference
// material lives in help topics.
func TestHelpLeadsWithUsage(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"keys", "--help"}, {"emulator"}} {
		out, _, code := clitest.Run(nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		usage, commands, flags := strings.Index(out, "\nUSAGE\n"), strings.Index(out, "\nCOMMANDS\n"), strings.Index(out, "\nFLAGS\n")
		if usage < 0 || commands < usage || flags < commands {
			t.Errorf("%v: USAGE, COMMANDS and FLAGS are not in that order:\n%s", args, out)
		}
		if before := out[:max(usage, 0)]; strings.Count(before, "\n") > 8 {
			t.Errorf("%v: %d lines before USAGE", args, strings.Count(before, "\n"))
		}
	}
	out, _, _ := clitest.Run(nil, "--help")
	for _, absent := range []string{"Exit codes", "MB_TOKEN", "130"} {
		if strings.Contains(out, absent) {
			t.Errorf("root help still holds %q:\n%s", absent, out)
		}
	}
	if !strings.Contains(out, "HELP TOPICS\n  environment:") || !strings.Contains(out, "exit-codes:") {
		t.Errorf("root help does not list the help topics:\n%s", out)
	}
}

func TestHelpTopics(t *testing.T) {
	out, _, code := clitest.Run(nil, "help", "exit-codes")
	if code != 0 || !strings.Contains(out, "8    a new secret did not reach its destination; the new key was removed") ||
		!strings.Contains(out, "7    a bulk operation") || strings.Contains(out, "USAGE") {
		t.Errorf("help exit-codes: exit %d\n%s", code, out)
	}
	out, _, code = clitest.Run(nil, "help", "environment")
	for _, v := range []string{"MB_TOKEN", "MB_API_KEY", "MB_CONFIG_DIR", "MB_OUTPUT", "NO_COLOR", "CLICOLOR_FORCE", "MB_NO_KEYRING", "MB_ALLOW_HTTP"} {
		if code != 0 || !strings.Contains(out, v) {
			t.Errorf("help environment lacks %s (exit %d)", v, code)
		}
	}
}

// A mistyped command suggests the right one: "keys lst", "key list".
func TestDidYouMean(t *testing.T) {
	for args, want := range map[string]string{
		"keys lst":  "did you mean `metabind keys list`",
		"key list":  "did you mean `metabind keys`",
		"config st": "`metabind config set`",
	} {
		out, stderr, code := clitest.Run(nil, strings.Fields(args)...)
		if code != cmdutil.ExitUsage || out != "" || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", args, code, stderr, want)
		}
	}
	_, stderr, _ := clitest.Run(nil, "zzzz")
	if strings.Contains(stderr, "did you mean") {
		t.Errorf("a suggestion for nothing alike: %q", stderr)
	}
}

// Long help is wrapped by hand at 80 columns; no line runs on past it.
func TestLongHelpWraps(t *testing.T) {
	f, _, _ := clitest.Factory(nil)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, line := range strings.Split(c.Long, "\n") {
			if n := utf8.RuneCountInString(line); n > 84 {
				t.Errorf("%s: a help line of %d characters: %q", c.CommandPath(), n, line)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root.NewCmdRoot(f))
}
