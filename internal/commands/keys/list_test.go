package keys_test

import (
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/testsupport/clitest"
)

// On a terminal the list fits its width by truncating names with "…"; piped,
// nothing is truncated.
func TestListFitsTheTerminal(t *testing.T) {
	e := newEnv(t)
	long := "iOS Production App for the Northern Hemisphere Region"
	if r := e.run(false, nil, "keys", "create", "--name", long, "-q"); r.Code != 0 {
		t.Fatalf("create: %+v", r)
	}
	run := func(tty bool, width int) string {
		r := clitest.CLI{Env: e.Env, StdoutTTY: tty, Width: width}.Run("keys", "list")
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		return r.Stdout
	}
	out := run(true, 80)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if w := len([]rune(line)); w > 80 {
			t.Errorf("line of %d cells on an 80-column terminal: %q", w, line)
		}
	}
	if !strings.Contains(out, "iOS Produc") || !strings.Contains(out, "…") || strings.Contains(out, long) {
		t.Errorf("on a terminal the name is not truncated with …:\n%s", out)
	}
	if id := e.Keys()[0].ID; !strings.Contains(out, id) {
		t.Errorf("the id %s must stay whole:\n%s", id, out)
	}
	if out := run(false, 80); !strings.Contains(out, long) {
		t.Errorf("piped output was truncated:\n%s", out)
	}
	if out := run(true, 0); !strings.Contains(out, long) {
		t.Errorf("a terminal of unknown width was truncated:\n%s", out)
	}
}
