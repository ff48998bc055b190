package emulator

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

func serve(t *testing.T, e *Emulator) (addr string, cancel context.CancelFunc, done chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- e.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String(), cancel, done
}

// On cancel the server stops accepting but finishes the request in flight.
func TestServeGracefulShutdown(t *testing.T) {
	h := newHarness(t)
	// The handler reports each request it starts: net/http drops a request
	// whose headers it finishes reading after the shutdown began, so the
	// request must be in the handler before the cancel.
	started := make(chan struct{}, 1)
	inner := h.e.handler
	h.e.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		inner.ServeHTTP(w, r)
	})
	addr, cancel, done := serve(t, h.e)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name":"in flight"}`
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		keysPath(testOrg, testProject), h.token, len(body), body[:5])

	// The request is in flight once the handler has it (it then waits for the
	// rest of the body). The timeout is a safety net only.
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the request never reached the handler")
	}

	cancel()
	// New connections are refused once the listener is closed.
	for {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(5 * time.Millisecond)
	}
	// The in-flight request completes.
	if _, err := io.WriteString(conn, body[5:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	done <- nil // for the cleanup
}

// A client that never finishes its headers is cut off.
func TestSlowHeadersCutOff(t *testing.T) {
	h := newHarness(t)
	h.e.timeouts.readHeader = 100 * time.Millisecond
	addr, _, _ := serve(t, h.e)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /api/v1/organizations/acme/projects/web/tags HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	// A safety net only: the server closes the connection long before.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a slow-header connection open")
	}
}

// Over a real connection: a 10 KiB header value gets the 401 (not 431), a 1 MiB
// body gets 413, 70 KiB of headers a JSON 431.
func TestServerLimits(t *testing.T) {
	h := newHarness(t)
	addr, _, _ := serve(t, h.e)
	req, _ := http.NewRequest("GET", "http://"+addr+clientPath(testOrg, testProject, "tags"), nil)
	req.Header.Set("X-Api-Key", strings.Repeat("k", 10<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !bytes.Equal(b, unauthorizedKeyBody) || h.e.keyLookups.Load() != 0 {
		t.Errorf("10 KiB key: %d %s, %d lookups", resp.StatusCode, b, h.e.keyLookups.Load())
	}

	req, _ = http.NewRequest("POST", "http://"+addr+keysPath(testOrg, testProject), strings.NewReader(`{"name":"`+strings.Repeat("a", 1<<20)+`"}`))
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(b), "PAYLOAD_TOO_LARGE") {
		t.Errorf("1 MiB body: %d %s", resp.StatusCode, b)
	}

	// Headers over 64 KiB: 431 in the error envelope, not net/http's plain text.
	req, _ = http.NewRequest("GET", "http://"+addr+keysPath(testOrg, testProject), nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("X-Padding", strings.Repeat("p", 70<<10))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 431 || !strings.Contains(string(b), `"code":"HEADERS_TOO_LARGE"`) ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || resp.Header.Get("X-Request-ID") == "" {
		t.Errorf("70 KiB of headers: %d %s %v", resp.StatusCode, b, resp.Header)
	}
}

func TestPanicRecovery(t *testing.T) {
	var logs testsupport.SyncBuffer
	h := newHarness(t, func(c *Config) { c.Logger = newTextLogger(&logs) })
	handler := h.e.middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	srv := &http.Server{Handler: handler}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/x", nil)
	req.Header.Set("X-Request-ID", "panic-req")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(b), `"INTERNAL_ERROR"`) || strings.Contains(string(b), "boom") {
		t.Errorf("panic answered %d %s", resp.StatusCode, b)
	}
	out := logs.String()
	if !strings.Contains(out, "boom") || !strings.Contains(out, "request_id=panic-req") || !strings.Contains(out, "status=500") {
		t.Errorf("panic not logged with its request id: %s", out)
	}
}

// One access-log line per request, with the key id when known and never a
// credential.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs testsupport.SyncBuffer
	h := newHarness(t, func(c *Config) { c.Logger = newTextLogger(&logs); c.RateLimit = 1000 })
	custom := "Distinctive_Custom_Key_Value_42"
	w := h.admin("POST", keysPath(testOrg, testProject), map[string]string{"name": "custom", "apiKey": custom})
	if w.Code != 201 {
		t.Fatal(w.Code)
	}
	ck := decode[keyJSON](t, w)
	k := h.create("generated")
	requests := 2
	for _, opt := range []reqOpt{withKey(k.Key), withKey(custom), withKey(k.Key[:20]), withKey(h.token)} {
		h.raw("GET", clientPath(testOrg, testProject, "tags"), "", opt, withHeader("X-Request-ID", fmt.Sprintf("req-%d", requests)))
		requests++
	}
	h.raw("GET", keysPath(testOrg, testProject), "", withBearer(h.token+"x"))
	h.revoke(ck.ID)
	h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(custom))
	requests += 3

	out := logs.String()
	for _, secret := range []string{k.Key, custom, h.token, k.Key[:20]} {
		if strings.Contains(out, secret) {
			t.Fatalf("a secret reached the log:\n%s", out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != requests {
		t.Fatalf("%d log lines for %d requests:\n%s", len(lines), requests, out)
	}
	for _, l := range lines {
		for _, f := range []string{"method=", "path=", "status=", "duration_ms=", "request_id=", "remote="} {
			if !strings.Contains(l, f) {
				t.Errorf("line lacks %s: %s", f, l)
			}
		}
	}
	if !strings.Contains(lines[2], "key_id="+k.ID) || !strings.Contains(lines[2], "status=200") || !strings.Contains(lines[2], "request_id=req-2") {
		t.Errorf("client call line: %s", lines[2])
	}
	if !strings.Contains(lines[0], "actor=user-1") || !strings.Contains(lines[0], "key_id="+ck.ID) {
		t.Errorf("create line: %s", lines[0])
	}
}
