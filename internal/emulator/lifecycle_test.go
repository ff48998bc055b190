package emulator

import (
	"net/http"
	"regexp"
	"testing"
	"time"
)

var isoSecond = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestKeyLifecycle(t *testing.T) {
	for _, mem := range []bool{false, true} {
		name := "file"
		if mem {
			name = "memory"
		}
		t.Run(name, func(t *testing.T) {
			var h *harness
			if mem {
				h = newHarness(t, inMemory)
			} else {
				h = newHarness(t)
			}
			k := h.create("  iOS Production App ")
			if k.Name != "iOS Production App" {
				t.Errorf("name = %q, want trimmed", k.Name)
			}
			if !regexp.MustCompile(`^[A-Za-z0-9]{32}$`).MatchString(k.Key) {
				t.Errorf("key %q is not 32 Base62 characters", k.Key)
			}
			if k.Status != "active" || k.ProjectID != testProject || k.CreatedBy != "user-1" || k.LastUsed != nil {
				t.Errorf("unexpected key: %+v", k)
			}
			if !isoSecond.MatchString(k.CreatedAt) || k.CreatedAt != k.UpdatedAt || k.CreatedAt != "2025-03-20T10:00:00Z" {
				t.Errorf("timestamps: %q %q", k.CreatedAt, k.UpdatedAt)
			}

			// The key works on the client API and lastUsed shows it.
			w := h.raw("GET", clientPath(testOrg, testProject, "tags?limit=1"), "", withKey(k.Key))
			if w.Code != http.StatusOK {
				t.Fatalf("client call: %d %s", w.Code, w.Body.String())
			}
			got := h.show(k.ID)
			if got.LastUsed == nil || *got.LastUsed != "2025-03-20T10:00:00Z" {
				t.Errorf("lastUsed = %v", got.LastUsed)
			}
			if got.UpdatedAt != k.UpdatedAt {
				t.Errorf("lastUsed changed updatedAt: %q -> %q", k.UpdatedAt, got.UpdatedAt)
			}
			mustContain(t, h.admin("GET", keysPath(testOrg, testProject)+"/"+k.ID, nil).Body.Bytes(), `"key"`, false)

			// Revoke: effective at once, idempotent, permanent.
			h.clock.Advance(time.Hour)
			h.revoke(k.ID)
			w = h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key))
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("revoked key: %d", w.Code)
			}
			before := h.show(k.ID)
			h.clock.Advance(time.Hour)
			h.revoke(k.ID)
			after := h.show(k.ID)
			if before.UpdatedAt != after.UpdatedAt || after.Status != "revoked" {
				t.Errorf("second revoke changed the key: %+v -> %+v", before, after)
			}
			w = h.admin("PUT", keysPath(testOrg, testProject)+"/"+k.ID, map[string]string{"status": "active"})
			expectError(t, w, http.StatusUnprocessableEntity, "INVALID_STATUS_TRANSITION")

			// A revoked key can be renamed.
			w = h.admin("PUT", keysPath(testOrg, testProject)+"/"+k.ID, map[string]string{"name": "old iOS"})
			if w.Code != http.StatusOK || decode[keyJSON](t, w).Name != "old iOS" {
				t.Fatalf("rename revoked: %d %s", w.Code, w.Body.String())
			}

			// Delete.
			w = h.admin("DELETE", keysPath(testOrg, testProject)+"/"+k.ID, nil)
			if w.Code != http.StatusOK {
				t.Fatalf("delete: %d %s", w.Code, w.Body.String())
			}
			del := decode[map[string]string](t, w)
			if del["message"] != "API key successfully deleted" || del["id"] != k.ID {
				t.Errorf("delete body: %v", del)
			}
			w = h.admin("DELETE", keysPath(testOrg, testProject)+"/"+k.ID, nil)
			expectError(t, w, http.StatusNotFound, "APIKEY_NOT_FOUND")

			ev, err := h.e.Audit(t.Context(), AuditFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, a := range ev {
				actions = append(actions, a.Action)
				if a.KeyID != k.ID || a.Actor != "user-1" || a.Org != testOrg || a.Project != testProject || a.RequestID == "" || a.RemoteAddr == "" {
					t.Errorf("audit row: %+v", a)
				}
			}
			want := []string{"create", "revoke", "update", "rename", "delete"}
			if len(actions) != len(want) {
				t.Fatalf("audit actions = %v, want %v", actions, want)
			}
			for i := range want {
				if actions[i] != want[i] {
					t.Fatalf("audit actions = %v, want %v", actions, want)
				}
			}
		})
	}
}
