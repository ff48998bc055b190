package keys

import (
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/iostreams"
)

// A wait for the rate limit is one line rewritten in place on a terminal, and
// cleared before the next key's line; off a terminal it is one line per wait.
func TestProgressShowsWaits(t *testing.T) {
	for _, tty := range []bool{true, false} {
		ios, _, _, errOut := iostreams.Test()
		ios.SetStderrTTY(tty)
		p := newProgress(ios, "revoked", 129)
		p.done = 40
		p.wait(api.WaitNotice{Wait: 11200 * time.Millisecond})
		p.wait(api.WaitNotice{Wait: 5 * time.Second})
		p.printf(40, "Revoked %s.", "x")
		got := errOut.String()
		if tty {
			want := "\r\x1b[Krate limit: 40 of 129 revoked, next batch in 12 s" +
				"\r\x1b[Krate limit: 40 of 129 revoked, next batch in 5 s" +
				"\r\x1b[K[41/129] Revoked x.\n"
			if got != want {
				t.Errorf("terminal:\n got %q\nwant %q", got, want)
			}
			continue
		}
		want := "rate limit: 40 of 129 revoked, next batch in 12 s\n" +
			"rate limit: 40 of 129 revoked, next batch in 5 s\n" +
			"Revoked x.\n"
		if got != want {
			t.Errorf("piped:\n got %q\nwant %q", got, want)
		}
		if strings.Contains(got, "\r") {
			t.Errorf("piped output holds a carriage return")
		}
	}
}
