package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowKeyServer answers every request with a key after delay, counting hits.
func slowKeyServer(t *testing.T, delay time.Duration) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write([]byte(keyJSON))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// The timeout bounds the command, not each call: two calls that each take 60%
// of it cannot both finish, and once it is spent no request is sent at all.
func TestTimeoutIsSharedByTheCommandsCalls(t *testing.T) {
	// Margins wide enough for a loaded machine: the first call (600 ms) fits
	// the 1 s budget, the second cannot.
	srv, hits := slowKeyServer(t, 600*time.Millisecond)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = time.Second })
	ctx := context.Background()

	if _, err := c.GetKey(ctx, "acme", "web", keyID); err != nil {
		t.Fatalf("first call, within the budget: %v", err)
	}
	_, err := c.GetKey(ctx, "acme", "web", keyID)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Timeout != time.Second {
		t.Fatalf("second call = %v (%T), want a *TimeoutError for 1s", err, err)
	}
	before := hits.Load()
	if _, err := c.GetKey(ctx, "acme", "web", keyID); !errors.As(err, &te) {
		t.Fatalf("third call = %v, want a *TimeoutError", err)
	}
	if hits.Load() != before {
		t.Errorf("a call with no time left sent a request")
	}
}

// Time between calls (a prompt waiting for its answer) is not spent.
func TestTimeBetweenCallsIsNotCounted(t *testing.T) {
	srv, _ := slowKeyServer(t, 50*time.Millisecond)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = time.Second })
	for i := range 3 {
		if _, err := c.GetKey(context.Background(), "acme", "web", keyID); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		time.Sleep(400 * time.Millisecond) // "the user thinking": 1.2s in all, more than the timeout
	}
}

// Calls in flight at once spend wall time once, and share one deadline.
func TestOverlappingCallsShareTheBudget(t *testing.T) {
	srv, _ := slowKeyServer(t, 200*time.Millisecond)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = time.Second })
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.GetKey(context.Background(), "acme", "web", keyID)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent call %d: %v (four 200ms calls at once spend about 200ms)", i, err)
		}
	}
	c.budget.mu.Lock()
	left, active := c.budget.left, c.budget.active
	c.budget.mu.Unlock()
	if active != 0 || left <= 0 || left > 800*time.Millisecond {
		t.Errorf("after the calls: %d in flight, %s left; want 0 and at most 800ms (200ms spent once)", active, left)
	}
}

// A recovery call gets time of its own after the budget is spent, so the user
// learns what state things are in.
func TestRecoveryCallsGetAGrace(t *testing.T) {
	// Margins wide enough for a loaded machine: the first call (600 ms) fits
	// the 1 s budget, the second cannot.
	srv, _ := slowKeyServer(t, 600*time.Millisecond)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = time.Second })
	ctx := context.Background()
	if _, err := c.GetKey(ctx, "acme", "web", keyID); err != nil {
		t.Fatal(err)
	}
	var te *TimeoutError
	if _, err := c.GetKey(ctx, "acme", "web", keyID); !errors.As(err, &te) {
		t.Fatalf("a plain call after the budget ran out = %v, want a *TimeoutError", err)
	}
	if _, err := c.GetKey(Recovery(ctx), "acme", "web", keyID); err != nil {
		t.Errorf("a recovery call after the budget ran out: %v", err)
	}
	// The grace is capped by the timeout itself.
	slow, _ := slowKeyServer(t, 2*time.Second)
	c2, _ := newTestClient(t, slow.URL, func(o *Options) { o.Timeout = time.Second })
	if _, err := c2.GetKey(Recovery(ctx), "acme", "web", keyID); !errors.As(err, &te) {
		t.Errorf("a recovery call slower than --timeout = %v, want a *TimeoutError", err)
	}
}

// A check call (did the create whose answer was lost make the key?) gets what
// is left of the budget, or a short grace when less is left, so --timeout
// still bounds the command; a recovery call (put things back) gets more.
func TestCheckCallsGetWhatIsLeftOrAShortGrace(t *testing.T) {
	c, _ := newTestClient(t, "https://api.example.test", func(o *Options) { o.Timeout = 3 * time.Second })
	ctx := context.Background()
	// deadlineIn is how far past the call's start its deadline lies, within the
	// time it took to set up (no request is made).
	deadlineIn := func(ctx context.Context) (lo, hi time.Duration) {
		before := time.Now()
		cctx, cancel := c.callContext(ctx)
		after := time.Now()
		defer cancel()
		dl, ok := cctx.Deadline()
		if !ok {
			t.Fatal("no deadline")
		}
		return dl.Sub(after), dl.Sub(before)
	}
	for _, tc := range []struct {
		name string
		left time.Duration
		ctx  context.Context
		want time.Duration
	}{
		{"a plain call, budget spent", 0, ctx, 0},
		{"a check, budget spent", 0, Check(ctx), 500 * time.Millisecond},
		{"a check, more left than the grace", 2 * time.Second, Check(ctx), 2 * time.Second},
		{"a recovery, budget spent", 0, Recovery(ctx), 3 * time.Second},
	} {
		c.budget.mu.Lock()
		c.budget.left = tc.left
		c.budget.mu.Unlock()
		lo, hi := deadlineIn(tc.ctx)
		if tc.want < lo || tc.want > hi+time.Millisecond {
			t.Errorf("%s: deadline in %s..%s, want %s", tc.name, lo, hi, tc.want)
		}
	}
	if g := checkGrace(time.Minute); g != 2*time.Second {
		t.Errorf("the grace for a 1m timeout is %s, want the 2s cap", g)
	}
}

func TestBudgetArithmetic(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &budget{left: 10 * time.Second}
	if d := b.begin(t0); !d.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("first deadline %s", d)
	}
	if d := b.begin(t0.Add(2 * time.Second)); !d.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("an overlapping call's deadline %s, want the same as the first", d)
	}
	b.end(t0.Add(3 * time.Second))
	b.end(t0.Add(4 * time.Second))
	if b.left != 6*time.Second {
		t.Errorf("left %s after 4s in flight, want 6s", b.left)
	}
	// An hour of idle time later, the balance is unchanged.
	if d := b.begin(t0.Add(time.Hour)); !d.Equal(t0.Add(time.Hour + 6*time.Second)) {
		t.Errorf("deadline after an idle hour %s", d)
	}
	b.end(t0.Add(time.Hour + 20*time.Second))
	if b.left != 0 {
		t.Errorf("overspent budget left %s, want 0", b.left)
	}
}
