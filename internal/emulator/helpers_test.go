package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

const (
	testOrg     = "acme"
	testProject = "web"
)

// newFakeClock is an injectable clock for the rate limiter, lastUsed and
// tokens.
func newFakeClock() *testsupport.Clock {
	return testsupport.NewClock(time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC))
}

type harness struct {
	t     testing.TB
	e     *Emulator
	clock *testsupport.Clock
	token string // owner token for testOrg
}

// newHarness opens an emulator on a temporary file database (":memory:" when
// memory is true), seeds testOrg/testProject and mints an owner token. Rate
// limits are off unless cfg says otherwise.
func newHarness(t testing.TB, mutate ...func(*Config)) *harness {
	t.Helper()
	clock := newFakeClock()
	cfg := Config{
		DBPath:             filepath.Join(t.TempDir(), "emulator.db"),
		LastUsedResolution: time.Minute,
		Now:                clock.Now,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	e, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if _, err := e.Seed(context.Background(), testOrg, testProject); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	tok, err := e.MintToken(TokenRequest{Org: testOrg, Subject: "user-1", TTL: 24 * 365 * time.Hour})
	if err != nil {
		t.Fatalf("MintToken: %v", err)
	}
	return &harness{t: t, e: e, clock: clock, token: tok}
}

func inMemory(c *Config) { c.DBPath = ":memory:" }

func keysPath(org, project string) string {
	return "/app/v1/organizations/" + org + "/projects/" + project + "/api-keys"
}

func clientPath(org, project, rest string) string {
	return "/api/v1/organizations/" + org + "/projects/" + project + "/" + rest
}

type reqOpt func(*http.Request)

func withHeader(k, v string) reqOpt { return func(r *http.Request) { r.Header.Add(k, v) } }

func withBearer(tok string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func withKey(k string) reqOpt { return func(r *http.Request) { r.Header.Set("X-Api-Key", k) } }

func withRemote(addr string) reqOpt { return func(r *http.Request) { r.RemoteAddr = addr } }

// raw sends a request with a raw body (JSON content type when body is non-empty).
func (h *harness) raw(method, path, body string, opts ...reqOpt) *httptest.ResponseRecorder {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	h.e.Handler().ServeHTTP(w, r)
	return w
}

// admin sends an admin request with the harness token and a JSON body.
func (h *harness) admin(method, path string, body any, opts ...reqOpt) *httptest.ResponseRecorder {
	h.t.Helper()
	s := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatalf("marshal: %v", err)
		}
		s = string(b)
	}
	return h.raw(method, path, s, append([]reqOpt{withBearer(h.token)}, opts...)...)
}

type keyJSON struct {
	ID        string  `json:"id"`
	ProjectID string  `json:"projectId"`
	Name      string  `json:"name"`
	Key       string  `json:"key"`
	Status    string  `json:"status"`
	LastUsed  *string `json:"lastUsed"`
	CreatedBy string  `json:"createdBy"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
}

type errJSON struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Details map[string]string `json:"details"`
	} `json:"error"`
}

func decode[T any](t testing.TB, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T from %d %q: %v", v, w.Code, w.Body.String(), err)
	}
	return v
}

// create makes a key and returns it (with its plaintext).
func (h *harness) create(name string) keyJSON {
	h.t.Helper()
	w := h.admin("POST", keysPath(testOrg, testProject), map[string]string{"name": name})
	if w.Code != http.StatusCreated {
		h.t.Fatalf("create %q: %d %s", name, w.Code, w.Body.String())
	}
	return decode[keyJSON](h.t, w)
}

func (h *harness) revoke(id string) {
	h.t.Helper()
	w := h.admin("PUT", keysPath(testOrg, testProject)+"/"+id, map[string]string{"status": "revoked"})
	if w.Code != http.StatusOK {
		h.t.Fatalf("revoke %s: %d %s", id, w.Code, w.Body.String())
	}
}

func (h *harness) show(id string) keyJSON {
	h.t.Helper()
	w := h.admin("GET", keysPath(testOrg, testProject)+"/"+id, nil)
	if w.Code != http.StatusOK {
		h.t.Fatalf("show %s: %d %s", id, w.Code, w.Body.String())
	}
	return decode[keyJSON](h.t, w)
}

func expectError(t testing.TB, w *httptest.ResponseRecorder, status int, code string) errJSON {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d; body %s", w.Code, status, w.Body.String())
	}
	e := decode[errJSON](t, w)
	if e.Error.Code != code {
		t.Fatalf("code = %q, want %q; body %s", e.Error.Code, code, w.Body.String())
	}
	if e.Error.Message == "" {
		t.Fatalf("error without a message: %s", w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q", ct)
	}
	return e
}

func mustContain(t testing.TB, haystack []byte, needle string, want bool) {
	t.Helper()
	if got := bytes.Contains(haystack, []byte(needle)); got != want {
		t.Fatalf("contains %q = %v, want %v", needle, got, want)
	}
}

type httpRecorder = httptest.ResponseRecorder

func nopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
