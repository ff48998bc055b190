package emulator

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/metabind/metabind-cli/internal/names"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// memoryPath is the DBPath that selects a throwaway in-memory database.
const memoryPath = ":memory:"

// store owns the SQLite database. Writes go through w, a pool of exactly one
// connection whose transactions begin with BEGIN IMMEDIATE, so writers in this
// process queue in Go instead of racing for SQLite's write lock; writers in other
// processes wait on busy_timeout. Reads go through r, a pool of read-only
// connections that WAL lets run beside the writer. An in-memory database lives on
// one connection, so there r and w are the same pool.
type store struct {
	w, r   *sql.DB
	memory bool

	// Prepared statements for the hot paths.
	keyByDigest *sql.Stmt // r
	touchUsed   *sql.Stmt // w
	listTags    *sql.Stmt // r
	listTypes   *sql.Stmt // r
	listContent *sql.Stmt // r
	listByType  *sql.Stmt // r
	contentByID *sql.Stmt // r

	projMu   sync.RWMutex
	projects map[projectKey]int64 // projects are never deleted, so a hit is always valid

	// changes watches for revocations and deletions made by any connection,
	// this process's or another's (see keyChanged); nil for ":memory:", which
	// no other process can reach.
	changes *changeWatch
}

// changeWatch is one read connection set aside to notice changes to keys.
// PRAGMA data_version is per connection: it moves when another connection
// (of any process) commits, and costs no page read; only then is the
// key_changes counter, which triggers bump on every revocation and deletion,
// read to see whether a verified key may have stopped verifying.
//
// A check costs a read transaction (tens of microseconds, several times a
// cached key verification), so requests check at most once per every: a
// revocation made by another process is seen within that window. Changes made
// through this process never wait for it (the cache drops the key before the
// change commits).
type changeWatch struct {
	every time.Duration
	start time.Time
	next  atomic.Int64 // nanoseconds since start when the next check is due

	mu          sync.Mutex
	db          *sql.DB
	conn        *sql.Conn
	dataVersion *sql.Stmt // PRAGMA data_version, prepared on conn
	version     int64
	count       int64
}

type projectKey struct{ org, project string }

// pragmaValues are set on every connection through the DSN, so a connection the
// pool opens later has them too.
var pragmaValues = []string{
	"foreign_keys(1)",
	"journal_mode(WAL)",
	"synchronous(FULL)",
}

// defaultBusyTimeout is how long a statement waits for another connection's
// write lock before it fails with SQLITE_BUSY (then the API answers 503).
const defaultBusyTimeout = 5 * time.Second

func dsn(path string, readOnly bool) string { return dsnBusy(path, readOnly, defaultBusyTimeout) }

func dsnBusy(path string, readOnly bool, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	for _, p := range pragmaValues {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	q.Set("_txlock", "immediate")
	if path == memoryPath {
		return "file::memory:?" + q.Encode()
	}
	return fileURI(path) + "?" + q.Encode()
}

// dsnReadOnlyFile opens the existing file at path for queries only: mode=rw
// never makes a database file (a missing one is an error), query_only(1)
// refuses every write, and journal_mode and synchronous are left as the file
// has them. Not mode=ro: a read-only connection cannot remove the -wal and
// -shm files that opening a WAL database makes, so they would stay behind;
// this one, when it is the last to close, removes them as SQLite always does.
// (SQLite opens a file the OS does not let it write read-only by itself.)
func dsnReadOnlyFile(path string, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "query_only(1)")
	q.Set("mode", "rw")
	return fileURI(path) + "?" + q.Encode()
}

func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath()
}

// openStore opens (creating if needed) the database at path and applies the
// embedded migrations. path is absolute or ":memory:".
func openStore(ctx context.Context, path string, busy time.Duration) (*store, error) {
	if busy <= 0 {
		busy = defaultBusyTimeout
	}
	s := &store{memory: path == memoryPath, projects: make(map[projectKey]int64)}
	w, err := sql.Open("sqlite", dsnBusy(path, false, busy))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s.w = w
	if err := pingWhileBusy(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if s.memory {
		s.r = w
	} else {
		r, err := sql.Open("sqlite", dsnBusy(path, true, busy))
		if err != nil {
			w.Close()
			return nil, err
		}
		n := max(8, 2*runtime.GOMAXPROCS(0))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		s.r = r
		if err := pingWhileBusy(ctx, r); err != nil {
			_ = s.close() // the open error is the one to report
			return nil, err
		}
	}
	if err := s.prepare(ctx); err != nil {
		_ = s.close() // the open error is the one to report
		return nil, err
	}
	if !s.memory {
		if err := s.watchChanges(ctx, path); err != nil {
			_ = s.close() // the open error is the one to report
			return nil, err
		}
	}
	return s, nil
}

// openStoreReadOnly opens the existing database at path (absolute) for
// reading only: it makes nothing, applies no migration (a database whose
// schema is not current is an error that says how to upgrade it) and has no
// change watch. Every write fails.
func openStoreReadOnly(ctx context.Context, path string, busy time.Duration) (*store, error) {
	if busy <= 0 {
		busy = defaultBusyTimeout
	}
	db, err := sql.Open("sqlite", dsnReadOnlyFile(path, busy))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(2)
	s := &store{r: db, w: db, projects: make(map[projectKey]int64)}
	if err := pingWhileBusy(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.checkSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		_ = s.close() // the open error is the one to report
		return nil, err
	}
	return s, nil
}

// checkSchema fails unless the database has every embedded migration.
func (s *store) checkSchema(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var current int
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return errors.New("not an emulator database (it has no schema version)")
		}
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case current > len(ms):
		return fmt.Errorf("the database has schema version %d but this metabind knows only up to %d; use a newer metabind or another --db", current, len(ms))
	case current < len(ms):
		return fmt.Errorf("the database has schema version %d and this metabind needs %d; upgrade it by running `metabind emulator start` or `seed` on it once", current, len(ms))
	}
	return nil
}

// changeCheckEvery bounds how long a revocation or deletion made by another
// process can go unseen by a server's verification cache.
const changeCheckEvery = 100 * time.Millisecond

// watchChanges opens the change watch's connection, in a pool of its own so
// that it takes nothing from the readers.
func (s *store) watchChanges(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return fmt.Errorf("open the change watch: %w", err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return fmt.Errorf("open the change watch: %w", err)
	}
	s.changes = &changeWatch{db: db, conn: conn, every: changeCheckEvery, start: time.Now()}
	if s.changes.dataVersion, err = conn.PrepareContext(ctx, `PRAGMA data_version`); err != nil {
		return fmt.Errorf("prepare data_version: %w", err)
	}
	if err := s.changes.dataVersion.QueryRowContext(ctx).Scan(&s.changes.version); err != nil {
		return fmt.Errorf("read data_version: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT n FROM key_changes WHERE id = 1`).Scan(&s.changes.count); err != nil {
		return fmt.Errorf("read key_changes: %w", err)
	}
	return nil
}

// keyChanged reports whether a key was revoked or deleted, by any process,
// since the previous check. Every client-API request asks before it trusts the
// verification cache; at most one per changeCheckEvery actually checks.
func (s *store) keyChanged(ctx context.Context) (bool, error) {
	w := s.changes
	if w == nil {
		return false, nil
	}
	if time.Since(w.start).Nanoseconds() < w.next.Load() {
		return false, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Since(w.start).Nanoseconds()
	if now < w.next.Load() {
		return false, nil // another request checked meanwhile
	}
	w.next.Store(now + w.every.Nanoseconds())
	var v int64
	if err := w.dataVersion.QueryRowContext(ctx).Scan(&v); err != nil {
		return false, fmt.Errorf("read data_version: %w", err)
	}
	if v == w.version {
		return false, nil
	}
	var n int64
	if err := w.conn.QueryRowContext(ctx, `SELECT n FROM key_changes WHERE id = 1`).Scan(&n); err != nil {
		return false, fmt.Errorf("read key_changes: %w", err)
	}
	w.version = v
	changed := n != w.count
	w.count = n
	return changed, nil
}

func (s *store) prepare(ctx context.Context) error {
	var err error
	// The active key of that value in the URL's project (?2, ?3) if there is
	// one, else any other project's active key of that value.
	s.keyByDigest, err = s.r.PrepareContext(ctx, `
		SELECT k.id, k.last_used, p.pk, p.org_id, p.id
		FROM api_keys k JOIN projects p ON p.pk = k.project_pk
		WHERE k.digest = ?1 AND k.status = 'active'
		ORDER BY (p.org_id = ?2 AND p.id = ?3) DESC
		LIMIT 1`)
	if err != nil {
		return fmt.Errorf("prepare key lookup: %w", err)
	}
	// The conditional write: it only moves last_used forward and only once the
	// previous value is at least a window old; it never touches updated_at.
	s.touchUsed, err = s.w.PrepareContext(ctx, `
		UPDATE api_keys SET last_used = ?1
		WHERE id = ?2 AND status = 'active' AND (last_used IS NULL OR last_used <= ?3)`)
	if err != nil {
		return fmt.Errorf("prepare lastUsed update: %w", err)
	}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.listTags, `SELECT pk, id, name, slug FROM tags WHERE project_pk = ? AND pk > ? ORDER BY pk LIMIT ?`},
		{&s.listTypes, `SELECT pk, id, name, status FROM content_types WHERE project_pk = ? AND status = 'published' AND pk > ? ORDER BY pk LIMIT ?`},
		{&s.listContent, `SELECT ` + contentColumns + ` FROM content c JOIN content_types t ON t.pk = c.content_type_pk
			WHERE c.project_pk = ? AND c.status = 'published' AND c.pk > ? ORDER BY c.pk LIMIT ?`},
		{&s.listByType, `SELECT ` + contentColumns + ` FROM content c JOIN content_types t ON t.pk = c.content_type_pk
			WHERE c.project_pk = ? AND c.status = 'published' AND t.id = ? AND c.pk > ? ORDER BY c.pk LIMIT ?`},
		{&s.contentByID, `SELECT ` + contentColumns + ` FROM content c JOIN content_types t ON t.pk = c.content_type_pk
			WHERE c.project_pk = ? AND c.id = ? AND c.status = 'published'`},
	} {
		if *p.dst, err = s.r.PrepareContext(ctx, p.sql); err != nil {
			return fmt.Errorf("prepare content queries: %w", err)
		}
	}
	return nil
}

func (s *store) close() error {
	var errs []error
	if s.changes != nil {
		if s.changes.dataVersion != nil {
			errs = append(errs, s.changes.dataVersion.Close())
		}
		errs = append(errs, s.changes.conn.Close(), s.changes.db.Close())
		s.changes = nil // a second close (as for the other pools) is harmless
	}
	for _, st := range []*sql.Stmt{s.keyByDigest, s.touchUsed, s.listTags, s.listTypes, s.listContent, s.listByType, s.contentByID} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// writeTx runs fn in one write transaction (BEGIN IMMEDIATE through the DSN) and
// commits it when fn returns nil.
func (s *store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %q: name must be NNNN_description.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: bad version number", name)
		}
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %q: versions must run 1, 2, 3… without gaps", m.name)
		}
	}
	return ms, nil
}

// migrationSteps are the parts of migrations that SQL cannot do, run in the same
// transaction right after the migration's SQL.
var migrationSteps = map[int]func(context.Context, *sql.Tx) error{
	2: renormalizeNames,
}

// renormalizeNames recomputes every key's name_norm as names.Key and makes the
// unique index on (project, name_norm) again. Names that were distinct under the
// old folding but are the same name now (say "prod" and the fullwidth "ｐｒｏｄ")
// keep their names; the newer of them gets a name_norm that no name can have
// (the Key, a NUL and its id), so it stays unique and the older one keeps the
// name for comparisons.
func renormalizeNames(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, project_pk, name FROM api_keys ORDER BY project_pk, created_at, id`)
	if err != nil {
		return fmt.Errorf("read key names: %w", err)
	}
	type row struct {
		id, norm string
	}
	var updates []row
	type nameKey struct {
		pk   int64
		norm string
	}
	seen := make(map[nameKey]bool)
	for rows.Next() {
		var (
			id, name string
			pk       int64
		)
		if err := rows.Scan(&id, &pk, &name); err != nil {
			rows.Close()
			return fmt.Errorf("read key names: %w", err)
		}
		norm := names.Key(name)
		k := nameKey{pk, norm}
		if seen[k] {
			norm += "\x00" + id
		}
		seen[k] = true
		updates = append(updates, row{id, norm})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read key names: %w", err)
	}
	upd, err := tx.PrepareContext(ctx, `UPDATE api_keys SET name_norm = ? WHERE id = ? AND name_norm IS NOT ?`)
	if err != nil {
		return err
	}
	defer upd.Close()
	for _, u := range updates {
		if _, err := upd.ExecContext(ctx, u.norm, u.id, u.norm); err != nil {
			return fmt.Errorf("update key name: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE UNIQUE INDEX api_keys_project_name ON api_keys (project_pk, name_norm)`); err != nil {
		return fmt.Errorf("index key names: %w", err)
	}
	return nil
}

// migrate brings the schema up to date in one write transaction, so two processes
// opening a new database at once cannot both apply a migration.
func (s *store) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_version: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if current > len(ms) {
			return fmt.Errorf("the database has schema version %d but this metabind knows only up to %d; use a newer metabind or another --db", current, len(ms))
		}
		for _, m := range ms[current:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			if step := migrationSteps[m.version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return fmt.Errorf("apply migration %s: %w", m.name, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, m.version); err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// projectPK returns the internal key of org/project, or ok=false when either does
// not exist.
func (s *store) projectPK(ctx context.Context, org, project string) (pk int64, ok bool, err error) {
	k := projectKey{org, project}
	s.projMu.RLock()
	pk, ok = s.projects[k]
	s.projMu.RUnlock()
	if ok {
		return pk, true, nil
	}
	err = s.r.QueryRowContext(ctx, `SELECT pk FROM projects WHERE org_id = ? AND id = ?`, org, project).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	s.projMu.Lock()
	s.projects[k] = pk
	s.projMu.Unlock()
	return pk, true, nil
}

// openBusyWait bounds how long opening a database waits for another process
// that holds it locked, like busy_timeout does for statements.
const openBusyWait = 5 * time.Second

// pingWhileBusy opens db's first connection, waiting while another process holds
// the database locked. Switching a new database to WAL takes an exclusive lock
// and SQLite does not call the busy handler for it, so two processes creating
// the same database at once (`emulator start --seed` beside `emulator seed`)
// would otherwise see SQLITE_BUSY.
func pingWhileBusy(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(openBusyWait)
	wait := 5 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().Add(wait).After(deadline) {
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// isUniqueViolation reports whether err is a UNIQUE constraint failure, and on
// which index (SQLite names the columns: "api_keys.digest").
func isUniqueViolation(err error, column string) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	if se.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE && se.Code() != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
		return false
	}
	return column == "" || strings.Contains(se.Error(), column)
}
