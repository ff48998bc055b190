package contract

import (
	"bytes"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/emulator"

	"github.com/metabind/metabind-cli/internal/testsupport"
	_ "modernc.org/sqlite"
)

// findDraftIDs opens the emulator's database in dir and returns the ids of
// content that is not published. It finds the content table by evidence,
// not by name: a table with "id" and "status" columns that holds every id
// of published (the ids the client API listed) with status "published".
// It returns nil when no table fits.
func findDraftIDs(t testing.TB, dir string, published []string) []string {
	t.Helper()
	if len(published) == 0 {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "emulator.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatalf("opening the emulator's database: %v", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatalf("listing tables: %v", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatalf("listing tables: %v", err)
		}
		tables = append(tables, name)
	}
	rows.Close()

	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	for _, table := range tables {
		cols := map[string]bool{}
		crow, err := db.QueryContext(t.Context(), `SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			continue
		}
		for crow.Next() {
			var c string
			if crow.Scan(&c) == nil {
				cols[strings.ToLower(c)] = true
			}
		}
		crow.Close()
		if !cols["id"] || !cols["status"] {
			continue
		}
		args := make([]any, len(published))
		marks := make([]string, len(published))
		for i, id := range published {
			args[i], marks[i] = id, "?"
		}
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE CAST(id AS TEXT) IN (%s) AND lower(status) = 'published'`,
			quote(table), strings.Join(marks, ","))
		if db.QueryRowContext(t.Context(), q, args...).Scan(&n) != nil || n != len(published) {
			continue
		}
		drows, err := db.QueryContext(t.Context(),
			fmt.Sprintf(`SELECT CAST(id AS TEXT) FROM %s WHERE lower(status) <> 'published'`, quote(table)))
		if err != nil {
			continue
		}
		var drafts []string
		for drows.Next() {
			var id string
			if drows.Scan(&id) == nil {
				drafts = append(drafts, id)
			}
		}
		drows.Close()
		return drafts
	}
	return nil
}

// exerciseSecrets runs a key's whole life on d, with good and bad
// credentials, and returns every secret it used.
func exerciseSecrets(t *testing.T, d *dedicated) []string {
	t.Helper()
	tg := d.target
	generated := createKey(t, tg, uniqueName(t, "generated"))
	custom := createKeyIn(t, tg, tg.Token, tg.Org, tg.Project,
		map[string]any{"name": uniqueName(t, "custom"), "apiKey": "custom_" + randomAlnum(t, 30)})
	unknown := randomAlnum(t, 32)
	badJWT := parseJWT(t, tg.Token)
	badJWT.claims["role"] = "superuser"
	forged := badJWT.withSignature(t, badJWT.signature)
	tags := clientPath(tg, "tags") + "?limit=1"

	decodeList(t, "generated key", client(t, tg, generated.Secret, http.MethodGet, tags))
	decodeList(t, "custom key", client(t, tg, custom.Secret, http.MethodGet, tags))
	wantError(t, "unknown key", client(t, tg, unknown, http.MethodGet, tags), http.StatusUnauthorized, codeUnauthorized)
	wantError(t, "JWT as key", client(t, tg, tg.Token, http.MethodGet, tags), http.StatusUnauthorized, codeUnauthorized)
	wantError(t, "forged JWT", mustDo(t, tg, adminRequest(forged, http.MethodGet, keysPath(tg), nil)),
		http.StatusUnauthorized, codeUnauthorized)
	wantError(t, "key as bearer", mustDo(t, tg, adminRequest(generated.Secret, http.MethodGet, keysPath(tg), nil)),
		http.StatusUnauthorized, codeUnauthorized)
	wantKey(t, "rename", updateKey(t, tg, generated.ID, map[string]any{"name": uniqueName(t, "renamed")}), http.StatusOK, false)
	wantKey(t, "revoke", updateKey(t, tg, generated.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
	wantError(t, "revoked key", client(t, tg, generated.Secret, http.MethodGet, tags), http.StatusUnauthorized, codeUnauthorized)
	wantJSON(t, "delete", admin(t, tg, http.MethodDelete, keysPath(tg, custom.ID), nil), http.StatusOK)

	sig := tg.Token[strings.LastIndexByte(tg.Token, '.')+1:]
	return []string{generated.Secret, custom.Secret, unknown, tg.Token, sig, forged}
}

// TestLogsHoldNoSecrets (SECURITY S14): the emulator's log never holds a
// key value or a JWT, good or bad.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	needLocal(t, "the emulator's log")
	var logs testsupport.SyncBuffer
	d := newDedicated(t, func(c *emulator.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	secrets := exerciseSecrets(t, d)
	d.close(t)
	out := logs.Bytes()
	if len(out) == 0 {
		t.Fatalf("the emulator logged nothing for a dozen requests; nothing to check")
	}
	for i, s := range secrets {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("secret #%d (of: generated key, custom key, unknown key, JWT, JWT signature, forged JWT) is in the log", i)
		}
	}
}

// TestStorageHoldsNoPlaintext (SECURITY S2): no key value or JWT is in the
// database files, WAL included, before or after closing.
func TestStorageHoldsNoPlaintext(t *testing.T) {
	t.Parallel()
	needLocal(t, "the emulator's database files")
	d := newDedicated(t, nil)
	secrets := exerciseSecrets(t, d)
	scan := func(when string) {
		entries, err := os.ReadDir(d.dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(d.dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range secrets[:4] { // the generated, custom and unknown keys, and the JWT
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("%s: file %s holds secret #%d in plain text", when, e.Name(), i)
				}
			}
		}
	}
	scan("while open")
	d.close(t)
	scan("after close")
}

// TestAuditTrail (SECURITY S10): create, rename, revoke and delete each leave
// one audit event, with the actor, the request id the client sent, the
// project and the remote address, and no secret.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	needLocal(t, "the emulator's audit log")
	d := newDedicated(t, nil)
	tg := *d.target
	tg.Token = d.mintToken(t, "developer", "auditor-"+randomAlnum(t, 6), 0)
	actor := jwtSubject(tg.Token)
	ids := make([]string, 4)
	for i := range ids {
		ids[i] = randomUUID(t)
	}
	send := func(i int, method, path string, body []byte) *Response {
		req := adminRequest(tg.Token, method, path, body)
		req.Header.Set("X-Request-ID", ids[i])
		return mustDo(t, &tg, req)
	}
	k := wantKey(t, "create", send(0, http.MethodPost, keysPath(&tg), mustJSON(t, map[string]any{"name": uniqueName(t, "audited")})),
		http.StatusCreated, true)
	if k.ID == "" {
		t.FailNow()
	}
	wantKey(t, "rename", send(1, http.MethodPut, keysPath(&tg, k.ID), mustJSON(t, map[string]any{"name": uniqueName(t, "renamed")})), http.StatusOK, false)
	wantKey(t, "revoke", send(2, http.MethodPut, keysPath(&tg, k.ID), []byte(`{"status":"revoked"}`)), http.StatusOK, false)
	wantJSON(t, "delete", send(3, http.MethodDelete, keysPath(&tg, k.ID), nil), http.StatusOK)

	events, err := d.emu.Audit(t.Context(), emulator.AuditFilter{})
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	var mine []emulator.AuditEvent
	for _, ev := range events {
		if ev.KeyID == k.ID {
			mine = append(mine, ev)
		}
		for _, f := range []string{ev.Actor, ev.Action, ev.KeyID, ev.Org, ev.Project, ev.RequestID, ev.RemoteAddr} {
			if strings.Contains(f, k.Secret) || strings.Contains(f, tg.Token) {
				t.Errorf("audit event %d holds a secret", ev.ID)
			}
		}
	}
	if len(mine) != 4 {
		t.Fatalf("%d audit events for the key, want 4 (create, rename, revoke, delete)", len(mine))
	}
	slices.SortFunc(mine, func(a, b emulator.AuditEvent) int { return int(a.ID - b.ID) })
	for i, ev := range mine {
		if ev.RequestID != ids[i] {
			t.Errorf("event %d: request id %q, want the one sent, %q", i, ev.RequestID, ids[i])
		}
		if ev.Actor != actor || ev.Org != "acme" || ev.Project != "web" {
			t.Errorf("event %d: actor %q org %q project %q, want %q acme web", i, ev.Actor, ev.Org, ev.Project, actor)
		}
		if ev.Action == "" || ev.RemoteAddr == "" || ev.Time.IsZero() {
			t.Errorf("event %d: action %q, remote address %q, time %v: want all set", i, ev.Action, ev.RemoteAddr, ev.Time)
		}
	}
	if mine[0].Action == mine[3].Action {
		t.Errorf("create and delete share the action %q", mine[0].Action)
	}
}
