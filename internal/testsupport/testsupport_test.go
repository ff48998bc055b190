package testsupport

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSyncBuffer(t *testing.T) {
	var b SyncBuffer
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = b.Write([]byte("ab"))
			_ = b.String()
		}()
	}
	wg.Wait()
	if got := b.String(); got != strings.Repeat("ab", 8) {
		t.Errorf("String() = %q", got)
	}
	if got := string(b.Bytes()); got != strings.Repeat("ab", 8) {
		t.Errorf("Bytes() = %q", got)
	}
	b.Reset()
	if b.String() != "" {
		t.Error("Reset kept data")
	}
}

func TestJWT(t *testing.T) {
	tok := JWT(map[string]any{"sub": "alice", "org": "acme"})
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || !strings.HasPrefix(tok, "eyJ") {
		t.Fatalf("JWT = %q", tok)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || string(payload) != `{"org":"acme","sub":"alice"}` {
		t.Errorf("payload %q, %v", payload, err)
	}
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")
	*update = true
	Golden(t, path, []byte("one"))
	*update = false
	Golden(t, path, []byte("one"))
}

func TestSignedJWT(t *testing.T) {
	secret := []byte("s3cret")
	tok := SignedJWT(`{"alg":"HS256"}`, `{"a":1,"a":2}`, sha256.New, secret)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("SignedJWT = %q", tok)
	}
	if p, _ := base64.RawURLEncoding.DecodeString(parts[1]); string(p) != `{"a":1,"a":2}` {
		t.Errorf("payload %q: not kept as given", p)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); parts[2] != want {
		t.Errorf("signature %q, want %q", parts[2], want)
	}
	if tok := SignedJWT(`{}`, `{}`, nil, secret); !strings.HasSuffix(tok, ".") || strings.Count(tok, ".") != 2 {
		t.Errorf("unsigned token %q", tok)
	}
}

func TestUnanswered(t *testing.T) {
	u := NewUnanswered(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("answered: %d", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the client's deadline", err)
	}
	select {
	case <-u.Arrived:
	default:
		t.Error("no arrival reported")
	}
	if n := u.Hits.Load(); n != 1 {
		t.Errorf("%d hits, want 1", n)
	}
}

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewClock(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("Now = %v", c.Now())
	}
	c.Advance(time.Minute)
	if !c.Now().Equal(t0.Add(time.Minute)) {
		t.Errorf("after Advance: %v", c.Now())
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Errorf("after Set: %v", c.Now())
	}
}

func TestImports(t *testing.T) {
	imports := Imports(t)
	paths, ok := imports["testsupport.go"]
	if !ok {
		t.Fatalf("testsupport.go not listed: %v", imports)
	}
	if !slices.Contains(paths, "go/parser") {
		t.Errorf("testsupport.go imports %v; go/parser missing", paths)
	}
	for f := range imports {
		if strings.HasSuffix(f, "_test.go") {
			t.Errorf("a test file was listed: %s", f)
		}
	}
}
