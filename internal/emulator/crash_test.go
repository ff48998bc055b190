package emulator

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashHelperEnv, when set to a database path, turns the test binary into the
// crash test's writer process.
const crashHelperEnv = "MB_EMULATOR_CRASH_HELPER"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashHelperEnv); path != "" {
		os.Exit(crashHelper(path))
	}
	os.Exit(m.Run())
}

// crashHelper creates and revokes keys in a loop until it is killed, printing
// "created ID" and "revoked ID" once each change is acknowledged (the API
// answered success).
func crashHelper(path string) int {
	ctx := context.Background()
	e, err := Open(ctx, Config{DBPath: path, LastUsedResolution: time.Minute})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 2
	}
	if _, err := e.Seed(ctx, testOrg, testProject); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		return 2
	}
	tok, err := e.MintToken(TokenRequest{Org: testOrg, Subject: "crash"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		return 2
	}
	do := func(method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tok)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		e.Handler().ServeHTTP(w, r)
		return w
	}
	for i := 0; ; i++ {
		w := do("POST", keysPath(testOrg, testProject), fmt.Sprintf(`{"name":"crash %d %d"}`, os.Getpid(), i))
		if w.Code != http.StatusCreated {
			fmt.Fprintln(os.Stderr, "create:", w.Code, w.Body.String())
			return 1
		}
		var id string
		if j := strings.Index(w.Body.String(), `"id":"`); j >= 0 {
			id = w.Body.String()[j+6 : j+6+36]
		}
		fmt.Println("created", id)
		w = do("PUT", keysPath(testOrg, testProject)+"/"+id, `{"status":"revoked"}`)
		if w.Code != http.StatusOK {
			fmt.Fprintln(os.Stderr, "revoke:", w.Code, w.Body.String())
			return 1
		}
		fmt.Println("revoked", id)
	}
}

// SIGKILL a writer in the middle of its create/revoke loop, again and again, on
// one database: it must pass integrity_check, hold every acknowledged key and
// revocation, and have an audit row for each. MB_CRASH_RUNS sets the number of
// runs (default 20).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	runs := 20
	if v := os.Getenv("MB_CRASH_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("MB_CRASH_RUNS=%q", v)
		}
		runs = n
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	created := map[string]bool{}
	revoked := map[string]bool{}
	for run := 0; run < runs; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashHelperEnv+"="+path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killAfter := 1 + rand.IntN(25) // acknowledged revokes before the kill
		sc := bufio.NewScanner(out)
		acks, killed := 0, false
		for sc.Scan() {
			kind, id, _ := strings.Cut(sc.Text(), " ")
			switch kind {
			case "created":
				created[id] = true
			case "revoked":
				revoked[id] = true
				acks++
			}
			if !killed && acks >= killAfter {
				// Land the kill at a random point of the next create or revoke.
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err = cmd.Wait()
		if !killed {
			t.Fatalf("run %d: the writer stopped by itself (%v): %s", run, err, stderr.String())
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: writer ended with %v, not SIGKILL: %s", run, err, stderr.String())
		}
		checkCrashInvariants(t, path, created, revoked)
	}
	if len(revoked) < runs {
		t.Fatalf("only %d acknowledged revokes over %d runs", len(revoked), runs)
	}
	t.Logf("%d runs, %d acknowledged creates, %d acknowledged revokes survived", runs, len(created), len(revoked))
}

func checkCrashInvariants(t *testing.T, path string, created, revoked map[string]bool) {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q (%v)", integrity, err)
	}
	var unaudited, unauditedRevokes int
	if err := db.QueryRow(`SELECT COUNT(*) FROM api_keys k WHERE NOT EXISTS
		(SELECT 1 FROM audit_events a WHERE a.key_id = k.id AND a.action = 'create')`).Scan(&unaudited); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM api_keys k WHERE k.status = 'revoked' AND NOT EXISTS
		(SELECT 1 FROM audit_events a WHERE a.key_id = k.id AND a.action = 'revoke')`).Scan(&unauditedRevokes); err != nil {
		t.Fatal(err)
	}
	if unaudited != 0 || unauditedRevokes != 0 {
		t.Fatalf("%d keys without a create audit row, %d revoked keys without a revoke row", unaudited, unauditedRevokes)
	}
	for id := range created {
		var status string
		if err := db.QueryRow(`SELECT status FROM api_keys WHERE id = ?`, id).Scan(&status); err != nil {
			t.Fatalf("acknowledged key %s lost: %v", id, err)
		}
		if revoked[id] && status != "revoked" {
			t.Fatalf("acknowledged revoke of %s lost: status %s", id, status)
		}
	}
}
