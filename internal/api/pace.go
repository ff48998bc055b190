package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pacer keeps a client's admin requests within the server's rate limit, so
// that a long run of requests (a bulk revoke) waits for the budget rather than
// collide with it. It reads X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset (and Retry-After on a 429) from every answer; a server
// that sends none of them is never paced.
//
// When the budget is used up (Remaining 0) the next request waits. The contract
// describes a bucket that refills evenly over the minute and is full again at
// Reset, so a batch of tokens is back well before Reset: the pacer waits for
// batch(limit) of them, the share (batch/limit) of the time until Reset. Should
// a request still be refused with 429 (a server whose budget comes back all at
// once at Reset, or another client spending the same budget), the pacer waits
// for the full Reset from then on. A refused request itself is sent again
// after its Retry-After (retry.go).
type pacer struct {
	mu        sync.Mutex
	known     bool      // the server sent rate-limit headers
	limit     int       // X-RateLimit-Limit; 0 when not sent
	remaining int       // requests left: as last reported, less those sent since
	reset     time.Time // when the budget is full again
	seen      time.Time // when remaining and reset were reported
	whole     bool      // wait for the full reset (a paced request was refused)
	refused   int       // 429 answers seen
}

// paceBatch is how many requests one wait makes room for: a tenth of the
// limit, so a wait is about six seconds whatever the limit per minute.
func paceBatch(limit int) int { return max(1, limit/10) }

// observe reads the rate-limit headers of one answer.
func (p *pacer) observe(h http.Header, status int, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	refused := status == http.StatusTooManyRequests
	if refused {
		p.refused++
		if p.known {
			p.whole = true // paced and still refused: wait for the full reset
		}
	}
	rem, okRem := headerInt(h, "X-RateLimit-Remaining")
	if !okRem {
		return
	}
	p.known = true
	p.remaining = rem
	if refused {
		// The retry waits for Retry-After (retry.go), which is when the server
		// takes the next request: that one is not paced again.
		p.remaining = 1
	}
	p.seen = now
	p.reset = time.Time{}
	if d, ok := parseRateLimitReset(h.Get("X-RateLimit-Reset"), now); ok && d < maxWait {
		p.reset = now.Add(d)
	}
	if l, ok := headerInt(h, "X-RateLimit-Limit"); ok && l > 0 {
		p.limit = l
	}
}

// reserve takes one request from the budget and returns how long to wait
// before sending it (0: send now).
func (p *pacer) reserve(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var at time.Time
	switch {
	case !p.known:
	case p.remaining > 0:
		p.remaining--
	default:
		at = p.refill(now)
	}
	if !at.After(now) {
		return 0
	}
	return at.Sub(now)
}

// refill is when the next batch may be sent, once the budget is used up. It
// counts the batch as reserved, so requests sent meanwhile (other goroutines,
// or answers without headers) are paced too.
func (p *pacer) refill(now time.Time) time.Time {
	if p.reset.IsZero() || p.limit <= 0 {
		// Remaining 0 without a reset time: wait a second per request.
		p.seen = maxTime(p.seen, now).Add(time.Second)
		return p.seen
	}
	span := max(p.reset.Sub(p.seen), 0) // from used up to full again
	at := p.reset
	batch := p.limit
	if !p.whole {
		batch = paceBatch(p.limit)
		at = p.seen.Add(time.Duration(float64(span) * float64(batch) / float64(p.limit)))
	}
	// Until an answer says otherwise: the batch is there at "at", and once it
	// is spent the budget is used up again.
	p.remaining = batch - 1
	p.seen = at
	p.reset = at.Add(span)
	return at
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if !isDigits(v) {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	return n, true
}

// RateLimited reports how many answers were 429 over the client's life.
func (c *Client) RateLimited() int {
	c.pacer.mu.Lock()
	defer c.pacer.mu.Unlock()
	return c.pacer.refused
}

// WaitNotice describes a wait for the rate limit, before it starts.
type WaitNotice struct {
	Wait time.Duration
	// Refused is true when the server refused a request (429) and the client
	// waits to send it again; false when the client waits before sending.
	Refused bool
}

type waitNoticeKey struct{}

// WithWaitNotice returns a context whose calls report each wait for the rate
// limit to fn before waiting (a bulk command shows them).
func WithWaitNotice(ctx context.Context, fn func(WaitNotice)) context.Context {
	return context.WithValue(ctx, waitNoticeKey{}, fn)
}

func notifyWait(ctx context.Context, n WaitNotice) {
	if fn, ok := ctx.Value(waitNoticeKey{}).(func(WaitNotice)); ok && fn != nil {
		fn(n)
	}
}

// pace waits, before an admin request is sent, until the rate limit allows it.
// The wait is not an error: it counts against the command's time only when
// --timeout bounds the whole command, and when it would outlast that, the
// call fails at once with a *RetryLaterError.
func (c *Client) pace(ctx context.Context, cl *call) error {
	if !cl.admin {
		return nil
	}
	now := c.now()
	wait := c.pacer.reserve(now)
	if wait <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && wait >= time.Until(dl) {
		return &RetryLaterError{After: wait, At: now.Add(wait)}
	}
	c.debug.note(cl.secrets, "%s %s: waiting %s for the rate limit", cl.method, cl.path, wait.Round(time.Millisecond))
	notifyWait(ctx, WaitNotice{Wait: wait})
	return c.sleep(ctx, wait)
}
