package api

import (
	"context"
	"sync"
	"time"
)

// budget is a command's allowance of time for the API (Options.Timeout). It is
// spent only while at least one call is in flight (a call's retries, backoff
// waits and pages included) and keeps its balance between calls, so a command
// that makes several requests is bounded as a whole, while the seconds a user
// spends answering a prompt between two requests are not counted.
type budget struct {
	mu     sync.Mutex
	left   time.Duration // balance when no call is in flight
	active int           // calls in flight
	since  time.Time     // when the current run of in-flight calls began
}

// begin marks a call in flight and returns the moment the balance runs out.
// Calls that overlap share one deadline: wall time is spent once, not per call.
func (b *budget) begin(now time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.active == 0 {
		b.since = now
	}
	b.active++
	return b.since.Add(b.left)
}

// end marks a call finished; when none is left in flight, the time since the
// first of them began is taken off the balance.
func (b *budget) end(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.active--
	if b.active == 0 {
		b.left -= now.Sub(b.since)
		if b.left < 0 {
			b.left = 0
		}
	}
}

// recoveryGrace is the least time a recovery call gets (see Recovery), even when
// the command's budget is spent: enough for one listing on a slow link.
const recoveryGrace = 10 * time.Second

type recoveryKey struct{}

// Recovery marks ctx for calls that put things back after a failure (rename a
// key back, remove a key whose secret was lost). The failure has often used up
// the budget, and without these calls a change would be left half done, so
// each gets at least min(Options.Timeout, 10s) of its own.
func Recovery(ctx context.Context) context.Context {
	return context.WithValue(ctx, recoveryKey{}, true)
}

// checkGraceMax caps checkGrace.
const checkGraceMax = 2 * time.Second

// checkGrace is the least time a check call gets (see Check) when the budget
// is (nearly) spent: a sixth of the timeout, at most 2s. A command whose
// budget ran out in a call whose outcome is unknown thus ends within
// Options.Timeout plus this grace (3.5s for --timeout 3s).
func checkGrace(timeout time.Duration) time.Duration {
	return min(timeout/6, checkGraceMax)
}

type checkKey struct{}

// Check marks ctx for calls that only find out what an earlier failure left
// behind (did a create whose answer was lost make the key?). Such a call gets
// what is left of the command's budget, or the short checkGrace when less is
// left: --timeout still bounds the command, and a server that was merely slow
// to answer the failed call can still give a definite answer.
func Check(ctx context.Context) context.Context {
	return context.WithValue(ctx, checkKey{}, true)
}

type callBudgetKey struct{}

// callContext applies the command's deadline to one public method call. With
// Options.PerCall the call gets a budget of its own instead (see
// attemptContext), and no deadline: waits for the rate limit are not counted.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background()
	}
	if c.perCall {
		return context.WithValue(ctx, callBudgetKey{}, &budget{left: c.timeout}), func() {}
	}
	now := time.Now() // the real clock: context deadlines run on it
	deadline := c.budget.begin(now)
	var grace time.Duration
	if rec, _ := ctx.Value(recoveryKey{}).(bool); rec {
		grace = min(c.timeout, recoveryGrace)
	} else if chk, _ := ctx.Value(checkKey{}).(bool); chk {
		grace = checkGrace(c.timeout)
	}
	if floor := now.Add(grace); deadline.Before(floor) {
		deadline = floor
	}
	cctx, cancel := context.WithDeadlineCause(ctx, deadline, errCallDeadline)
	var once sync.Once
	return cctx, func() {
		once.Do(func() {
			cancel()
			c.budget.end(time.Now())
		})
	}
}

// callBudget is the per-call budget of ctx, nil when the command's budget
// applies (callContext).
func callBudget(ctx context.Context) *budget {
	b, _ := ctx.Value(callBudgetKey{}).(*budget)
	return b
}

// attemptContext bounds one attempt of a call by what is left of the call's own
// budget (Options.PerCall); with the command's budget the call's context
// already carries the deadline. release ends the attempt's spending.
func (c *Client) attemptContext(ctx context.Context) (actx context.Context, release func()) {
	b := callBudget(ctx)
	if b == nil {
		return ctx, func() {}
	}
	deadline := b.begin(time.Now())
	cctx, cancel := context.WithDeadlineCause(ctx, deadline, errCallDeadline)
	var once sync.Once
	return cctx, func() {
		once.Do(func() {
			cancel()
			b.end(time.Now())
		})
	}
}

// spendWait charges a wait between attempts to the call's own budget (waits
// for the rate limit are not charged). It reports false, charging nothing,
// when the wait would use up the budget.
func spendWait(ctx context.Context, d time.Duration) bool {
	b := callBudget(ctx)
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if d >= b.left {
		return false
	}
	b.left -= d
	return true
}
