package emulator

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestLockForServingIsExclusive(t *testing.T) {
	db := filepath.Join(t.TempDir(), "not-yet", "e.db")
	unlock, err := LockForServing(db, "http://127.0.0.1:1234")
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockForServing(db, "http://127.0.0.1:5678")
	if !errors.Is(err, ErrServing) {
		t.Fatalf("second lock: %v, want ErrServing", err)
	}
	// The message names the running server.
	for _, want := range []string{"pid " + strconv.Itoa(os.Getpid()), "http://127.0.0.1:1234"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	unlock()
	unlock2, err := LockForServing(db, "http://127.0.0.1:5678")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock2()
	if _, err := LockForServing(":memory:", ""); err != nil {
		t.Fatalf(":memory: needs no lock: %v", err)
	}
}

// A symbolic link to the database, or to its directory, meets the same lock.
func TestLockForServingThroughSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	if err := os.Mkdir(a, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(a, "emulator.db")
	for _, tc := range []struct{ label, link, target string }{
		{"file link", filepath.Join(a, "link.db"), db},
		{"relative file link", filepath.Join(a, "rel.db"), "emulator.db"},
		{"directory link", filepath.Join(dir, "b"), a},
	} {
		if err := os.Symlink(tc.target, tc.link); err != nil {
			t.Fatal(err)
		}
	}
	// A dangling link to a database not made yet resolves to where it will be.
	unlock, err := LockForServing(filepath.Join(a, "link.db"), "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("the database was not made at the link's target: %v", err)
	}
	for _, p := range []string{db, filepath.Join(a, "rel.db"), filepath.Join(dir, "b", "emulator.db")} {
		if _, err := LockForServing(p, "http://127.0.0.1:2"); !errors.Is(err, ErrServing) {
			t.Errorf("LockForServing(%s) = %v, want ErrServing", p, err)
		}
	}
	real, err := RealDBPath(filepath.Join(dir, "b", "link.db"))
	if err != nil || real != mustEval(t, db) {
		t.Errorf("RealDBPath = %q, %v; want %q", real, err, db)
	}
}

func mustEval(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// servingLocked returns a new database path whose serving lock is held until
// the test ends.
func servingLocked(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "emulator.db")
	unlock, err := LockForServing(db, "http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unlock)
	return db
}

// A hard link is another name for the same file: on Linux the lock on the file
// itself refuses a second server, and says which process holds it.
func TestLockForServingThroughHardLink(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the database file itself is locked on Linux only")
	}
	db := servingLocked(t)
	other := filepath.Join(t.TempDir(), "hard.db")
	if err := os.Link(db, other); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	_, err := LockForServing(other, "http://127.0.0.1:2")
	if !errors.Is(err, ErrServing) || !strings.Contains(err.Error(), "another name for the same file") {
		t.Fatalf("hard link: %v, want ErrServing", err)
	}
	// The failed attempt released the lock file beside the other name.
	unlock2, err := LockForServing(filepath.Join(filepath.Dir(other), "fresh.db"), "http://127.0.0.1:3")
	if err != nil {
		t.Fatal(err)
	}
	unlock2()
}

// The lock on the database file does not get in SQLite's way: a server holding
// it can read and write, and so can a one-shot command in the same process
// (another connection) beside it.
func TestLockForServingLeavesSQLiteAlone(t *testing.T) {
	db := servingLocked(t)
	h := newHarness(t, func(c *Config) { c.DBPath = db })
	k := h.create("under lock")
	h2 := newHarness(t, func(c *Config) { c.DBPath = db })
	h2.revoke(k.ID)
	if got := h.show(k.ID); got.Status != "revoked" {
		t.Fatalf("status %q", got.Status)
	}
}

// Defence in depth: a key revoked through another emulator on the same file
// (another process, in life) stops verifying on this one, although it was
// cached here, once the change check runs (here on every request).
func TestCacheSeesRevokeByAnotherEmulator(t *testing.T) {
	db := filepath.Join(t.TempDir(), "emulator.db")
	a := newHarness(t, func(c *Config) { c.DBPath = db })
	a.e.store.changes.every = 0
	b := newHarness(t, func(c *Config) { c.DBPath = db })
	k := a.create("shared")
	ctx := t.Context()
	for range 2 {
		if vk, err := a.e.verifyKey(ctx, k.Key, testOrg, testProject); vk == nil || err != nil {
			t.Fatalf("not verified before the revoke: %v", err)
		}
	}
	lookups := a.e.keyLookups.Load()
	b.revoke(k.ID)
	if vk, err := a.e.verifyKey(ctx, k.Key, testOrg, testProject); vk != nil || err != nil {
		t.Fatalf("revoked elsewhere, still verified here (err %v)", err)
	}
	if a.e.keyLookups.Load() == lookups {
		t.Fatal("answered from the cache")
	}
	// A change that is no revocation (a new key elsewhere) keeps the cache.
	k2 := a.create("second")
	if vk, _ := a.e.verifyKey(ctx, k2.Key, testOrg, testProject); vk == nil {
		t.Fatal("second key not verified")
	}
	b.create("made elsewhere")
	lookups = a.e.keyLookups.Load()
	if vk, _ := a.e.verifyKey(ctx, k2.Key, testOrg, testProject); vk == nil || a.e.keyLookups.Load() != lookups {
		t.Fatal("a creation elsewhere emptied the cache")
	}
}
