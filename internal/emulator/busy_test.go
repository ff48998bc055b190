package emulator

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// holdWriteLock takes the database's write lock on a connection of its own
// (as another process would) until release is called.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE through the DSN
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE key_changes SET n = n WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = tx.Rollback()
			db.Close()
		})
	}
}

// A write that finds the database locked past busy_timeout is 503 with
// Retry-After: 1 and the error envelope, never 500; nothing changes.
func TestBusyDatabaseIs503(t *testing.T) {
	db := filepath.Join(t.TempDir(), "emulator.db")
	h := newHarness(t, func(c *Config) { c.DBPath = db; c.BusyTimeout = 20 * time.Millisecond })
	k := h.create("busy")
	release := holdWriteLock(t, db)
	defer release()
	for _, w := range []struct {
		label string
		do    func() (int, http.Header, []byte)
	}{
		{"revoke", func() (int, http.Header, []byte) {
			r := h.admin("PUT", keysPath(testOrg, testProject)+"/"+k.ID, map[string]any{"status": "revoked"})
			return r.Code, r.Header(), r.Body.Bytes()
		}},
		{"create", func() (int, http.Header, []byte) {
			r := h.admin("POST", keysPath(testOrg, testProject), map[string]any{"name": "during"})
			return r.Code, r.Header(), r.Body.Bytes()
		}},
		{"delete", func() (int, http.Header, []byte) {
			r := h.admin("DELETE", keysPath(testOrg, testProject)+"/"+k.ID, nil)
			return r.Code, r.Header(), r.Body.Bytes()
		}},
	} {
		code, hdr, body := w.do()
		var env struct {
			Error struct{ Code, Message string }
		}
		if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") != "1" || json.Unmarshal(body, &env) != nil || env.Error.Code != "SERVICE_UNAVAILABLE" {
			t.Errorf("%s while locked: %d Retry-After=%q %s", w.label, code, hdr.Get("Retry-After"), body)
		}
	}
	release()
	if got := h.show(k.ID); got.Status != "active" {
		t.Fatalf("status %q after refused writes", got.Status)
	}
}

// emulator seed --keys commits in short batches: revokes on a server over the
// same database, with a short busy timeout, run between them and never get a
// 500 (at worst a 503 to retry).
func TestSeedKeysLetsOtherWritersIn(t *testing.T) {
	db := filepath.Join(t.TempDir(), "emulator.db")
	srv := newHarness(t, func(c *Config) { c.DBPath = db; c.BusyTimeout = 100 * time.Millisecond })
	keys := make([]keyJSON, 6)
	for i := range keys {
		keys[i] = srv.create("victim " + string(rune('a'+i)))
	}
	seeder := newHarness(t, func(c *Config) { c.DBPath = db })

	const n = 5000
	seeded := make(chan error, 1)
	go func() {
		_, err := seeder.e.SeedKeys(context.Background(), testOrg, testProject, n)
		seeded <- err
	}()
	// Wait until the seed is writing, then revoke.
	for {
		var c int
		if err := srv.e.store.r.QueryRow(`SELECT COUNT(*) FROM api_keys WHERE created_by = 'emulator-seed'`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		if c > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	var wg sync.WaitGroup
	codes := make([]int, len(keys))
	for i, k := range keys {
		wg.Go(func() {
			for {
				r := srv.admin("PUT", keysPath(testOrg, testProject)+"/"+k.ID, map[string]any{"status": "revoked"})
				codes[i] = r.Code
				if r.Code != http.StatusServiceUnavailable {
					return
				}
				time.Sleep(10 * time.Millisecond) // what Retry-After asks, shortened
			}
		})
	}
	wg.Wait()
	if err := <-seeded; err != nil {
		t.Fatal(err)
	}
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("revoke %d: %d", i, c)
		}
		if got := srv.show(keys[i].ID); got.Status != "revoked" {
			t.Errorf("key %d is %s", i, got.Status)
		}
	}
	var c int
	if err := srv.e.store.r.QueryRow(`SELECT COUNT(*) FROM api_keys WHERE created_by = 'emulator-seed'`).Scan(&c); err != nil || c != n {
		t.Fatalf("seeded %d keys, want %d (%v)", c, n, err)
	}
	// The revokes went in between the seed's transactions, not after all of
	// them: the audit trail has seed rows after the first revoke.
	var firstRevoke, lastSeed int64
	if err := srv.e.store.r.QueryRow(`SELECT (SELECT MIN(id) FROM audit_events WHERE action = 'revoke'),
		(SELECT MAX(id) FROM audit_events WHERE actor = 'emulator-seed')`).Scan(&firstRevoke, &lastSeed); err != nil {
		t.Fatal(err)
	}
	if firstRevoke > lastSeed {
		t.Fatalf("every revoke waited for the whole seed (first revoke row %d, last seed row %d)", firstRevoke, lastSeed)
	}
}
