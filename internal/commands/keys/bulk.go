package keys

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
	"github.com/metabind/metabind-cli/internal/iostreams"
	"github.com/metabind/metabind-cli/internal/output"
)

// Outcomes of one key in a bulk command ("outcome" in its JSON).
const (
	outcomeRevoked        = "revoked"
	outcomeAlreadyRevoked = "already revoked"
	outcomeDeleted        = "deleted"
	outcomeNotFound       = "not found"
	outcomeFailed         = "failed"
)

// result is the outcome for one key of a bulk operation.
type result struct {
	Key     api.Key
	Err     error
	Outcome string
}

// progress reports a bulk command's per-key lines and its waits for the rate
// limit on stderr: on a terminal the wait is one line rewritten in place, off
// one a line per wait.
type progress struct {
	ios   *iostreams.IOStreams
	past  string // "revoked", "deleted"
	total int
	done  int
	live  bool // a wait line is on the terminal
}

func newProgress(ios *iostreams.IOStreams, past string, total int) *progress {
	return &progress{ios: ios, past: past, total: total}
}

// context returns ctx with the progress's wait notices attached.
func (p *progress) context(ctx context.Context) context.Context {
	return api.WithWaitNotice(ctx, p.wait)
}

func (p *progress) wait(n api.WaitNotice) {
	secs := int(math.Ceil(n.Wait.Seconds()))
	what := "next batch in"
	if n.Refused {
		what = "the server asked to wait; retrying in"
	}
	line := fmt.Sprintf("rate limit: %d of %d %s, %s %d s", p.done, p.total, p.past, what, secs)
	if p.ios.IsStderrTTY() {
		fmt.Fprintf(p.ios.ErrOut, "\r\x1b[K%s", line)
		p.live = true
		return
	}
	fmt.Fprintln(p.ios.ErrOut, line)
}

// printf writes one line about a key, in place of a wait line on screen.
func (p *progress) printf(i int, format string, args ...any) {
	if p.live {
		fmt.Fprint(p.ios.ErrOut, "\r\x1b[K")
		p.live = false
	}
	if p.total > 1 && p.ios.IsStderrTTY() {
		fmt.Fprintf(p.ios.ErrOut, "[%d/%d] ", i+1, p.total)
	}
	fmt.Fprintf(p.ios.ErrOut, format+"\n", args...)
}

func keyLabel(k api.Key) string {
	if k.Name == "" {
		return k.ID
	}
	return fmt.Sprintf("%q (%s)", k.Name, k.ID)
}

// outcomeUnknown reports whether err leaves open whether the request took
// effect: no HTTP answer refused it (a broken connection, a timeout, an answer
// without the key), and the command was not cancelled.
func outcomeUnknown(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var ae *api.Error
	var rl *api.RetryLaterError
	return !errors.As(err, &ae) && !errors.As(err, &rl)
}

// maxUnanswered is how many keys in a row may fail without an answer from the
// API (time limit, broken connection) before a bulk command stops trying the
// rest: each request has its own time limit, and a hung API would otherwise
// cost that limit for every key.
const maxUnanswered = 2

// errNotAttempted is the error of keys a bulk command did not try after the
// API stopped answering.
var errNotAttempted = errors.New("not attempted: the API stopped answering (see the errors above); run the same command again")

// bulkAction is what a bulk command does to each key; actOnKeys runs it.
type bulkAction struct {
	verb, past string // "revoke", "revoked": failure, progress and wait lines
	outcome    string // a key it acted on (outcomeRevoked, outcomeDeleted)
	// skip reports a key that is already as the action would leave it (as
	// listed): it gets no request, and the outcome "already <past>".
	skip func(t target) bool
	// apply acts on one key with one request and returns the key as it now is.
	apply func(ctx context.Context, k api.Key) (api.Key, error)
	// tookEffect reads the key back once, when no answer said whether apply
	// took effect, and returns the key as it now is and whether it did.
	tookEffect func(ctx context.Context, k api.Key) (api.Key, bool)
	// goneIsDone: a key the server no longer has is done (deleted before,
	// when the command runs again). Otherwise a key not found is reported so
	// only when it was not listed; a listed one is a failure.
	goneIsDone bool
	// doneLine is the progress line for a key acted on.
	doneLine func(k api.Key) string
}

// revokeKeys revokes each key with one request and uses its answer; a key
// already revoked (as listed) is skipped without a request. The key is read
// back only when the answer lacks it or the outcome is unknown.
func revokeKeys(ctx context.Context, client *api.Client, scope cmdutil.Scope, targets []target, ios *iostreams.IOStreams) []result {
	revoked := api.StatusRevoked
	return actOnKeys(ctx, scope, targets, ios, bulkAction{
		verb: "revoke", past: "revoked", outcome: outcomeRevoked,
		skip: func(t target) bool { return t.known && t.key.Status == api.StatusRevoked },
		apply: func(ctx context.Context, k api.Key) (api.Key, error) {
			fresh, err := client.UpdateKey(ctx, scope.Org, scope.Project, k.ID, api.UpdateKeyRequest{Status: &revoked})
			if err != nil {
				return k, err
			}
			return *fresh, nil
		},
		tookEffect: func(ctx context.Context, k api.Key) (api.Key, bool) {
			got, err := client.GetKey(ctx, scope.Org, scope.Project, k.ID)
			if err != nil || got.Status != api.StatusRevoked {
				return k, false
			}
			return *got, true
		},
		doneLine: func(k api.Key) string {
			return fmt.Sprintf("Revoked %s: status is now %s.", keyLabel(k), k.Status)
		},
	})
}

// deleteKeys deletes each key with one request. A key the server no longer
// has is counted as not found (already deleted, when the command runs again).
func deleteKeys(ctx context.Context, client *api.Client, scope cmdutil.Scope, targets []target, ios *iostreams.IOStreams) []result {
	return actOnKeys(ctx, scope, targets, ios, bulkAction{
		verb: "delete", past: "deleted", outcome: outcomeDeleted,
		skip: func(target) bool { return false },
		apply: func(ctx context.Context, k api.Key) (api.Key, error) {
			return k, client.DeleteKey(ctx, scope.Org, scope.Project, k.ID)
		},
		tookEffect: func(ctx context.Context, k api.Key) (api.Key, bool) {
			_, err := client.GetKey(ctx, scope.Org, scope.Project, k.ID)
			return k, api.IsNotFound(err)
		},
		goneIsDone: true,
		doneLine:   func(k api.Key) string { return fmt.Sprintf("Deleted %s.", keyLabel(k)) },
	})
}

// actOnKeys applies act to each target in turn, one request a key, paced by
// the client's rate limit, with a progress line a key on stderr. After
// maxUnanswered keys in a row get no answer, or once ctx ends, the rest fail
// without a request.
func actOnKeys(ctx context.Context, scope cmdutil.Scope, targets []target, ios *iostreams.IOStreams, act bulkAction) []result {
	prog := newProgress(ios, act.past, len(targets))
	ctx = prog.context(ctx)
	out := make([]result, 0, len(targets))
	unanswered := 0
	for i, t := range targets {
		k := t.key
		if ctx.Err() != nil {
			out = append(out, result{k, ctx.Err(), outcomeFailed})
			continue
		}
		if unanswered >= maxUnanswered {
			out = append(out, result{k, errNotAttempted, outcomeFailed})
			continue
		}
		if act.skip(t) {
			prog.printf(i, "Key %s was already %s; skipped.", keyLabel(k), act.past)
			prog.done++
			out = append(out, result{Key: k, Outcome: "already " + act.past})
			continue
		}
		now, err := act.apply(ctx, k)
		unanswered = countUnanswered(ctx, err, unanswered)
		if outcomeUnknown(ctx, err) {
			// Did it take effect? Read it back once.
			if got, ok := act.tookEffect(api.Check(ctx), k); ok {
				now, err = got, nil
			}
		}
		switch {
		case err != nil && api.IsNotFound(err) && act.goneIsDone:
			prog.printf(i, "No API key has the id %s (already %s?).", k.ID, act.past)
			prog.done++
			out = append(out, result{k, idNotFound(k.ID, scope, err), outcomeNotFound})
		case err != nil && api.IsNotFound(err) && !t.known:
			prog.printf(i, "No API key has the id %s.", k.ID)
			out = append(out, result{k, idNotFound(k.ID, scope, err), outcomeNotFound})
		case err != nil:
			prog.printf(i, "Failed to %s %s: %s", act.verb, keyLabel(k), output.Sanitize(err.Error()))
			out = append(out, result{k, err, outcomeFailed})
		default:
			prog.printf(i, "%s", act.doneLine(now))
			prog.done++
			out = append(out, result{Key: now, Outcome: act.outcome})
		}
	}
	return out
}

// countUnanswered counts the keys in a row whose request got no answer.
func countUnanswered(ctx context.Context, err error, n int) int {
	if outcomeUnknown(ctx, err) {
		return n + 1
	}
	return 0
}

// summarize writes one line counting the outcomes of a bulk command of more
// than one key.
func summarize(ios *iostreams.IOStreams, client *api.Client, results []result) {
	if n := client.RateLimited(); n > 0 {
		fmt.Fprintf(ios.ErrOut, "%s refused for the rate limit (HTTP 429) and retried.\n", output.Plural(n, "request was", "requests were"))
	}
	if len(results) < 2 {
		return
	}
	counts := map[string]int{}
	var order []string
	for _, r := range results {
		if counts[r.Outcome] == 0 {
			order = append(order, r.Outcome)
		}
		counts[r.Outcome]++
	}
	parts := make([]string, 0, len(order))
	for _, o := range []string{outcomeRevoked, outcomeDeleted, outcomeAlreadyRevoked, outcomeNotFound, outcomeFailed} {
		if n := counts[o]; n > 0 {
			s := fmt.Sprintf("%d %s", n, o)
			if o == outcomeAlreadyRevoked {
				s += " (skipped)"
			}
			parts = append(parts, s)
		}
	}
	fmt.Fprintf(ios.ErrOut, "%d keys: %s.\n", len(results), strings.Join(parts, ", "))
}

// bulkError turns per-key failures into the command's error: the lone error
// when one key was acted on, an interruption (the signal's exit code) naming
// what was done, else a partial-failure error (exit 7) naming which keys failed
// and which succeeded. Keys not found by a multi-key delete are not failures.
func bulkError(ctx context.Context, verb string, results []result) error {
	var done, failed []result
	for _, r := range results {
		switch {
		case r.Err == nil:
			done = append(done, r)
		case r.Outcome == outcomeNotFound && verb == "delete" && len(results) > 1:
			done = append(done, r)
		default:
			failed = append(failed, r)
		}
	}
	total := len(results)
	ids := func(rs []result) string {
		names := make([]string, len(rs))
		for i, r := range rs {
			names[i] = r.Key.ID
		}
		return strings.Join(names, ", ")
	}
	switch {
	case len(failed) == 0:
		return nil
	case ctx.Err() != nil && total > 1:
		msg := fmt.Sprintf("interrupted: %d of %d keys %sd", len(done), total, verb)
		if len(done) > 0 {
			msg += ": " + ids(done)
		}
		return cmdutil.Errorf(cmdutil.ExitInterrupted, "%s; not %sd: %s", msg, verb, ids(failed)).
			WithHint("run the same command again to finish: keys already done are skipped")
	case total == 1:
		return failed[0].Err
	case len(done) == 0:
		if allNotFound(failed) {
			return cmdutil.Errorf(cmdutil.ExitNotFound, "none of the %d keys exists in the project", total)
		}
		return cmdutil.Errorf(cmdutil.ExitError, "failed to %s all %d keys", verb, total)
	}
	return cmdutil.Errorf(cmdutil.ExitPartial, "%d of %d keys could not be %sd: %s; %sd: %s", len(failed), total, verb, ids(failed), verb, ids(done)).
		WithHint("run the same command again to retry the keys that failed: keys already done are skipped")
}

func allNotFound(rs []result) bool {
	for _, r := range rs {
		if r.Outcome != outcomeNotFound {
			return false
		}
	}
	return true
}
