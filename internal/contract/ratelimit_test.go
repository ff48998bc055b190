package contract

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/testsupport"
)

// wantRateLimited checks a 429 against the contract: RATE_LIMITED in the
// envelope, Retry-After in whole seconds (at least 1, and at most the minute
// over which the bucket refills), X-RateLimit-Limit, X-RateLimit-Remaining 0
// and X-RateLimit-Reset a Unix time after now and within the minute.
func wantRateLimited(t testing.TB, what string, r *Response, limit int, now time.Time) {
	t.Helper()
	wantError(t, what, r, http.StatusTooManyRequests, codeRateLimited)
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Errorf("%s: Retry-After %q, want whole seconds from 1 to 60", what, r.Header.Get("Retry-After"))
	}
	if got := r.Header.Get("X-RateLimit-Limit"); got != strconv.Itoa(limit) {
		t.Errorf("%s: X-RateLimit-Limit %q, want %d", what, got, limit)
	}
	if got := r.Header.Get("X-RateLimit-Remaining"); got != "0" {
		t.Errorf("%s: X-RateLimit-Remaining %q, want 0", what, got)
	}
	reset, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil || reset <= now.Unix() || reset > now.Unix()+61 {
		t.Errorf("%s: X-RateLimit-Reset %q, want a Unix time after %d and within a minute", what, r.Header.Get("X-RateLimit-Reset"), now.Unix())
	}
}

// wantAllowedHeaders checks the rate-limit headers of an allowed request
// when the server sends them (the contract requires them on 429 only).
func wantAllowedHeaders(t testing.TB, what string, r *Response, limit, remaining int) {
	t.Helper()
	if got := r.Header.Get("X-RateLimit-Limit"); got != "" && got != strconv.Itoa(limit) {
		t.Errorf("%s: X-RateLimit-Limit %q, want %d", what, got, limit)
	}
	if got := r.Header.Get("X-RateLimit-Remaining"); got != "" && got != strconv.Itoa(remaining) {
		t.Errorf("%s: X-RateLimit-Remaining %q, want %d", what, got, remaining)
	}
}

// TestRateLimitPerCredential: with a limit of 5 a minute, a burst of 5 from
// one credential passes and the 6th gets 429; other credentials keep their
// own buckets; the bucket refills with time. The clock stands still, so the
// bucket cannot refill mid-test.
func TestRateLimitPerCredential(t *testing.T) {
	t.Parallel()
	needLocal(t, "an emulator with a low rate limit and an injected clock")
	const limit = 5
	clock := testsupport.NewClock(time.Now().UTC().Truncate(time.Second))
	d := newDedicated(t, func(c *emulator.Config) {
		c.RateLimit = limit
		c.Now = clock.Now
	})
	tg := d.target
	list := keysPath(tg)

	for i := range limit {
		r := admin(t, tg, http.MethodGet, list, nil)
		decodeList(t, "burst request "+strconv.Itoa(i+1), r)
		wantAllowedHeaders(t, "burst request "+strconv.Itoa(i+1), r, limit, limit-1-i)
	}
	wantRateLimited(t, "request 6 of the burst", admin(t, tg, http.MethodGet, list, nil), limit, clock.Now())
	wantRateLimited(t, "a create over the limit", admin(t, tg, http.MethodPost, list, mustJSON(t, map[string]any{"name": "over"})), limit, clock.Now())

	other := *tg
	other.Token = d.mintToken(t, "owner", "second-user", time.Hour)
	decodeList(t, "another token", admin(t, &other, http.MethodGet, list, nil))

	// An API key has a bucket of its own.
	k := createKey(t, &other, uniqueName(t, "limited"))
	tags := clientPath(tg, "tags") + "?limit=1"
	for i := range limit {
		decodeList(t, "key request "+strconv.Itoa(i+1), client(t, tg, k.Secret, http.MethodGet, tags))
	}
	wantRateLimited(t, "key request 6", client(t, tg, k.Secret, http.MethodGet, tags), limit, clock.Now())

	// A minute later both buckets are full again.
	clock.Advance(61 * time.Second)
	decodeList(t, "the first token a minute later", admin(t, tg, http.MethodGet, list, nil))
	decodeList(t, "the key a minute later", client(t, tg, k.Secret, http.MethodGet, tags))
}

// TestRateLimitFailedAuth: failed authentications from one address are
// limited too (here 3 a minute), with the same 429.
func TestRateLimitFailedAuth(t *testing.T) {
	t.Parallel()
	needLocal(t, "an emulator with a low failed-authentication limit and an injected clock")
	const limit = 3
	clock := testsupport.NewClock(time.Now().UTC().Truncate(time.Second))
	d := newDedicated(t, func(c *emulator.Config) {
		c.RateLimit = 600
		c.FailedAuthLimit = limit
		c.Now = clock.Now
	})
	path := keysPath(d.target)
	bad := adminRequest("not-a-token", http.MethodGet, path, nil)
	for i := range limit {
		wantError(t, "failed auth "+strconv.Itoa(i+1), mustDo(t, d.target, bad), http.StatusUnauthorized, codeUnauthorized)
	}
	wantRateLimited(t, "failed auth 4", mustDo(t, d.target, bad), limit, clock.Now())
	clock.Advance(61 * time.Second)
	wantError(t, "failed auth a minute later", mustDo(t, d.target, bad), http.StatusUnauthorized, codeUnauthorized)
}
