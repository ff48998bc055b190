package emulator

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	clock := newFakeClock()
	l := newRateLimiter(60) // one token a second
	for i := 0; i < 60; i++ {
		d := l.take("a", clock.Now())
		if !d.allowed || d.remaining != 59-i {
			t.Fatalf("request %d: %+v", i, d)
		}
	}
	d := l.take("a", clock.Now())
	if d.allowed || d.retryAfter != time.Second || d.remaining != 0 {
		t.Fatalf("61st: %+v", d)
	}
	if want := clock.Now().Add(60 * time.Second); !d.reset.Equal(want) {
		t.Errorf("reset %v, want %v", d.reset, want)
	}
	// Other keys have their own buckets.
	if !l.take("b", clock.Now()).allowed {
		t.Fatal("b limited by a")
	}
	// Half a second earns half a token: still refused, half the wait.
	clock.Advance(500 * time.Millisecond)
	if d := l.take("a", clock.Now()); d.allowed || d.retryAfter != 500*time.Millisecond {
		t.Fatalf("after 0.5 s: %+v", d)
	}
	clock.Advance(500 * time.Millisecond)
	if d := l.take("a", clock.Now()); !d.allowed {
		t.Fatalf("after 1 s: %+v", d)
	}
	// A clock that goes back earns nothing and costs nothing.
	clock.Advance(-time.Hour)
	if d := l.take("a", clock.Now()); d.allowed {
		t.Fatalf("clock went back and a token appeared: %+v", d)
	}
	clock.Advance(time.Hour + 10*time.Second)
	for i := 0; i < 10; i++ {
		if !l.take("a", clock.Now()).allowed {
			t.Fatalf("token %d of 10 earned after 10 s missing", i)
		}
	}
	if l.take("a", clock.Now()).allowed {
		t.Fatal("more than 10 tokens earned in 10 s")
	}
	// A long idle period fills the bucket only up to the limit.
	clock.Advance(24 * time.Hour)
	n := 0
	for l.take("a", clock.Now()).allowed {
		n++
	}
	if n != 60 {
		t.Fatalf("burst after a day idle: %d, want 60", n)
	}
}

func TestBucketSweep(t *testing.T) {
	clock := newFakeClock()
	l := newRateLimiter(10)
	for i := 0; i < sweepMinSize+10; i++ {
		l.take(strconv.Itoa(i), clock.Now())
	}
	clock.Advance(2 * time.Minute)
	l.take("trigger", clock.Now())
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets after sweeping idle ones", len(l.buckets))
	}
}

func TestRateLimitHTTP(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RateLimit = 3; c.FailedAuthLimit = 2 })
	path := keysPath(testOrg, testProject)
	for i := 0; i < 3; i++ {
		w := h.admin("GET", path, nil)
		if w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
		if w.Header().Get("X-RateLimit-Limit") != "3" || w.Header().Get("X-RateLimit-Remaining") != strconv.Itoa(2-i) {
			t.Errorf("request %d headers: %v", i, w.Header())
		}
	}
	w := h.admin("GET", path, nil)
	expectError(t, w, http.StatusTooManyRequests, "RATE_LIMITED")
	now := h.clock.Now().Unix()
	if w.Header().Get("Retry-After") != "20" || w.Header().Get("X-RateLimit-Remaining") != "0" ||
		w.Header().Get("X-RateLimit-Reset") != strconv.FormatInt(now+60, 10) || w.Header().Get("X-RateLimit-Limit") != "3" {
		t.Errorf("429 headers: %v", w.Header())
	}
	// Another token (credential) is not limited by the first.
	tok2, _ := h.e.MintToken(TokenRequest{Org: testOrg, Subject: "other", TTL: 24 * time.Hour})
	if w := h.raw("GET", path, "", withBearer(tok2)); w.Code != 200 {
		t.Errorf("second token: %d", w.Code)
	}
	h.clock.Advance(20 * time.Second)
	if w := h.admin("GET", path, nil); w.Code != 200 {
		t.Errorf("after Retry-After: %d", w.Code)
	}

	// API keys have buckets of their own.
	k := h.create2(tok2, "limited")
	for i := 0; i < 3; i++ {
		if w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key)); w.Code != 200 {
			t.Fatalf("key request %d: %d", i, w.Code)
		}
	}
	expectError(t, h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key)), 429, "RATE_LIMITED")

	// Failed authentication: 2 per address, then 429 for every failed attempt
	// from that address; valid credentials from it are still served, and other
	// addresses are unaffected.
	bad := withKey("x")
	for i := 0; i < 2; i++ {
		if w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", bad); w.Code != 401 {
			t.Fatalf("failure %d: %d", i, w.Code)
		}
	}
	w = h.raw("GET", path, "", withBearer("garbage"))
	expectError(t, w, 429, "RATE_LIMITED")
	if w.Header().Get("Retry-After") != "30" {
		t.Errorf("failed-auth Retry-After %q", w.Header().Get("Retry-After"))
	}
	if w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", bad, withRemote("198.51.100.7:4000")); w.Code != 401 {
		t.Errorf("other address: %d", w.Code)
	}
	tok3, _ := h.e.MintToken(TokenRequest{Org: testOrg, Subject: "third", TTL: 24 * time.Hour})
	if w := h.raw("GET", path, "", withBearer(tok3)); w.Code != 200 {
		t.Errorf("valid token from a throttled address: %d, want 200", w.Code)
	}
	k2 := h.create2(tok3, "still served")
	if w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k2.Key)); w.Code != 200 {
		t.Errorf("valid key from a throttled address: %d, want 200", w.Code)
	}
	expectError(t, h.raw("GET", clientPath(testOrg, testProject, "tags"), "", bad), 429, "RATE_LIMITED")

	// The address earns a failed attempt back after 30 s.
	h.clock.Advance(30 * time.Second)
	if w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", bad); w.Code != 401 {
		t.Errorf("30 s later: %d", w.Code)
	}
}

func TestRateLimitOff(t *testing.T) {
	h := newHarness(t) // RateLimit 0
	for i := 0; i < 300; i++ {
		if w := h.raw("GET", keysPath(testOrg, testProject), "", withBearer("bad")); w.Code != 401 {
			t.Fatalf("failure %d: %d", i, w.Code)
		}
	}
	w := h.admin("GET", keysPath(testOrg, testProject), nil)
	if w.Code != 200 || w.Header().Get("X-RateLimit-Limit") != "" {
		t.Fatalf("limits off: %d %v", w.Code, w.Header())
	}
}

func (h *harness) create2(token, name string) keyJSON {
	h.t.Helper()
	w := h.raw("POST", keysPath(testOrg, testProject), `{"name":"`+name+`"}`, withBearer(token))
	if w.Code != http.StatusCreated {
		h.t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	return decode[keyJSON](h.t, w)
}

// Refused requests of an authenticated token count against its bucket too.
func TestRateLimitCountsForbidden(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RateLimit = 2 })
	viewer, err := h.e.MintToken(TokenRequest{Org: testOrg, Role: "viewer", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		expectError(t, h.raw("GET", keysPath(testOrg, testProject), "", withBearer(viewer)), 403, "FORBIDDEN")
	}
	expectError(t, h.raw("GET", keysPath(testOrg, testProject), "", withBearer(viewer)), 429, "RATE_LIMITED")
}
