package contract

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
)

func TestListShape(t *testing.T) {
	t.Parallel()
	createKey(t, target, uniqueName(t, "listed"))
	path := keysPath(target)
	p, ok := decodeList(t, "GET "+path, admin(t, target, http.MethodGet, path, nil))
	if !ok {
		return
	}
	if p.Limit != 20 {
		t.Errorf("default pagination.limit = %d, want 20", p.Limit)
	}
	if len(p.Items) == 0 || len(p.Items) > 20 {
		t.Errorf("default page holds %d keys, want 1 to 20", len(p.Items))
	}
	for i, it := range p.Items {
		k := checkKey(t, fmt.Sprintf("data[%d]", i), it, false)
		if k.ProjectID != "" && k.ProjectID != target.Project {
			t.Errorf("data[%d].projectId = %q, want %q", i, k.ProjectID, target.Project)
		}
	}
}

// createMany creates keys with the given names in org/project, concurrently
// (8 at a time), and returns them in the order of names.
func createMany(t *testing.T, tg *Target, org, project string, names []string) []Key {
	t.Helper()
	keys := make([]Key, len(names))
	bodies := make([][]byte, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	path := AdminPath(org, project, "api-keys")
	reqs := make([][]byte, len(names))
	for i, n := range names {
		reqs[i] = mustJSON(t, map[string]any{"name": n})
	}
	for i, n := range names {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if r := tryDo(t, tg, fmt.Sprintf("create %q", n), adminRequest(tg.Token, http.MethodPost, path, reqs[i]), http.StatusCreated); r != nil {
				bodies[i] = r.Body
			}
		})
	}
	wg.Wait()
	for i, b := range bodies {
		if b == nil {
			continue
		}
		registerCleanup(t, tg, tg.Token, org, project, b)
		keys[i] = checkKey(t, "create", decodeObject(t, "create", b), true)
	}
	if t.Failed() {
		t.FailNow()
	}
	return keys
}

func TestListPagination(t *testing.T) {
	t.Parallel()
	tg := scratchTarget(t)
	org, project := tg.Org, tg.Project
	path := AdminPath(org, project, "api-keys")
	exact := local != nil // the scratch project holds only this test's keys

	names := make([]string, 45)
	for i := range names {
		names[i] = uniqueName(t, fmt.Sprintf("page%02d", i))
	}
	keys := createMany(t, tg, org, project, names)
	mine := map[string]bool{}
	for _, k := range keys {
		mine[k.ID] = true
	}
	revoked := map[string]bool{}
	for _, k := range keys[:5] {
		wantKey(t, "revoke", updateKey(t, tg, k.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
		revoked[k.ID] = true
	}
	get := func(p string) *Response { return admin(t, tg, http.MethodGet, p, nil) }

	// visit walks path with query and checks that each of want is visited
	// exactly once, that no key shows up twice, that every item is a key
	// object of this project and that pagination.limit echoes the limit.
	visit := func(t *testing.T, query url.Values, want map[string]bool, wantSizes []int) []listPage {
		pages := walk(t, get, path, query)
		seen := map[string]int{}
		var sizes []int
		for _, p := range pages {
			sizes = append(sizes, len(p.Items))
			if l := query.Get("limit"); l != "" && fmt.Sprint(p.Limit) != l {
				t.Errorf("pagination.limit = %d, want %s", p.Limit, l)
			}
			for _, it := range p.Items {
				k := checkKey(t, "list item", it, false)
				seen[k.ID]++
				if st := query.Get("status"); st != "" && k.Status != st {
					t.Errorf("status=%s listed key %s with status %s", st, k.ID, k.Status)
				}
			}
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("key %s listed %d times", id, n)
			}
		}
		for id := range want {
			if seen[id] != 1 {
				t.Errorf("key %s listed %d times, want once", id, seen[id])
			}
		}
		if exact && wantSizes != nil && !slices.Equal(sizes, wantSizes) {
			t.Errorf("page sizes %v, want %v", sizes, wantSizes)
		}
		if len(pages) > 0 && pages[len(pages)-1].HasLastKey {
			t.Errorf("the last page has a lastKey")
		}
		return pages
	}
	active := map[string]bool{}
	for id := range mine {
		if !revoked[id] {
			active[id] = true
		}
	}

	t.Run("default limit", func(t *testing.T) {
		p, ok := decodeList(t, "GET "+path, get(path))
		if !ok {
			return
		}
		if p.Limit != 20 || len(p.Items) != 20 || !p.HasLastKey {
			t.Errorf("first page: limit %d, %d items, lastKey present %v; want 20, 20, true", p.Limit, len(p.Items), p.HasLastKey)
		}
	})
	t.Run("walk without limit", func(t *testing.T) {
		visit(t, url.Values{}, mine, []int{20, 20, 5})
	})
	t.Run("walk limit 20", func(t *testing.T) {
		visit(t, url.Values{"limit": {"20"}}, mine, []int{20, 20, 5})
	})
	t.Run("walk limit 15, an exact multiple", func(t *testing.T) {
		visit(t, url.Values{"limit": {"15"}}, mine, []int{15, 15, 15})
	})
	t.Run("walk limit 1", func(t *testing.T) {
		if !exact {
			t.Skip("one request per key is too many for a shared remote project")
		}
		want := make([]int, 45)
		for i := range want {
			want[i] = 1
		}
		visit(t, url.Values{"limit": {"1"}}, mine, want)
	})
	t.Run("limit 100 is one page", func(t *testing.T) {
		pages := visit(t, url.Values{"limit": {"100"}}, mine, []int{45})
		if exact && len(pages) != 1 {
			t.Errorf("limit=100 over 45 keys took %d pages", len(pages))
		}
	})
	t.Run("status revoked", func(t *testing.T) {
		visit(t, url.Values{"status": {"revoked"}}, revoked, []int{5})
	})
	t.Run("status active", func(t *testing.T) {
		visit(t, url.Values{"status": {"active"}}, active, []int{20, 20})
	})
	t.Run("status active with limit 7", func(t *testing.T) {
		visit(t, url.Values{"status": {"active"}, "limit": {"7"}}, active, []int{7, 7, 7, 7, 7, 5})
	})
	t.Run("limit above the maximum", func(t *testing.T) {
		// The contract sets a maximum of 100 without saying whether a larger
		// limit is refused or lowered: accept 400 BAD_REQUEST or a page
		// whose pagination.limit says 100.
		for _, l := range []string{"101", "1000", "2147483648"} {
			full := path + "?limit=" + l
			r := get(full)
			if r.StatusCode == http.StatusBadRequest {
				wantError(t, "GET "+full, r, http.StatusBadRequest, codeBadRequest)
				continue
			}
			p, ok := decodeList(t, "GET "+full, r)
			if !ok {
				continue
			}
			if p.Limit != 100 || len(p.Items) > 100 {
				t.Errorf("GET %s: pagination.limit %d with %d items; want 400, or the limit lowered to 100", full, p.Limit, len(p.Items))
			}
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		for _, q := range []string{"limit=0", "limit=-1", "limit=abc", "limit=1.5", "limit=1e2", "limit=%20", "status=paused", "status=deleted"} {
			full := path + "?" + q
			wantError(t, "GET "+full, get(full), http.StatusBadRequest, codeBadRequest)
		}
	})
}
