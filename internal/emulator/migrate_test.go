package emulator

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// openAtVersion1 makes a database with only the first migration applied, as an
// older metabind left it, and returns its path.
func openAtVersion1(t *testing.T, fill func(db *sql.DB)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "emulator.db")
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m1, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_version (version INTEGER NOT NULL)`,
		string(m1),
		`INSERT INTO schema_version (version) VALUES (1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	fill(db)
	return path
}

// Names stored by an older version, folded the old way, are compared by
// names.Key after the upgrade; two that are now the same name both survive.
func TestMigration2RenormalizesNames(t *testing.T) {
	path := openAtVersion1(t, func(db *sql.DB) {
		for _, q := range []string{
			`INSERT INTO orgs VALUES ('o', 'O', 0)`,
			`INSERT INTO projects VALUES (1, 'o', 'p', 'P', 0)`,
			`INSERT INTO projects VALUES (2, 'o', 'q', 'Q', 0)`,
			// Old folding kept fullwidth letters apart from ASCII ones.
			`INSERT INTO api_keys VALUES ('00000000-0000-4000-8000-000000000001', 1, 'Prod', 'PROD', zeroblob(32), 'active', NULL, 'u', 1, 1)`,
			`INSERT INTO api_keys VALUES ('00000000-0000-4000-8000-000000000002', 1, 'ｐｒｏｄ', 'ｐｒｏｄ', randomblob(32), 'active', NULL, 'u', 2, 2)`,
			// The same value in another project was impossible before; after,
			// it is allowed (the digest is unique per project).
			`INSERT INTO api_keys VALUES ('00000000-0000-4000-8000-000000000003', 2, 'other', 'OTHER', randomblob(32), 'revoked', NULL, 'u', 3, 3)`,
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	})
	e, err := Open(context.Background(), Config{DBPath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	got := map[string]string{}
	rows, err := e.store.r.Query(`SELECT id, name_norm FROM api_keys`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, norm string
		if err := rows.Scan(&id, &norm); err != nil {
			t.Fatal(err)
		}
		got[id] = norm
	}
	rows.Close()
	if got["00000000-0000-4000-8000-000000000001"] != "prod" {
		t.Errorf("older key's name_norm = %q, want prod", got["00000000-0000-4000-8000-000000000001"])
	}
	if n := got["00000000-0000-4000-8000-000000000002"]; n == "prod" || n == "" {
		t.Errorf("newer look-alike's name_norm = %q, want a unique placeholder", n)
	}
	if got["00000000-0000-4000-8000-000000000003"] != "other" {
		t.Errorf("other project's key: %q", got["00000000-0000-4000-8000-000000000003"])
	}
	// The unique index is back: the name cannot be added again.
	if _, err := e.store.w.Exec(`INSERT INTO api_keys VALUES ('00000000-0000-4000-8000-000000000004', 1, 'PROD', 'prod', randomblob(32), 'active', NULL, 'u', 4, 4)`); !isUniqueViolation(err, "name_norm") {
		t.Errorf("duplicate name_norm after the migration: %v", err)
	}
	// The same digest in two projects is allowed, twice in one is not.
	if _, err := e.store.w.Exec(`INSERT INTO api_keys VALUES ('00000000-0000-4000-8000-000000000005', 2, 'x', 'x', zeroblob(32), 'active', NULL, 'u', 5, 5)`); err != nil {
		t.Errorf("same digest in another project: %v", err)
	}
	if _, err := e.store.w.Exec(`INSERT INTO api_keys VALUES ('00000000-0000-4000-8000-000000000006', 1, 'y', 'y', zeroblob(32), 'active', NULL, 'u', 6, 6)`); !isUniqueViolation(err, "digest") {
		t.Errorf("same digest twice in one project: %v", err)
	}
}

// The change counter moves on a revocation or a deletion, whoever makes it,
// and not on a creation, a rename or a lastUsed update.
func TestKeyChangeCounterTriggers(t *testing.T) {
	h := newHarness(t)
	count := func() int64 {
		var n int64
		if err := h.e.store.r.QueryRow(`SELECT n FROM key_changes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	start := count()
	k := h.create("counted")
	if _, err := h.e.store.w.Exec(`UPDATE api_keys SET last_used = 5 WHERE id = ?`, k.ID); err != nil {
		t.Fatal(err)
	}
	h.admin("PUT", keysPath(testOrg, testProject)+"/"+k.ID, map[string]any{"name": "renamed", "status": "active"})
	if n := count(); n != start {
		t.Fatalf("counter moved to %d on create/rename/lastUsed (from %d)", n, start)
	}
	h.revoke(k.ID)
	if n := count(); n != start+1 {
		t.Fatalf("after revoke: %d, want %d", n, start+1)
	}
	h.admin("DELETE", keysPath(testOrg, testProject)+"/"+k.ID, nil)
	if n := count(); n != start+2 {
		t.Fatalf("after delete: %d, want %d", n, start+2)
	}
}
