package emulator

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Every pooled connection, read or write, has the PRAGMAs from the DSN.
func TestPragmasOnEveryConnection(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	check := func(name string, db *sql.DB, n int) {
		conns := make([]*sql.Conn, n)
		for i := range conns {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			conns[i] = c
		}
		var wg sync.WaitGroup
		for i, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var journal string
				var sync, busy, fk int
				for q, dst := range map[string]any{
					"PRAGMA journal_mode": &journal, "PRAGMA synchronous": &sync,
					"PRAGMA busy_timeout": &busy, "PRAGMA foreign_keys": &fk,
				} {
					if err := c.QueryRowContext(ctx, q).Scan(dst); err != nil {
						t.Errorf("%s conn %d %s: %v", name, i, q, err)
						return
					}
				}
				if journal != "wal" || sync != 2 || busy != 5000 || fk != 1 {
					t.Errorf("%s conn %d: journal_mode=%s synchronous=%d busy_timeout=%d foreign_keys=%d", name, i, journal, sync, busy, fk)
				}
			}()
		}
		wg.Wait()
	}
	check("reader", h.e.store.r, 8)
	check("writer", h.e.store.w, 1)

	// Readers cannot write.
	if _, err := h.e.store.r.Exec(`INSERT INTO orgs (id, name, created_at) VALUES ('x', 'x', 0)`); err == nil {
		t.Error("a reader connection wrote")
	}
	// Foreign keys are enforced.
	if _, err := h.e.store.w.Exec(`INSERT INTO projects (org_id, id, name, created_at) VALUES ('no-such-org', 'p', 'p', 0)`); err == nil {
		t.Error("a project without its org was accepted")
	}
}

func TestMigrations(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "emulator.db")
	for i := 0; i < 2; i++ {
		e, err := Open(context.Background(), Config{DBPath: path})
		if err != nil {
			t.Fatal(err)
		}
		var n, v int
		if err := e.store.r.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_version`).Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		ms, _ := loadMigrations()
		if n != len(ms) || v != len(ms) {
			t.Fatalf("open %d: %d rows, version %d; want %d", i, n, v, len(ms))
		}
		if i == 1 {
			if _, err := e.store.w.Exec(`INSERT INTO schema_version (version) VALUES (999)`); err != nil {
				t.Fatal(err)
			}
		}
		e.Close()
	}
	if _, err := Open(context.Background(), Config{DBPath: path}); err == nil || !strings.Contains(err.Error(), "newer metabind") {
		t.Fatalf("a newer schema was not refused: %v", err)
	}
}

// No column can hold a plaintext key.
func TestSchemaHasNoPlaintextColumn(t *testing.T) {
	h := newHarness(t)
	rows, err := h.e.store.r.Query(`SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		n++
		switch strings.ToLower(col) {
		case "key", "api_key", "apikey", "plaintext", "secret", "value", "token":
			t.Errorf("%s.%s could hold a secret", table, col)
		}
	}
	if n < 20 {
		t.Fatalf("only %d columns seen", n)
	}
}

// The plaintext of created keys is nowhere in the database files, open or closed.
func TestNoPlaintextOnDisk(t *testing.T) {
	h := newHarness(t)
	var keys []string
	for i := 0; i < 20; i++ {
		keys = append(keys, h.create(fmt.Sprintf("key %d", i)).Key)
	}
	custom := "Custom_Key-Value_0123456789abcdef"
	w := h.admin("POST", keysPath(testOrg, testProject), map[string]string{"name": "custom", "apiKey": custom})
	if w.Code != http.StatusCreated {
		t.Fatal(w.Code)
	}
	keys = append(keys, custom)
	for _, k := range keys[:5] {
		h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k))
	}
	scan := func(stage string) int {
		files, _ := filepath.Glob(h.e.dbPath + "*")
		scanned := 0
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			scanned += len(b)
			for _, k := range keys {
				if bytes.Contains(b, []byte(k)) {
					t.Errorf("%s: %s holds a plaintext key", stage, filepath.Base(f))
				}
			}
		}
		return scanned
	}
	if n := scan("open"); n == 0 {
		t.Fatal("nothing scanned")
	}
	// The WAL exists while open; its content was scanned above.
	if _, err := os.Stat(h.e.dbPath + "-wal"); err != nil {
		t.Errorf("no WAL while open: %v", err)
	}
	if err := h.e.Close(); err != nil {
		t.Fatal(err)
	}
	scan("closed")
	// Reopen for the harness's own Close.
	e, err := Open(context.Background(), Config{DBPath: h.e.dbPath})
	if err != nil {
		t.Fatal(err)
	}
	h.e = e
	// The digests, however, are there and match.
	var n int
	for _, k := range keys {
		d := keyDigest(e.secret, k)
		if err := e.store.r.QueryRow(`SELECT COUNT(*) FROM api_keys WHERE digest = ?`, d[:]).Scan(&n); err != nil || n != 1 {
			t.Errorf("digest of a key not found (%v)", err)
		}
	}
}

func TestSecretFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "metabind")
	path := filepath.Join(dir, "emulator.db")
	clock := newFakeClock()
	e, err := Open(context.Background(), Config{DBPath: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.MintToken(TokenRequest{Org: testOrg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Seed(context.Background(), testOrg, testProject); err != nil {
		t.Fatal(err)
	}
	e.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, SecretPath(path): 0o600, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", filepath.Base(p), st.Mode().Perm(), want)
		}
	}
	raw, _ := os.ReadFile(SecretPath(path))
	if b, err := hex.DecodeString(strings.TrimSpace(string(raw))); err != nil || len(b) != secretLen {
		t.Fatalf("secret file content: %v", err)
	}

	// The token minted before a restart still works after it; the secret is
	// reused, and loose permissions are tightened.
	if err := os.Chmod(SecretPath(path), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	e, err = Open(context.Background(), Config{DBPath: path, Now: clock.Now, Logger: newTextLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, e: e, clock: clock, token: tok}
	if w := h.admin("GET", keysPath(testOrg, testProject), nil); w.Code != 200 {
		t.Errorf("token from before the restart: %d", w.Code)
	}
	e.Close()
	if st, _ := os.Stat(SecretPath(path)); st.Mode().Perm() != 0o600 {
		t.Errorf("loose secret file left at %04o", st.Mode().Perm())
	}
	if !strings.Contains(logs.String(), "0644") {
		t.Errorf("no warning about the loose secret file: %q", logs.String())
	}

	// A corrupt secret is an error that says what to do.
	if err := os.WriteFile(SecretPath(path), []byte("not hex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), Config{DBPath: path}); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt secret: %v", err)
	}
}

// Many processes (here: emulators with their own pools) making the secret at
// once end up with one.
func TestSecretCreationRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.secret")
	var wg sync.WaitGroup
	secrets := make([][]byte, 16)
	for i := range secrets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _, err := loadOrCreateSecret(path)
			if err != nil {
				t.Error(err)
			}
			secrets[i] = s
		}()
	}
	wg.Wait()
	for _, s := range secrets[1:] {
		if !bytes.Equal(s, secrets[0]) {
			t.Fatal("concurrent creators got different secrets")
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]Config{
		"no path":             {},
		"negative rate":       {DBPath: ":memory:", RateLimit: -1},
		"negative resolution": {DBPath: ":memory:", LastUsedResolution: -time.Second},
		"negative failed":     {DBPath: ":memory:", FailedAuthLimit: -1},
		"directory":           {DBPath: dir},
		"under a file":        {DBPath: filepath.Join(dir, "file", "emulator.db")},
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		cases["read-only dir"] = Config{DBPath: filepath.Join(ro, "emulator.db")}
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			e, err := Open(context.Background(), cfg)
			if err == nil {
				e.Close()
				t.Fatal("opened")
			}
			if err.Error() == "" {
				t.Fatal("empty error")
			}
		})
	}
}

func TestDefaultDBPath(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	cases := []struct {
		env  func(string) string
		want string
	}{
		{env("MB_CONFIG_DIR", "/cfg", "XDG_DATA_HOME", "/xdg", "HOME", "/home/u"), "/cfg/emulator.db"},
		{env("XDG_DATA_HOME", "/xdg", "HOME", "/home/u"), "/xdg/metabind/emulator.db"},
		{env("XDG_DATA_HOME", "relative", "HOME", "/home/u"), "/home/u/.local/share/metabind/emulator.db"},
		{env("HOME", "/home/u"), "/home/u/.local/share/metabind/emulator.db"},
	}
	for _, c := range cases {
		got, err := DefaultDBPath(c.env)
		if err != nil || got != filepath.FromSlash(c.want) {
			t.Errorf("got %q, %v; want %q", got, err, c.want)
		}
	}
	if _, err := DefaultDBPath(env()); err == nil {
		t.Error("no HOME, no XDG_DATA_HOME, no MB_CONFIG_DIR: no error")
	}
}

// Paths with characters that mean something in a URI still work.
func TestAwkwardPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?x=1#frag%20", "emu.db")
	e, err := Open(context.Background(), Config{DBPath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Seed(context.Background(), "o", "p"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
}

// Several processes creating the same database at once (`emulator start --seed`
// beside `emulator seed`) all open it: switching a new file to WAL is not
// covered by busy_timeout, so the first connection waits by itself.
func TestConcurrentOpenOfANewDatabase(t *testing.T) {
	for round := range 150 {
		path := filepath.Join(t.TempDir(), "new.db")
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := openStore(context.Background(), path, 0)
				if err == nil {
					s.close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, opener %d: %v", round, i, err)
			}
		}
	}
}

// --db naming a file that is not a database is refused before anything is made
// beside it.
func TestOpenRefusesAFileThatIsNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("shopping list\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), Config{DBPath: path})
	if err == nil || !strings.Contains(err.Error(), "is not an emulator database (not SQLite)") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(SecretPath(path)); !os.IsNotExist(err) {
		t.Errorf("a secret was made beside it: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "shopping list\n" {
		t.Errorf("the file changed: %q", b)
	}
}

// ReadOnly opens an existing database for reading and makes nothing: no
// directory, database or secret; it refuses writes and signs nothing, and
// leaves no -wal or -shm behind.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, path := range map[string]string{
		"missing":           filepath.Join(dir, "nope.db"),
		"missing directory": filepath.Join(dir, "sub", "nope.db"),
		"memory":            ":memory:",
		"directory":         dir,
	} {
		if e, err := Open(ctx, Config{DBPath: path, ReadOnly: true}); err == nil {
			e.Close()
			t.Errorf("%s: opened", name)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a failed read-only open made %v", entries)
	}

	path := filepath.Join(dir, "emu.db")
	e, err := Open(ctx, Config{DBPath: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Seed(ctx, "acme", "web"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SeedKeys(ctx, "acme", "web", 2); err != nil {
		t.Fatal(err)
	}
	e.Close()
	if err := os.Remove(SecretPath(path)); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	ro, err := Open(ctx, Config{DBPath: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	events, err := ro.Audit(ctx, AuditFilter{})
	if err != nil || len(events) != 2 {
		t.Errorf("audit: %v, %d events", err, len(events))
	}
	if ok, err := ro.OrgExists(ctx, "acme"); err != nil || !ok {
		t.Errorf("OrgExists: %v %v", ok, err)
	}
	if _, err := ro.Seed(ctx, "other", "p"); err == nil {
		t.Error("a write succeeded")
	}
	if tok, err := ro.MintToken(TokenRequest{Org: "acme"}); err == nil {
		t.Errorf("signed a token without a secret: %q", tok)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "emu.db" {
		t.Errorf("the directory holds %v, want only emu.db", entries)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the database changed (%v)", err)
	}
}

// A read-only open does not migrate: a database behind this metabind's
// schema is an error that says how to upgrade it.
func TestOpenReadOnlyOldSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	e, err := Open(ctx, Config{DBPath: path})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM schema_version WHERE version = (SELECT MAX(version) FROM schema_version)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if ro, err := Open(ctx, Config{DBPath: path, ReadOnly: true}); err == nil {
		ro.Close()
		t.Fatal("opened")
	} else if !strings.Contains(err.Error(), "upgrade it by running `metabind emulator start` or `seed`") {
		t.Errorf("error: %v", err)
	}
}
