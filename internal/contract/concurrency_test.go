package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentCreateSameName: 100 simultaneous creates of one name give
// exactly one 201 and 99 409s, and one key of that name exists afterwards.
func TestConcurrentCreateSameName(t *testing.T) {
	t.Parallel()
	tg := scratchTarget(t)
	org, project := tg.Org, tg.Project
	name := uniqueName(t, "race")
	body := mustJSON(t, map[string]any{"name": name})
	path := AdminPath(org, project, "api-keys")

	const n = 100
	statuses := make([]int, n)
	codes := make([]string, n)
	var created [][]byte
	var mu sync.Mutex
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			r, err := tg.Do(t.Context(), adminRequest(tg.Token, http.MethodPost, path, body))
			if err != nil {
				t.Errorf("create %d: %v", i, err)
				return
			}
			statuses[i] = r.StatusCode
			switch r.StatusCode {
			case http.StatusCreated:
				mu.Lock()
				created = append(created, r.Body)
				mu.Unlock()
			case http.StatusConflict:
				if e, err := ParseError(r.Body); err == nil {
					codes[i] = e.Code
				} else {
					t.Errorf("create %d: 409 without the error envelope: %v", i, err)
				}
			default:
				t.Errorf("create %d: %s", i, describe(http.MethodPost, path, r))
			}
		})
	}
	close(start)
	wg.Wait()
	for _, b := range created {
		registerCleanup(t, tg, tg.Token, org, project, b)
	}

	var ok, conflict int
	for i, s := range statuses {
		switch s {
		case http.StatusCreated:
			ok++
		case http.StatusConflict:
			conflict++
			if !slices.Contains(nameTakenCodes(), codes[i]) {
				t.Errorf("create %d: 409 code %q, want %v", i, codes[i], nameTakenCodes())
			}
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Errorf("%d created and %d conflicts, want 1 and %d", ok, conflict, n-1)
	}

	same := 0
	for _, p := range walk(t, func(p string) *Response { return admin(t, tg, http.MethodGet, p, nil) }, path,
		map[string][]string{"limit": {"100"}}) {
		for _, it := range p.Items {
			if strings.EqualFold(strings.TrimSpace(memberString(it, "name")), name) {
				same++
			}
		}
	}
	if same != 1 {
		t.Errorf("%d keys named %q exist after the race, want 1", same, name)
	}
}

// TestConcurrentCreateAndRevoke: 50 clients each create a key and revoke it
// at the same time; every request succeeds (no 5xx, no busy database) and
// every key ends revoked.
func TestConcurrentCreateAndRevoke(t *testing.T) {
	t.Parallel()
	tg := scratchTarget(t)
	org, project := tg.Org, tg.Project
	path := AdminPath(org, project, "api-keys")

	const n = 50
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = mustJSON(t, map[string]any{"name": uniqueName(t, "churn")})
	}
	revokeBody := mustJSON(t, map[string]any{"status": "revoked"})
	created := make([][]byte, n)
	ids := make([]string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			r := tryDo(t, tg, fmt.Sprintf("create %d", i), adminRequest(tg.Token, http.MethodPost, path, bodies[i]), http.StatusCreated)
			if r == nil {
				return
			}
			created[i] = r.Body
			id := memberStringOf(r.Body, "id")
			ids[i] = id
			rp := AdminPath(org, project, "api-keys", id)
			tryDo(t, tg, fmt.Sprintf("revoke %d", i), adminRequest(tg.Token, http.MethodPut, rp, revokeBody), http.StatusOK)
		})
	}
	close(start)
	wg.Wait()
	for _, b := range created {
		if b != nil {
			registerCleanup(t, tg, tg.Token, org, project, b)
		}
	}
	for i, id := range ids {
		if id == "" {
			continue
		}
		if k := showKey(t, tg, id); k.Status != "revoked" {
			t.Errorf("key %d: status %s after a successful revoke", i, k.Status)
		}
	}
}

// TestRevokeUnderConcurrentUse (SECURITY S6): while clients use a key, it is
// revoked; no request sent after the revoke was acknowledged succeeds.
func TestRevokeUnderConcurrentUse(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "busy"))
	path := clientPath(target, "tags") + "?limit=1"

	const workers = 6
	var revoked atomic.Bool
	var successes atomic.Int64
	warm := make(chan struct{})
	var warmOnce sync.Once
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			after := 0
			for i := 0; i < 400 && after < 3; i++ {
				sentAfterRevoke := revoked.Load()
				r, err := target.Do(t.Context(), clientRequest(k.Secret, http.MethodGet, path))
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				switch r.StatusCode {
				case http.StatusOK:
					if sentAfterRevoke {
						t.Errorf("worker %d: 200 for a request sent after the revoke was acknowledged", w)
					}
					if successes.Add(1) >= 2*workers {
						warmOnce.Do(func() { close(warm) })
					}
				case http.StatusUnauthorized:
					if !revoked.Load() {
						// Only possible once the revoke is committed; the
						// acknowledgement may not have arrived yet.
						continue
					}
				default:
					t.Errorf("worker %d: %s", w, describe(http.MethodGet, path, r))
					return
				}
				if sentAfterRevoke {
					after++
				}
			}
		})
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-warm:
	case <-done:
		t.Fatalf("the workers stopped before the key was in use (%d successes)", successes.Load())
	}
	wantKey(t, "revoke", updateKey(t, target, k.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
	revoked.Store(true)
	<-done
}

// memberStringOf reads a string member of a JSON object body.
func memberStringOf(body []byte, name string) string {
	obj := map[string]any{}
	_ = json.Unmarshal(body, &obj)
	s, _ := obj[name].(string)
	return s
}
