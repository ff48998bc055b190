package emulator

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestLockForServingIsExclusive(t *testing.T) {
	db := filepath.Join(t.TempDir(), "not-yet", "e.db")
	unlock, err := LockForServing(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockForServing(db); !errors.Is(err, ErrServing) {
		t.Fatalf("second lock: %v, want ErrServing", err)
	}
	unlock()
	unlock2, err := LockForServing(db)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock2()
	if _, err := LockForServing(":memory:"); err != nil {
		t.Fatalf(":memory: needs no lock: %v", err)
	}
}
