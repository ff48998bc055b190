// Package testsupport holds what tests across the module share: a buffer safe
// for concurrent writers, unsigned test JWTs, and golden files with one
// -update flag. It is imported only from _test.go files.
package testsupport

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
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
