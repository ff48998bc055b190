package api

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

func TestRetryMatrix(t *testing.T) {
	revoked := "revoked"
	calls := map[string]func(c *Client) error{
		"GET": func(c *Client) error { _, err := c.GetKey(context.Background(), "acme", "web", keyID); return err },
		"PUT": func(c *Client) error {
			_, err := c.UpdateKey(context.Background(), "acme", "web", keyID, UpdateKeyRequest{Status: &revoked})
			return err
		},
		"DELETE": func(c *Client) error { return c.DeleteKey(context.Background(), "acme", "web", keyID) },
		"POST": func(c *Client) error {
			_, err := c.CreateKey(context.Background(), "acme", "web", CreateKeyRequest{Name: "ci"})
			return err
		},
	}
	tests := []struct {
		name     string
		method   string
		statuses []int
		hits     int
		check    func(t *testing.T, err error)
	}{
		{"GET 503 503 200", "GET", []int{503, 503, 200}, 3, wantNoError},
		{"GET 408 200", "GET", []int{408, 200}, 2, wantNoError},
		{"GET 429 200", "GET", []int{429, 200}, 2, wantNoError},
		{"GET 502 200", "GET", []int{502, 200}, 2, wantNoError},
		{"GET 504 200", "GET", []int{504, 200}, 2, wantNoError},
		{"GET 503 x3 gives up", "GET", []int{503}, 3, wantStatus(503)},
		{"GET 400 not retried", "GET", []int{400, 200}, 1, wantStatus(400)},
		{"GET 401 not retried", "GET", []int{401, 200}, 1, wantStatus(401)},
		{"GET 404 not retried", "GET", []int{404, 200}, 1, wantStatus(404)},
		{"GET 500 not retried", "GET", []int{500, 200}, 1, wantStatus(500)},
		{"PUT 503 200", "PUT", []int{503, 200}, 2, wantNoError},
		{"DELETE 502 204", "DELETE", []int{502, 204}, 2, wantNoError},
		{"DELETE 200 with body", "DELETE", []int{200}, 1, wantNoError},
		{"POST 503 never retried", "POST", []int{503, 201}, 1, func(t *testing.T, err error) {
			var ou *OutcomeUnknownError
			if !errors.As(err, &ou) || !strings.Contains(err.Error(), "the outcome is unknown; the key may have been created") {
				t.Errorf("error = %v, want *OutcomeUnknownError", err)
			}
			wantStatus(503)(t, err)
		}},
		{"POST 500 outcome unknown", "POST", []int{500, 201}, 1, func(t *testing.T, err error) {
			var ou *OutcomeUnknownError
			if !errors.As(err, &ou) {
				t.Errorf("error = %v, want *OutcomeUnknownError", err)
			}
		}},
		{"POST 429 is a plain error", "POST", []int{429, 201}, 1, func(t *testing.T, err error) {
			var ou *OutcomeUnknownError
			if errors.As(err, &ou) {
				t.Errorf("429 reported as outcome unknown: %v", err)
			}
			wantStatus(429)(t, err)
		}},
		{"POST 409 conflict", "POST", []int{409, 201}, 1, func(t *testing.T, err error) {
			if !IsConflict(err) {
				t.Errorf("IsConflict(%v) = false", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, keyJSON, tt.statuses...)
			c, fs := newTestClient(t, srv.URL)
			err := calls[tt.method](c)
			tt.check(t, err)
			if n := int(srv.hits.Load()); n != tt.hits {
				t.Errorf("server hit %d times, want %d", n, tt.hits)
			}
			if got := len(fs.recorded()); got != tt.hits-1 {
				t.Errorf("slept %d times for %d hits", got, tt.hits)
			}
		})
	}
}

func wantNoError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("error = %v, want none", err)
	}
}

func wantStatus(status int) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var ae *Error
		if !errors.As(err, &ae) || ae.StatusCode != status {
			t.Errorf("error = %v, want an *Error with status %d", err, status)
		}
	}
}

func TestBackoffWaitsAreCappedExponential(t *testing.T) {
	srv := newScriptServer(t, keyJSON, 503, 503, 200)
	c, fs := newTestClient(t, srv.URL)
	if _, err := c.GetKey(context.Background(), "acme", "web", keyID); err != nil {
		t.Fatal(err)
	}
	// The test jitter picks the top of each range: base, then 2·base.
	want := []time.Duration{500 * time.Millisecond, time.Second}
	if got := fs.recorded(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestJitterBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 8; n++ {
		ceiling := min(backoffCap, backoffBase<<(n-1))
		var lo, hi time.Duration = ceiling, 0
		distinct := map[time.Duration]bool{}
		for range 2000 {
			d := jitter(n, rng.Int64N)
			if d < 0 || d > ceiling {
				t.Fatalf("attempt %d: wait %s outside [0, %s]", n, d, ceiling)
			}
			lo, hi = min(lo, d), max(hi, d)
			distinct[d] = true
		}
		// Full jitter spreads over the whole range.
		if lo > ceiling/10 || hi < ceiling*9/10 || len(distinct) < 1000 {
			t.Errorf("attempt %d: waits span [%s, %s] with %d distinct values; want the whole [0, %s]", n, lo, hi, len(distinct), ceiling)
		}
	}
	for _, n := range []int{0, 17, 64, 1 << 20} {
		if d := jitter(n, func(m int64) int64 { return m - 1 }); d < 0 || d > backoffCap {
			t.Errorf("jitter(%d) = %s, want within [0, %s]", n, d, backoffCap)
		}
	}
	if d := jitter(30, func(m int64) int64 { return m - 1 }); d != backoffCap {
		t.Errorf("the cap is %s, want %s", d, backoffCap)
	}
}

var fixedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2", 2 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"3600", time.Hour, true},
		{fixedNow.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{fixedNow.Add(24 * time.Hour).Format(http.TimeFormat), 24 * time.Hour, true},
		{fixedNow.Add(90 * time.Second).Format(time.RFC850), 90 * time.Second, true},
		{fixedNow.Add(-time.Minute).Format(http.TimeFormat), 0, false},
		{"", 0, false},
		{"-1", 0, false},
		{"+5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", maxWait, true}, // overflows: "a very long time", not garbage
		{"9223372036854775807", maxWait, true},
		{"9223372036", 9223372036 * time.Second, true},
		{"9223372037", maxWait, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, fixedNow)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for in, want := range map[string]time.Duration{
		"1748779207":           7 * time.Second, // fixedNow + 7 s
		"1748779200":           0,
		"1748770000":           0,
		"-5":                   0,
		"soon":                 0,
		"99999999999999999999": maxWait,
		"9223372036854775807":  maxWait,
	} {
		got, ok := parseRateLimitReset(in, fixedNow)
		if got != want || ok != (want > 0) {
			t.Errorf("parseRateLimitReset(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
}

func TestRetryAfterForms(t *testing.T) {
	backoff := 500 * time.Millisecond // the test jitter's pick for the first retry
	tests := []struct {
		name     string
		status   int
		header   map[string]string
		body     string
		wantWait time.Duration // the single wait before the second, successful attempt
		later    time.Duration // >0: fail fast with a RetryLaterError of this wait
	}{
		{name: "seconds", status: 429, header: map[string]string{"Retry-After": "2"}, wantWait: 2 * time.Second},
		{name: "at the cap", status: 429, header: map[string]string{"Retry-After": "60"}, wantWait: time.Minute},
		{name: "above the cap", status: 429, header: map[string]string{"Retry-After": "61"}, later: 61 * time.Second},
		{name: "an hour", status: 429, header: map[string]string{"Retry-After": "3600"}, later: time.Hour},
		{name: "http date", status: 503, header: map[string]string{"Retry-After": fixedNow.Add(5 * time.Second).Format(http.TimeFormat)}, wantWait: 5 * time.Second},
		{name: "http date a day ahead", status: 503, header: map[string]string{"Retry-After": fixedNow.Add(24 * time.Hour).Format(http.TimeFormat)}, later: 24 * time.Hour},
		{name: "http date past", status: 429, header: map[string]string{"Retry-After": fixedNow.Add(-time.Hour).Format(http.TimeFormat)}, wantWait: backoff},
		{name: "negative", status: 429, header: map[string]string{"Retry-After": "-1"}, wantWait: backoff},
		{name: "empty", status: 429, header: map[string]string{"Retry-After": ""}, wantWait: backoff},
		{name: "garbage", status: 429, header: map[string]string{"Retry-After": "in a while"}, wantWait: backoff},
		{name: "overflow", status: 429, header: map[string]string{"Retry-After": "99999999999999999999"}, later: maxWait},
		{name: "a year", status: 503, header: map[string]string{"Retry-After": "31536000"}, later: 365 * 24 * time.Hour},
		{name: "X-RateLimit-Reset only", status: 429, header: map[string]string{"X-RateLimit-Reset": "1748779207"}, wantWait: 7 * time.Second},
		{name: "X-RateLimit-Reset far", status: 429, header: map[string]string{"X-RateLimit-Reset": "1748782800"}, later: time.Hour},
		{name: "X-RateLimit-Reset on a 503 is not a wait", status: 503, header: map[string]string{"X-RateLimit-Reset": "1748782800"}, wantWait: backoff},
		{name: "X-RateLimit-Reset garbage", status: 429, header: map[string]string{"X-RateLimit-Reset": "tomorrow"}, wantWait: backoff},
		{name: "Retry-After wins", status: 429, header: map[string]string{"Retry-After": "3", "X-RateLimit-Reset": "1748779207"}, wantWait: 3 * time.Second},
		{name: "retryAfter in the body", status: 429, body: `{"error":{"code":"RATE_LIMITED","message":"slow down","details":{"retryAfter":4}}}`, wantWait: 4 * time.Second},
		{name: "retryAfter at the top", status: 429, body: `{"error":{"code":"RATE_LIMITED"},"retryAfter":"6"}`, wantWait: 6 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) > 1 {
					_, _ = w.Write([]byte(keyJSON))
					return
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				body := tt.body
				if body == "" {
					body = `{"error":{"code":"RATE_LIMITED","message":"too many requests"}}`
				}
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			c, fs := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 5 * time.Minute })
			c.now = func() time.Time { return fixedNow }

			_, err := c.GetKey(context.Background(), "acme", "web", keyID)
			if tt.later > 0 {
				var rl *RetryLaterError
				if !errors.As(err, &rl) {
					t.Fatalf("error = %v, want *RetryLaterError", err)
				}
				if rl.After != tt.later || !rl.At.Equal(fixedNow.Add(tt.later)) {
					t.Errorf("RetryLaterError after %s at %s, want %s", rl.After, rl.At, tt.later)
				}
				want := "try again after " + fixedNow.Add(tt.later).Format(time.RFC3339)
				if tt.later == maxWait {
					want = "over 290 years"
				}
				if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "HTTP "+strconv.Itoa(tt.status)) {
					t.Errorf("message %q lacks %q or the status", err, want)
				}
				var ae *Error
				if !errors.As(err, &ae) || ae.RetryAfter != tt.later {
					t.Errorf("wrapped *Error = %+v", ae)
				}
				if n := hits.Load(); n != 1 || len(fs.recorded()) != 0 {
					t.Errorf("%d hits and %d waits; want 1 hit and no wait", n, len(fs.recorded()))
				}
				return
			}
			if err != nil {
				t.Fatalf("error = %v", err)
			}
			if got := fs.recorded(); len(got) != 1 || got[0] != tt.wantWait {
				t.Errorf("waits = %v, want [%s]", got, tt.wantWait)
			}
			if n := hits.Load(); n != 2 {
				t.Errorf("%d hits, want 2", n)
			}
		})
	}
}

func TestRetryAfterBeyondDeadlineFailsFast(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c, fs := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 10 * time.Second })
	_, err := c.GetKey(context.Background(), "acme", "web", keyID)
	var rl *RetryLaterError
	if !errors.As(err, &rl) || rl.After != 30*time.Second {
		t.Fatalf("error = %v, want a RetryLaterError of 30s", err)
	}
	if len(fs.recorded()) != 0 {
		t.Errorf("slept although the wait outlasts the deadline")
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	sleeping := make(chan struct{})
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.Timeout = time.Minute
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			close(sleeping)
			return sleepContext(ctx, d) // the real, context-aware wait
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-sleeping
		cancel()
	}()
	_, err := c.GetKey(ctx, "acme", "web", keyID)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		t.Errorf("a cancel reported as a timeout: %v", err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d hits, want 1 (nothing retried after cancel)", n)
	}
}

func TestCancelDuringRequest(t *testing.T) {
	var hits atomic.Int32
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = time.Minute })
	for _, method := range []string{"GET", "POST"} {
		hits.Store(0)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
		}()
		var err error
		if method == "GET" {
			_, err = c.GetKey(ctx, "acme", "web", keyID)
		} else {
			_, err = c.CreateKey(ctx, "acme", "web", CreateKeyRequest{Name: "ci"})
			var ou *OutcomeUnknownError
			if !errors.As(err, &ou) {
				t.Errorf("POST cancelled after sending: %v, want *OutcomeUnknownError", err)
			}
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error = %v, want context.Canceled", method, err)
		}
		if n := hits.Load(); n != 1 {
			t.Errorf("%s: %d hits, want 1", method, n)
		}
	}
}

func TestTimeoutServerNeverAnswers(t *testing.T) {
	srv := testsupport.NewUnanswered(t)
	hits := &srv.Hits
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 200 * time.Millisecond })

	_, err := c.GetKey(context.Background(), "acme", "web", keyID)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("error = %v (%T), want *TimeoutError", err, err)
	}
	if !strings.Contains(err.Error(), "timed out after 200ms") || !strings.Contains(err.Error(), "--timeout") {
		t.Errorf("message %q should say how long and suggest --timeout", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is: deadline %v, canceled %v", errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled))
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d hits, want 1", n)
	}

	// A create that times out after being sent: the outcome is unknown. (A new
	// client: the first one has spent its time.)
	c, _ = newTestClient(t, srv.URL, func(o *Options) { o.Timeout = 200 * time.Millisecond })
	_, err = c.CreateKey(context.Background(), "acme", "web", CreateKeyRequest{Name: "ci"})
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || !errors.As(err, &te) {
		t.Errorf("POST timeout = %v, want *OutcomeUnknownError wrapping *TimeoutError", err)
	}
}

func TestTimeoutDuringRetriesNamesTheLastAnswer(t *testing.T) {
	srv := newScriptServer(t, keyJSON, 503)
	c, _ := newTestClient(t, srv.URL, func(o *Options) {
		o.Timeout = 200 * time.Millisecond
		o.Sleep = func(ctx context.Context, d time.Duration) error { <-ctx.Done(); return ctx.Err() }
	})
	c.randN = func(int64) int64 { return 0 }
	_, err := c.GetKey(context.Background(), "acme", "web", keyID)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("error = %v, want *TimeoutError", err)
	}
	if !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("message %q does not name the last answer", err)
	}
	var ae *Error
	if errors.As(err, &ae) {
		t.Errorf("a timeout unwraps to an API error (%v); callers would misreport it", ae)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("%d hits, want 1", n)
	}
}

func TestConnectionErrorBeforeResponseRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			hijackClose(t, w, "")
			return
		}
		_, _ = w.Write([]byte(keyJSON))
	}))
	defer srv.Close()
	c, fs := newTestClient(t, srv.URL)
	if _, err := c.GetKey(context.Background(), "acme", "web", keyID); err != nil {
		t.Fatalf("GetKey: %v", err)
	}
	if n := hits.Load(); n != 2 || len(fs.recorded()) != 1 {
		t.Errorf("%d hits, %d waits; want 2 and 1", n, len(fs.recorded()))
	}
}

func TestPOSTClosedAfterReadIsOutcomeUnknown(t *testing.T) {
	var posts, gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
			_, _ = w.Write([]byte(keyJSON))
			return
		}
		posts.Add(1)
		_, _ = io.ReadAll(r.Body) // the create is recorded…
		hijackClose(t, w, "")     // …and the answer never comes
	}))
	defer srv.Close()
	c, fs := newTestClient(t, srv.URL)
	// A first request leaves an idle keep-alive connection, which the create
	// reuses: net/http must not resend the create on it either.
	if _, err := c.GetKey(context.Background(), "acme", "web", keyID); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateKey(context.Background(), "acme", "web", CreateKeyRequest{Name: "ci"})
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) {
		t.Fatalf("error = %v, want *OutcomeUnknownError", err)
	}
	if ou.Method != http.MethodPost || !strings.HasSuffix(ou.Path, "/api-keys") {
		t.Errorf("OutcomeUnknownError names %s %s", ou.Method, ou.Path)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("the create was sent %d times, want once", n)
	}
	if len(fs.recorded()) != 0 {
		t.Errorf("a create was scheduled for retry")
	}
}

func TestPOSTDialErrorIsPlain(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	c, fs := newTestClient(t, base)
	_, err := c.CreateKey(context.Background(), "acme", "web", CreateKeyRequest{Name: "ci"})
	if err == nil {
		t.Fatal("create against a closed port succeeded")
	}
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		t.Errorf("nothing was sent, yet the outcome is called unknown: %v", err)
	}
	if len(fs.recorded()) != 0 {
		t.Errorf("a create was retried")
	}
	// A GET is retried on the same failure, then reports the attempts.
	_, err = c.GetKey(context.Background(), "acme", "web", keyID)
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("GET error = %v, want a failure after 3 attempts", err)
	}
}

func TestDeleteRetried404CountsAsDone(t *testing.T) {
	tests := []struct {
		name    string
		first   func(t *testing.T, w http.ResponseWriter)
		wantErr bool
	}{
		{"connection lost after send", func(t *testing.T, w http.ResponseWriter) { hijackClose(t, w, "") }, false},
		{"503", func(t *testing.T, w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) }, false},
		{"429 means not applied", func(t *testing.T, w http.ResponseWriter) { w.WriteHeader(http.StatusTooManyRequests) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) == 1 {
					tt.first(t, w)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"error":{"code":"APIKEY_NOT_FOUND","message":"API key not found"}}`))
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL)
			err := c.DeleteKey(context.Background(), "acme", "web", keyID)
			if tt.wantErr != (err != nil) {
				t.Errorf("DeleteKey error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && !IsNotFound(err) {
				t.Errorf("IsNotFound(%v) = false", err)
			}
			if n := hits.Load(); n != 2 {
				t.Errorf("%d hits, want 2", n)
			}
		})
	}
	// A 404 on the first attempt is an error.
	srv := newScriptServer(t, "", 404)
	c, _ := newTestClient(t, srv.URL)
	if err := c.DeleteKey(context.Background(), "acme", "web", keyID); !IsNotFound(err) {
		t.Errorf("first-attempt 404: %v, want not found", err)
	}
}
