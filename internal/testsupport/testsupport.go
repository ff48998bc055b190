// Package testsupport holds what tests across the module share: a buffer safe
// for concurrent writers, a settable clock, test JWTs (unsigned, or signed
// with a given secret), and golden files with one -update flag. It is
// imported only from _test.go files, and depends on the standard library
// alone, so that any package's own (internal) tests can use it. The harness
// that runs the CLI against an in-process emulator is its subpackage clitest,
// which cannot be a part of this package: it imports the packages whose
// internal tests import this one.
package testsupport

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"flag"
	"go/parser"
	"go/token"
	"hash"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// SyncBuffer is a bytes.Buffer that one goroutine may write while another
// reads it (a debug trace, a prompt on a terminal, a server log).
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Bytes returns a copy of what was written so far.
func (s *SyncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// Reset forgets what was written.
func (s *SyncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

var b64 = base64.RawURLEncoding

// JWT builds an HS256-headed token with these claims and a fixed signature
// that no server accepts: for the CLI, which reads claims without verifying.
// Tokens an emulator must accept come from the emulator's own minting.
func JWT(claims map[string]any) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	return RawJWT(`{"alg":"HS256","typ":"JWT"}`, string(payload))
}

// RawJWT builds a token from a header and a payload given as JSON text (for
// malformed and duplicate-member cases), with a fixed signature.
func RawJWT(header, payload string) string {
	return b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload)) + "." +
		b64.EncodeToString([]byte("not-a-real-signature-0123456789"))
}

// Unanswered is a test server that never answers: each request waits until
// its client goes away or the test ends. It counts the requests and reports
// each arrival on Arrived (while it has room: 16).
type Unanswered struct {
	*httptest.Server
	Hits    atomic.Int32
	Arrived chan struct{}
}

// NewUnanswered starts an Unanswered server; it ends with the test, after
// the requests still waiting are let go.
func NewUnanswered(t testing.TB) *Unanswered {
	u := &Unanswered{Arrived: make(chan struct{}, 16)}
	release := make(chan struct{})
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.Hits.Add(1)
		select {
		case u.Arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() {
		close(release)
		u.Server.Close()
	})
	return u
}

// Imports returns the import paths of each non-test Go file in the current
// directory (the package under test), by file name. A file that does not
// parse, or a directory without any, fails the test.
func Imports(t testing.TB) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		paths := []string{}
		for _, imp := range af.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				t.Fatalf("%s: import %s: %v", f, imp.Path.Value, err)
			}
			paths = append(paths, path)
		}
		out[f] = paths
	}
	if len(out) == 0 {
		t.Fatal("no Go files here; run from the package directory")
	}
	return out
}

// SignedJWT builds a token from a header and a payload given as JSON text
// (so that members can repeat or be malformed), signed with HMAC under secret
// using h: sha256.New for HS256, sha512.New for HS512. With h nil the token
// has an empty signature ("header.payload.").
func SignedJWT(header, payload string, h func() hash.Hash, secret []byte) string {
	in := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	if h == nil {
		return in + "."
	}
	mac := hmac.New(h, secret)
	mac.Write([]byte(in))
	return in + "." + b64.EncodeToString(mac.Sum(nil))
}

// Clock is a settable clock for code that takes a func() time.Time (pass
// clock.Now); safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that stands at t until it is set or advanced.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var update = flag.Bool("update", false, "rewrite the golden files with the current output")

// Golden compares got with the file at path (relative to the test's package)
// and, with -update, rewrites the file instead.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
