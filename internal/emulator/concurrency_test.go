package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// post sends a JSON request through a real HTTP server (so requests truly run
// in parallel) and returns the status and body.
func post(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, string) {
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// 100 concurrent creates of one name: exactly one 201 and 99 409s.
func TestConcurrentSameName(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(h.e.Handler())
	defer srv.Close()
	srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = 100
	const n = 100
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Vary the case: uniqueness is case-insensitive.
			name := "Shared Name"
			if i%2 == 1 {
				name = "SHARED name"
			}
			code, body := post(t, srv, "POST", keysPath(testOrg, testProject), h.token, `{"name":"`+name+`"}`)
			statuses[i] = code
			if code == http.StatusConflict && !strings.Contains(body, "APIKEY_NAME_ALREADY_EXISTS") {
				t.Errorf("409 body %s", body)
			}
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[201] != 1 || count[409] != n-1 {
		t.Fatalf("statuses %v, want 1×201 and %d×409", count, n-1)
	}
	var rows int
	if err := h.e.store.r.QueryRow(`SELECT COUNT(*) FROM api_keys`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("%d keys stored (%v)", rows, err)
	}
}

// 50 concurrent creates and revokes, through two emulators on the same file as
// two processes would: no SQLITE_BUSY, no 5xx, every change audited.
func TestConcurrentWritersNoBusy(t *testing.T) {
	h := newHarness(t)
	e2, err := Open(context.Background(), Config{DBPath: h.e.dbPath, Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	servers := []*httptest.Server{httptest.NewServer(h.e.Handler()), httptest.NewServer(e2.Handler())}
	for _, s := range servers {
		defer s.Close()
	}
	const n = 50
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv := servers[i%2]
			code, body := post(t, srv, "POST", keysPath(testOrg, testProject), h.token, fmt.Sprintf(`{"name":"writer %d"}`, i))
			if code != http.StatusCreated {
				t.Errorf("create %d: %d %s", i, code, body)
				return
			}
			var id string
			if j := strings.Index(body, `"id":"`); j >= 0 {
				id = body[j+6 : j+6+36]
			}
			code, body = post(t, servers[(i+1)%2], "PUT", keysPath(testOrg, testProject)+"/"+id, h.token, `{"status":"revoked"}`)
			if code != http.StatusOK {
				t.Errorf("revoke %d: %d %s", i, code, body)
			}
		}()
	}
	wg.Wait()
	var keys, revoked, audits int
	if err := h.e.store.r.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'revoked') FROM api_keys`).Scan(&keys, &revoked); err != nil {
		t.Fatal(err)
	}
	if err := h.e.store.r.QueryRow(`SELECT COUNT(*) FROM audit_events`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if keys != n || revoked != n || audits != 2*n {
		t.Fatalf("%d keys, %d revoked, %d audit rows; want %d, %d, %d", keys, revoked, audits, n, n, 2*n)
	}
}
