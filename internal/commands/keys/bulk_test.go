package keys

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/testsupport"
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

// When the API stops answering, a bulk command stops trying after two keys in
// a row rather than spend each request's time limit on every key.
func TestBulkStopsWhenTheAPIStopsAnswering(t *testing.T) {
	srv := testsupport.NewUnanswered(t)
	hits := &srv.Hits
	client, err := api.New(api.Options{BaseURL: srv.URL, Token: "t", Timeout: 150 * time.Millisecond, PerCall: true})
	if err != nil {
		t.Fatal(err)
	}
	var targets []target
	for i := 0; i < 6; i++ {
		targets = append(targets, target{key: api.Key{ID: fmt.Sprintf("00000000-0000-4000-8000-00000000000%d", i), Name: "k", Status: "active"}, known: true})
	}
	ios, _, _, errOut := iostreams.Test()
	for name, run := range map[string]func() []result{
		"revoke": func() []result {
			return revokeKeys(context.Background(), client, cmdutil.Scope{Org: "acme", Project: "web"}, targets, ios)
		},
		"delete": func() []result {
			return deleteKeys(context.Background(), client, cmdutil.Scope{Org: "acme", Project: "web"}, targets, ios)
		},
	} {
		hits.Store(0)
		out := run()
		if len(out) != 6 {
			t.Fatalf("%s: %d results", name, len(out))
		}
		for i, r := range out {
			if r.Err == nil {
				t.Fatalf("%s: key %d succeeded against a hung API", name, i)
			}
			if i >= maxUnanswered && !errors.Is(r.Err, errNotAttempted) {
				t.Errorf("%s: key %d: %v, want it not attempted", name, i, r.Err)
			}
		}
		// Each of the two keys tried: the request, and the read-back that
		// checks whether it took effect.
		if n := hits.Load(); n > 2*maxUnanswered {
			t.Errorf("%s: the hung API got %d requests, want at most %d\n%s", name, n, 2*maxUnanswered, errOut.String())
		}
		if err := bulkError(context.Background(), name, out); err == nil || !strings.Contains(err.Error(), "could not be") && !strings.Contains(err.Error(), "failed to") {
			t.Errorf("%s: bulk error %v", name, err)
		}
	}
}
