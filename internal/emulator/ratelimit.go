package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter is a set of token buckets (golang.org/x/time/rate), one per key
// (a credential or a client address). Each bucket holds up to limit tokens and
// refills evenly at limit per minute, so a burst up to the limit passes and the
// long-run rate is the limit. Every call passes the time explicitly, so the
// emulator's clock (a fake one in tests) drives the buckets.
type rateLimiter struct {
	limit float64
	rate  rate.Limit // tokens per second

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

// bucket is one key's limiter and the latest time it was asked about: a clock
// that moves backwards is read as that time, so it earns nothing and does not
// move the bucket's time back.
type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// rateDecision is one answer from the limiter, with what the X-RateLimit headers
// report.
type rateDecision struct {
	allowed    bool
	limit      int
	remaining  int
	reset      time.Time     // when the bucket is full again
	retryAfter time.Duration // when !allowed: until the next token
}

// sweepEvery bounds how often idle buckets are dropped; sweepMinSize is the map
// size below which sweeping is not worth it.
const (
	sweepEvery   = time.Minute
	sweepMinSize = 1024
)

func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{
		limit:   float64(perMinute),
		rate:    rate.Limit(float64(perMinute) / 60),
		buckets: make(map[string]*bucket),
	}
}

// take spends one token from key's bucket if it has one.
func (l *rateLimiter) take(key string, now time.Time) rateDecision {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maybeSweep(now)
	b := l.buckets[key]
	if b == nil {
		// A new limiter starts full.
		b = &bucket{lim: rate.NewLimiter(l.rate, int(l.limit)), last: now}
		l.buckets[key] = b
	}
	if now.After(b.last) {
		b.last = now
	}
	d := rateDecision{limit: int(l.limit), allowed: b.lim.AllowN(b.last, 1)}
	tokens := b.lim.TokensAt(b.last)
	if !d.allowed {
		d.retryAfter = l.duration(1 - tokens)
	}
	d.remaining = int(math.Floor(tokens))
	d.reset = b.last.Add(l.duration(l.limit - tokens))
	return d
}

// duration is how long the bucket takes to earn tokens.
func (l *rateLimiter) duration(tokens float64) time.Duration {
	return time.Duration(tokens / float64(l.rate) * float64(time.Second))
}

// maybeSweep drops buckets that have refilled completely: they are
// indistinguishable from new ones.
func (l *rateLimiter) maybeSweep(now time.Time) {
	if len(l.buckets) < sweepMinSize || now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.lim.TokensAt(now) >= l.limit {
			delete(l.buckets, k)
		}
	}
}

// setHeaders writes the X-RateLimit-* headers, and Retry-After when refused.
func (d rateDecision) setHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(d.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(d.remaining))
	reset := d.reset.Unix()
	if d.reset.Nanosecond() > 0 {
		reset++
	}
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset, 10))
	if !d.allowed {
		secs := int64(math.Ceil(d.retryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
}

func writeRateLimited(w http.ResponseWriter, d rateDecision, what string) {
	d.setHeaders(w.Header())
	writeError(w, http.StatusTooManyRequests, "RATE_LIMITED",
		"Too many "+what+"; retry after "+w.Header().Get("Retry-After")+" s", nil)
}

// allowCredential spends one request from the credential's bucket, sets the
// rate-limit headers, and answers 429 when the bucket is empty. cred is an
// identifier, never the credential itself.
func (e *Emulator) allowCredential(w http.ResponseWriter, cred string) bool {
	if e.limiter == nil {
		return true
	}
	d := e.limiter.take(cred, e.now())
	if !d.allowed {
		writeRateLimited(w, d, "requests")
		return false
	}
	d.setHeaders(w.Header())
	return true
}

// failedAuth answers a failed authentication: 401 with body, or 429 once the
// client address has used up its failed attempts for now. The limit is on
// failures, as the contract says: a valid credential from the same address is
// still served. (Guessing one is hopeless anyway: a generated key carries 190
// bits, a custom one at least 120, and a token needs the emulator's secret.)
func (e *Emulator) failedAuth(w http.ResponseWriter, r *http.Request, status401 func()) {
	if e.failed != nil {
		d := e.failed.take("addr:"+requestInfo(r).remote, e.now())
		if !d.allowed {
			writeRateLimited(w, d, "failed authentication attempts")
			return
		}
	}
	status401()
}

// tokenBucketKey identifies a bearer token for rate limiting by a hash of it, so
// the limiter never holds the token.
func tokenBucketKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "jwt:" + hex.EncodeToString(sum[:16])
}
