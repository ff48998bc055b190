package testsupport

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"sync"
	"testing"
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
