package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// captureProxy is a forward proxy that forwards nothing: it records every
// request that reaches it and answers 502.
type captureProxy struct {
	mu   sync.Mutex
	seen []string
	srv  *httptest.Server
}

func (cp *captureProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cp.mu.Lock()
	cp.seen = append(cp.seen, r.Method+" "+r.URL.String())
	cp.mu.Unlock()
	http.Error(w, "capture proxy: not forwarded", http.StatusBadGateway)
}

// captureProxies holds each script's proxy, by its $WORK (commands cannot
// add to a script's Values).
var captureProxies sync.Map

// capproxy start VAR | [!] capproxy count N: start a capturing proxy, put its
// URL in VAR (use it as HTTP_PROXY / HTTPS_PROXY) and the emulator's port in
// EMULATOR_PORT; require that exactly N requests (with !: any other number)
// reached it so far.
func cmdCaptureProxy(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg && args[0] != "count" {
		ts.Fatalf("usage: capproxy start VAR | [!] capproxy count N")
	}
	switch args[0] {
	case "start":
		cp := &captureProxy{}
		cp.srv = httptest.NewServer(cp)
		ts.Defer(cp.srv.Close)
		ts.Defer(func() { captureProxies.Delete(ts.Getenv("WORK")) })
		captureProxies.Store(ts.Getenv("WORK"), cp)
		ts.Setenv(args[1], cp.srv.URL)
		u, err := url.Parse(ts.Getenv("EMULATOR_URL"))
		ts.Check(err)
		ts.Setenv("EMULATOR_PORT", u.Port())
	case "count":
		v, _ := captureProxies.Load(ts.Getenv("WORK"))
		cp, _ := v.(*captureProxy)
		if cp == nil {
			ts.Fatalf("capproxy: not started")
		}
		want, err := strconv.Atoi(args[1])
		if err != nil {
			ts.Fatalf("capproxy: bad count %q", args[1])
		}
		cp.mu.Lock()
		seen := append([]string(nil), cp.seen...)
		cp.mu.Unlock()
		switch {
		case !neg && len(seen) != want:
			ts.Fatalf("the proxy saw %d requests, want %d: %q", len(seen), want, seen)
		case neg && len(seen) == want:
			ts.Fatalf("the proxy saw %d requests, want another number", want)
		}
	default:
		ts.Fatalf("usage: capproxy start VAR | capproxy count N")
	}
}
