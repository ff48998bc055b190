package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// When the audit insert fails, the change it records is rolled back with it.
func TestAuditFailureRollsBack(t *testing.T) {
	h := newHarness(t)
	k := h.create("kept")
	if _, err := h.e.store.w.Exec(`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events
		BEGIN SELECT RAISE(ABORT, 'audit store unavailable (simulated)'); END`); err != nil {
		t.Fatal(err)
	}
	item := keysPath(testOrg, testProject) + "/" + k.ID
	ops := []struct {
		name   string
		method string
		path   string
		body   any
	}{
		{"create", "POST", keysPath(testOrg, testProject), map[string]string{"name": "never"}},
		{"rename", "PUT", item, map[string]string{"name": "renamed"}},
		{"revoke", "PUT", item, map[string]string{"status": "revoked"}},
		{"delete", "DELETE", item, nil},
	}
	for _, op := range ops {
		w := h.admin(op.method, op.path, op.body)
		expectError(t, w, http.StatusInternalServerError, "INTERNAL_ERROR")
		mustContain(t, w.Body.Bytes(), "simulated", false) // internals stay in the log
	}
	// The key is as it was, and nothing else exists.
	got := h.show(k.ID)
	if got.Name != "kept" || got.Status != "active" || got.UpdatedAt != k.UpdatedAt {
		t.Errorf("key changed without its audit row: %+v", got)
	}
	var n int
	if err := h.e.store.r.QueryRow(`SELECT COUNT(*) FROM api_keys`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d keys (%v)", n, err)
	}
	// The key still works: the failed revoke did not take effect.
	if w := h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key)); w.Code != 200 {
		t.Errorf("key after failed revoke: %d", w.Code)
	}
}

func TestAuditAppendOnly(t *testing.T) {
	h := newHarness(t)
	k := h.create("audited")
	h.revoke(k.ID)
	for _, stmt := range []string{
		`UPDATE audit_events SET actor = 'someone else'`,
		`DELETE FROM audit_events`,
		`DELETE FROM audit_events WHERE id = 1`,
	} {
		_, err := h.e.store.w.Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	ev, err := h.e.Audit(t.Context(), AuditFilter{})
	if err != nil || len(ev) != 2 || ev[0].Actor != "user-1" {
		t.Fatalf("audit after tampering attempts: %+v, %v", ev, err)
	}
}

// No key (or token) is stored in the audit trail.
func TestAuditHoldsNoSecret(t *testing.T) {
	h := newHarness(t)
	var secrets []string
	for i := 0; i < 5; i++ {
		k := h.create(fmt.Sprintf("k%d", i))
		secrets = append(secrets, k.Key)
		h.admin("PUT", keysPath(testOrg, testProject)+"/"+k.ID, map[string]string{"name": fmt.Sprintf("renamed %d", i), "status": "revoked"})
	}
	secrets = append(secrets, h.token)
	rows, err := h.e.store.r.Query(`SELECT * FROM audit_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	seen := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		seen++
		for _, v := range vals {
			s := fmt.Sprint(v)
			for _, sec := range secrets {
				if strings.Contains(s, sec) {
					t.Errorf("audit row holds a secret: %v", vals)
				}
			}
		}
	}
	if seen != 15 {
		t.Fatalf("%d audit rows, want 15 (create, rename, revoke per key)", seen)
	}
	ev, _ := h.e.Audit(t.Context(), AuditFilter{})
	if ev[1].Action != "rename" || !strings.Contains(ev[1].Detail, `"renamed 0"`) || ev[2].Action != "revoke" {
		t.Errorf("audit rows: %+v", ev[:3])
	}
}

// The trail in time order with key names on every row, and its filters.
func TestAuditOrderNamesAndFilters(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	a := h.create("alpha")
	h.admin("PUT", keysPath(testOrg, testProject)+"/"+a.ID, map[string]any{"name": "beta"})
	h.revoke(a.ID)
	g := h.create("gone")
	h.admin("DELETE", keysPath(testOrg, testProject)+"/"+g.ID, nil)
	// Seeded keys are created "in the past", after the rows above by id.
	if _, err := h.e.SeedKeys(ctx, testOrg, testProject, 3); err != nil {
		t.Fatal(err)
	}
	all, err := h.e.Audit(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Time.Before(all[i-1].Time) {
			t.Fatalf("not in time order at %d: %s after %s", i, all[i].Time, all[i-1].Time)
		}
	}
	if !strings.HasPrefix(all[0].KeyName, "bulk-key-") {
		t.Errorf("oldest event is of %q, want a seeded key (created a year back)", all[0].KeyName)
	}
	for _, ev := range all {
		if ev.KeyName == "" {
			t.Errorf("event %d has no key name", ev.ID)
		}
		if ev.KeyID == g.ID && ev.KeyName != "gone" {
			t.Errorf("deleted key's event named %q, want gone", ev.KeyName)
		}
		if ev.KeyID == a.ID && ev.KeyName != "beta" {
			t.Errorf("renamed key's event named %q, want its current name beta", ev.KeyName)
		}
	}
	count := func(f AuditFilter) int {
		t.Helper()
		ev, err := h.e.Audit(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		return len(ev)
	}
	for _, tc := range []struct {
		f    AuditFilter
		want int
	}{
		{AuditFilter{Key: a.ID}, 3},
		{AuditFilter{Key: strings.ToUpper(a.ID)}, 3},
		{AuditFilter{Key: "BETA"}, 3},
		{AuditFilter{Key: "gone"}, 2},
		{AuditFilter{Action: "revoke"}, 1},
		{AuditFilter{Action: "create"}, 5},
		{AuditFilter{Key: a.ID, Action: "rename"}, 1},
		{AuditFilter{Since: h.clock.Now().Add(-time.Minute)}, 5},
		{AuditFilter{Limit: 2}, 2},
	} {
		if got := count(tc.f); got != tc.want {
			t.Errorf("%+v: %d events, want %d", tc.f, got, tc.want)
		}
	}
	last2, _ := h.e.Audit(ctx, AuditFilter{Limit: 2})
	if last2[0].ID != all[len(all)-2].ID || last2[1].ID != all[len(all)-1].ID {
		t.Errorf("--limit 2 is not the newest two, oldest first")
	}
	if _, err := h.e.Audit(ctx, AuditFilter{Key: "no such key"}); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("unknown key: %v", err)
	}
}
