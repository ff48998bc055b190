package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Distinctive secrets: no test output may ever contain them.
const (
	testJWT    = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LXRlc3QtZGlzdGluY3RpdmUifQ.SIGNATUREdistinctiveJWT9f8e7d"
	testAPIKey = "mbTESTKEYdistinctive7zvFJw9L0qEo"
)

const keyJSON = `{"id":"0b6f3c1e-6a1d-4c1b-9a43-4f1f2d3e4a5b","projectId":"web","name":"ci","status":"active","lastUsed":null,"createdBy":"u-1","createdAt":"2024-03-20T10:00:00Z","updatedAt":"2024-03-20T10:00:00Z"}`

const keyID = "0b6f3c1e-6a1d-4c1b-9a43-4f1f2d3e4a5b"

// fakeSleep records the waits the client asks for and returns at once.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeSleep) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// newTestClient builds a client for srvURL with a recording sleep and a jitter
// that always picks the top of its range (so a backoff wait is predictable).
func newTestClient(t *testing.T, srvURL string, mods ...func(*Options)) (*Client, *fakeSleep) {
	t.Helper()
	fs := &fakeSleep{}
	opts := Options{BaseURL: srvURL, Token: testJWT, UserAgent: "metabind/test", Sleep: fs.sleep}
	for _, m := range mods {
		m(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.randN = func(n int64) int64 { return n - 1 }
	t.Cleanup(c.closeIdle)
	return c, fs
}

// closeIdle drops the client's idle connections so test servers close cleanly.
func (c *Client) closeIdle() { c.rc.GetClient().CloseIdleConnections() }

// scriptServer answers the n-th request with statuses[n] (the last one
// repeating); 2xx answers carry body, others a JSON error envelope.
type scriptServer struct {
	*httptest.Server
	hits atomic.Int32
}

func newScriptServer(t *testing.T, body string, statuses ...int) *scriptServer {
	t.Helper()
	s := &scriptServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.hits.Add(1)) - 1
		status := statuses[min(n, len(statuses)-1)]
		w.Header().Set("Content-Type", "application/json")
		switch {
		case status == http.StatusNoContent:
			w.WriteHeader(status)
		case status >= 200 && status < 300:
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		default:
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":{"code":"SCRIPTED","message":"scripted failure"}}`))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// hijackClose takes over the connection, writes raw (if any) and closes it.
func hijackClose(t *testing.T, w http.ResponseWriter, raw string) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Errorf("response writer cannot hijack")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	if raw != "" {
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
	}
	_ = conn.Close()
}

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testJWT, testAPIKey, "SIGNATUREdistinctiveJWT", "TESTKEYdistinctive"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains a secret (%q):\n%s", what, secret, s)
		}
	}
}
