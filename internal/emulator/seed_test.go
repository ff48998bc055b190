package emulator

import (
	"context"
	"fmt"

	"net/http"
	"testing"
)

func TestSeedIdempotent(t *testing.T) {
	h := newHarness(t) // seeds acme/web once
	ctx := context.Background()
	again, err := h.e.Seed(ctx, testOrg, testProject)
	if err != nil {
		t.Fatal(err)
	}
	want := SeedResult{Org: testOrg, Project: testProject, Tags: 4, ContentTypes: 3, Published: 4, Drafts: 2}
	if again != want {
		t.Fatalf("second seed: %+v, want %+v", again, want)
	}
	// A second project in the same org reuses the org.
	other, err := h.e.Seed(ctx, testOrg, "mobile")
	if err != nil {
		t.Fatal(err)
	}
	if other.OrgCreated || !other.ProjectCreated || other.Tags != 4 {
		t.Fatalf("second project: %+v", other)
	}
	fresh, err := h.e.Seed(ctx, "globex", "site")
	if err != nil || !fresh.OrgCreated || !fresh.ProjectCreated {
		t.Fatalf("new org: %+v %v", fresh, err)
	}
	var tags, keys int
	if err := h.e.store.r.QueryRow(`SELECT COUNT(*) FROM tags`).Scan(&tags); err != nil || tags != 12 {
		t.Fatalf("%d tags in 3 projects (%v)", tags, err)
	}
	if err := h.e.store.r.QueryRow(`SELECT COUNT(*) FROM api_keys`).Scan(&keys); err != nil || keys != 0 {
		t.Fatalf("seeding made %d keys", keys)
	}
	for _, bad := range [][2]string{{"", "p"}, {"o", ""}, {"a/b", "p"}, {"o", "p q"}, {".hidden", "p"}, {"o", string(make([]byte, 65))}} {
		if _, err := h.e.Seed(ctx, bad[0], bad[1]); err == nil {
			t.Errorf("Seed(%q, %q) accepted", bad[0], bad[1])
		}
	}
	ok, err := h.e.OrgExists(ctx, "globex")
	if err != nil || !ok {
		t.Errorf("OrgExists(globex) = %v, %v", ok, err)
	}
	if ok, _ := h.e.OrgExists(ctx, "initech"); ok {
		t.Error("OrgExists(initech) = true")
	}
}

func TestSeedKeys(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.e.SeedKeys(ctx, testOrg, "missing", 10); err == nil {
		t.Fatal("seeded keys into a missing project")
	}
	if _, err := h.e.SeedKeys(ctx, testOrg, testProject, -1); err == nil {
		t.Fatal("negative count accepted")
	}
	n, err := h.e.SeedKeys(ctx, testOrg, testProject, 250)
	if err != nil || n != 250 {
		t.Fatalf("SeedKeys: %d, %v", n, err)
	}
	n, err = h.e.SeedKeys(ctx, testOrg, testProject, 5)
	if err != nil || n != 5 {
		t.Fatalf("second SeedKeys: %d, %v", n, err)
	}
	// They list through the API in order, numbering continued.
	var all []keyJSON
	cursor := ""
	for {
		url := keysPath(testOrg, testProject) + "?limit=100"
		if cursor != "" {
			url += "&lastKey=" + cursor
		}
		w := h.admin("GET", url, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("list: %d", w.Code)
		}
		l := decode[listJSON](t, w)
		all = append(all, l.Data...)
		if l.Pagination.LastKey == nil {
			break
		}
		cursor = *l.Pagination.LastKey
	}
	names := map[string]bool{}
	for _, k := range all {
		names[k.Name] = true
	}
	for i := 1; i <= 255; i++ {
		if !names[fmt.Sprintf("bulk-key-%05d", i)] {
			t.Fatalf("bulk-key-%05d missing from %d keys", i, len(all))
		}
	}
	if len(all) != 255 {
		t.Fatalf("%d keys listed, want 255", len(all))
	}
	revoked, used := 0, 0
	for i, k := range all {
		if k.Status == "revoked" {
			revoked++
		}
		if k.LastUsed != nil {
			used++
			if *k.LastUsed < k.CreatedAt {
				t.Errorf("key %d used before it was created", i)
			}
		}
		if i > 0 && k.CreatedAt < all[i-1].CreatedAt {
			t.Errorf("keys out of order at %d", i)
		}
	}
	if revoked == 0 || revoked == len(all) || used == 0 || used == len(all) {
		t.Errorf("no spread: %d revoked, %d used of %d", revoked, used, len(all))
	}
	ev, _ := h.e.Audit(ctx, AuditFilter{})
	if len(ev) != 255 || ev[0].Actor != "emulator-seed" || ev[0].Action != "create" {
		t.Errorf("%d audit rows; first %+v", len(ev), ev[0])
	}
	// The names are taken like any other.
	w := h.admin("POST", keysPath(testOrg, testProject), map[string]string{"name": "BULK-KEY-00001"})
	expectError(t, w, http.StatusConflict, "APIKEY_NAME_ALREADY_EXISTS")

}
