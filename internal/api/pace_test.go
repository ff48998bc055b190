package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// simClock is a clock that only moves when the client sleeps, shared by a
// simulated rate-limited server and the client: a run of minutes takes
// milliseconds, and the outcome does not depend on the machine's speed.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// limitServer answers every request 200 with a key, within a limit of
// perMinute: a token bucket refilling evenly (the emulator's, the contract's)
// or, with window, a budget that comes back all at once each minute. It sends
// the X-RateLimit headers on every answer and Retry-After on a 429.
type limitServer struct {
	clk       *simClock
	perMinute int
	window    bool

	mu       sync.Mutex
	tokens   float64
	last     time.Time
	winStart time.Time
	ok, n429 int
}

func (s *limitServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := s.clk.now()
	limit := float64(s.perMinute)
	var (
		allowed    bool
		remaining  int
		reset      time.Time
		retryAfter time.Duration
	)
	if s.window {
		if s.winStart.IsZero() || now.Sub(s.winStart) >= time.Minute {
			s.winStart, s.tokens = now, limit
		}
		if s.tokens >= 1 {
			s.tokens--
			allowed = true
		}
		reset = s.winStart.Add(time.Minute)
		retryAfter = reset.Sub(now)
		remaining = int(s.tokens)
	} else {
		if s.last.IsZero() {
			s.tokens, s.last = limit, now
		}
		rate := limit / 60
		s.tokens = math.Min(limit, s.tokens+now.Sub(s.last).Seconds()*rate)
		s.last = now
		if s.tokens >= 1 {
			s.tokens--
			allowed = true
		} else {
			retryAfter = time.Duration((1 - s.tokens) / rate * float64(time.Second))
		}
		remaining = int(math.Floor(s.tokens))
		reset = now.Add(time.Duration((limit - s.tokens) / rate * float64(time.Second)))
	}
	if allowed {
		s.ok++
	} else {
		s.n429++
	}
	s.mu.Unlock()

	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.perMinute))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	secs := reset.Unix()
	if reset.Nanosecond() > 0 {
		secs++
	}
	h.Set("X-RateLimit-Reset", strconv.FormatInt(secs, 10))
	h.Set("Content-Type", "application/json")
	if !allowed {
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(retryAfter.Seconds())))))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"code":"RATE_LIMITED","message":"Too many requests"}}`)
		return
	}
	fmt.Fprint(w, `{"id":"k","name":"n","status":"revoked"}`)
}

// runPaced sends n revokes through a client on the simulated clock and
// returns the server, the 429s the client counted and the simulated time.
func runPaced(t *testing.T, n, perMinute int, window bool) (*limitServer, int, time.Duration) {
	t.Helper()
	clk := &simClock{t: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	srv := &limitServer{clk: clk, perMinute: perMinute, window: window}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := New(Options{BaseURL: ts.URL, Token: testJWT, UserAgent: "metabind/test", Sleep: clk.sleep, PerCall: true})
	if err != nil {
		t.Fatal(err)
	}
	c.now = clk.now
	start := clk.now()
	revoked := "revoked"
	for i := 0; i < n; i++ {
		if _, err := c.UpdateKey(context.Background(), "acme", "web", fmt.Sprintf("k%d", i), UpdateKeyRequest{Status: &revoked}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	return srv, c.RateLimited(), clk.now().Sub(start)
}

// Under a token bucket (the contract's limit) every request goes through with
// no 429 at all, in about the time the limit allows.
func TestPacingTokenBucket(t *testing.T) {
	for _, tc := range []struct{ n, perMinute int }{{150, 60}, {1000, 600}, {1000, 120}, {30, 5}} {
		t.Run(fmt.Sprintf("%d at %d per minute", tc.n, tc.perMinute), func(t *testing.T) {
			srv, refused, took := runPaced(t, tc.n, tc.perMinute, false)
			if srv.ok != tc.n || srv.n429 != 0 || refused != 0 {
				t.Errorf("served %d, refused %d (client counted %d); want %d served and no 429", srv.ok, srv.n429, refused, tc.n)
			}
			// Lower bound: the burst is free, the rest come at the limit's rate.
			floor := time.Duration(max(0, tc.n-tc.perMinute)) * time.Minute / time.Duration(tc.perMinute)
			if took < floor || took > floor*12/10+10*time.Second {
				t.Errorf("took %s of simulated time; the limit's lower bound is %s", took, floor)
			}
			t.Logf("%d requests at %d/min: %s (lower bound %s), 429s: %d", tc.n, tc.perMinute, took, floor, srv.n429)
		})
	}
}

// A server whose budget comes back all at once: one 429 teaches the pacer to
// wait for the full reset, and every request still goes through.
func TestPacingFixedWindow(t *testing.T) {
	srv, refused, _ := runPaced(t, 300, 60, true)
	if srv.ok != 300 {
		t.Fatalf("served %d of 300", srv.ok)
	}
	if srv.n429 > 2 || refused != srv.n429 {
		t.Errorf("%d answers were 429 (client counted %d); want at most 2 of 300", srv.n429, refused)
	}
}

// Without rate-limit headers nothing is paced.
func TestPacingNeedsHeaders(t *testing.T) {
	var p pacer
	now := time.Now()
	p.observe(http.Header{}, 200, now)
	for i := 0; i < 5; i++ {
		if d := p.reserve(now); d != 0 {
			t.Fatalf("paced %s without headers", d)
		}
	}
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(60*time.Second).Unix(), 10))
	p.observe(h, 200, now)
	d := p.reserve(now)
	if d < 5*time.Second || d > 7*time.Second {
		t.Errorf("used-up budget of 60/min: waited %s, want about 6 s (a tenth of the reset)", d)
	}
	for i := 0; i < 5; i++ {
		if d2 := p.reserve(now.Add(d)); d2 != 0 {
			t.Errorf("request %d of the batch waited %s", i+2, d2)
		}
	}
	if d3 := p.reserve(now.Add(d)); d3 <= 0 {
		t.Errorf("after the batch of 6 the next request was not paced")
	}
}

// With --timeout (the command's budget), a wait that would outlast it fails
// at once instead of sleeping into a timeout.
func TestPacingWaitBeyondDeadline(t *testing.T) {
	clk := &simClock{t: time.Now()}
	srv := &limitServer{clk: clk, perMinute: 2}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := New(Options{BaseURL: ts.URL, Token: testJWT, UserAgent: "metabind/test", Sleep: clk.sleep, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.now = clk.now
	var last error
	for i := 0; i < 3 && last == nil; i++ {
		_, last = c.GetKey(context.Background(), "acme", "web", "k")
	}
	var rl *RetryLaterError
	if !errors.As(last, &rl) {
		t.Fatalf("third request at 2/min within 5 s: got %v, want a *RetryLaterError", last)
	}
	if srv.n429 != 0 {
		t.Errorf("the server got %d refused requests; the pacer should not have sent", srv.n429)
	}
}

// With PerCall (the CLI's default), each call has the whole timeout, however
// many calls came before; with the command's budget they share it.
func TestPerCallTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(250 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, keyJSON)
	}))
	t.Cleanup(srv.Close)
	for _, perCall := range []bool{true, false} {
		c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = time.Second; o.PerCall = perCall })
		var err error
		for i := 0; i < 6 && err == nil; i++ {
			_, err = c.GetKey(context.Background(), "acme", "web", keyID)
		}
		var te *TimeoutError
		switch {
		case perCall && err != nil:
			t.Errorf("per call: 6 calls of 250 ms within 1 s each: %v", err)
		case !perCall && !errors.As(err, &te):
			t.Errorf("command budget: 6 calls of 250 ms within 1 s in all: got %v, want a *TimeoutError", err)
		}
	}
}

// A wait for the rate limit is not charged to a call's own time; other
// waits (a 503's Retry-After) are.
func TestPerCallRateLimitWaitIsFree(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		var hits int
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits++
			w.Header().Set("Content-Type", "application/json")
			if hits == 1 {
				w.Header().Set("Retry-After", "5")
				w.WriteHeader(status)
				fmt.Fprint(w, `{"error":{"code":"X","message":"later"}}`)
				return
			}
			fmt.Fprint(w, keyJSON)
		}))
		c, fs := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 2 * time.Second; o.PerCall = true })
		var notices []WaitNotice
		ctx := WithWaitNotice(context.Background(), func(n WaitNotice) { notices = append(notices, n) })
		_, err := c.GetKey(ctx, "acme", "web", keyID)
		srv.Close()
		if status == http.StatusTooManyRequests {
			if err != nil || len(fs.recorded()) != 1 || len(notices) != 1 || !notices[0].Refused {
				t.Errorf("429 with Retry-After 5 s, 2 s per call: err %v, waits %v, notices %v; want the wait, a notice and success", err, fs.recorded(), notices)
			}
			if c.RateLimited() != 1 {
				t.Errorf("RateLimited() = %d, want 1", c.RateLimited())
			}
			continue
		}
		var rl *RetryLaterError
		if !errors.As(err, &rl) || len(notices) != 0 {
			t.Errorf("503 with Retry-After 5 s, 2 s per call: got %v (notices %v), want a *RetryLaterError at once", err, notices)
		}
	}
}
