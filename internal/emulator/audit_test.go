package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
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
	ev, err := h.e.Audit(t.Context())
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
	ev, _ := h.e.Audit(t.Context())
	if ev[1].Action != "rename" || !strings.Contains(ev[1].Detail, `"renamed 0"`) || ev[2].Action != "revoke" {
		t.Errorf("audit rows: %+v", ev[:3])
	}
}
