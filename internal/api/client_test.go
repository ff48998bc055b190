package api

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestNewValidatesBaseURL(t *testing.T) {
	tests := []struct {
		name      string
		url       string
		allowHTTP bool
		want      string   // the accepted base URL
		wantErr   []string // substrings of the ConfigError
	}{
		{name: "https", url: "https://api.metabind.ai", want: "https://api.metabind.ai"},
		{name: "trailing slash", url: "https://api.metabind.ai/", want: "https://api.metabind.ai"},
		{name: "path prefix", url: "https://gw.example.com/metabind/", want: "https://gw.example.com/metabind"},
		{name: "upper-case scheme", url: "HTTPS://api.metabind.ai", want: "https://api.metabind.ai"},
		{name: "http loopback v4", url: "http://127.0.0.1:8787/", want: "http://127.0.0.1:8787"},
		{name: "http loopback 127/8", url: "http://127.5.6.7", want: "http://127.5.6.7"},
		{name: "http localhost", url: "http://localhost:8787", want: "http://localhost:8787"},
		{name: "http loopback v6", url: "http://[::1]:8787", want: "http://[::1]:8787"},
		{name: "http allowed", url: "http://emulator:8787", allowHTTP: true, want: "http://emulator:8787"},
		{name: "http non-loopback", url: "http://api.example.com", wantErr: []string{"api.example.com", "use https", "--allow-http", "MB_ALLOW_HTTP=1"}},
		{name: "http lookalike", url: "http://localhost.example.com", wantErr: []string{"use https"}},
		{name: "http 128", url: "http://128.0.0.1", wantErr: []string{"use https"}},
		{name: "http localhost rooted", url: "http://localhost.:8787", wantErr: []string{"localhost.:8787", "use https", "--allow-http"}},
		{name: "http localhost upper case", url: "http://LOCALHOST:8787", wantErr: []string{"use https"}},
		{name: "http localhost mixed case", url: "http://LocalHost:8787", wantErr: []string{"use https"}},
		{name: "http loopback v6 zoned", url: "http://[::1%25lo]:8787", wantErr: []string{"use https"}},
		{name: "http loopback v4-mapped v6", url: "http://[::ffff:127.0.0.1]:8787", want: "http://[::ffff:127.0.0.1]:8787"},
		{name: "http name resolving to loopback", url: "http://localtest.me:8787", wantErr: []string{"use https"}},
		{name: "http localhost rooted allowed", url: "http://localhost.:8787", allowHTTP: true, want: "http://localhost.:8787"},
		{name: "empty", url: "  ", wantErr: []string{"no API URL"}},
		{name: "host:port without a scheme", url: "127.0.0.1:8787", wantErr: []string{"starting with https://", "http:// for a local emulator"}},
		{name: "no scheme at all", url: "://x", wantErr: []string{"starting with https://"}},
		{name: "port out of range", url: "http://127.0.0.1:99999", wantErr: []string{"port must be a number from 1 to 65535"}},
		{name: "port zero", url: "http://127.0.0.1:0", wantErr: []string{"port must be"}},
		{name: "no scheme", url: "api.metabind.ai", wantErr: []string{"https://"}},
		{name: "ftp", url: "ftp://api.metabind.ai", wantErr: []string{"https://"}},
		{name: "no host", url: "https://", wantErr: []string{"no host"}},
		{name: "user info", url: "https://user:hunter2pass@api.metabind.ai", wantErr: []string{"user name or password"}},
		{name: "query", url: "https://api.metabind.ai?x=1", wantErr: []string{"query"}},
		{name: "fragment", url: "https://api.metabind.ai#top", wantErr: []string{"fragment"}},
		{name: "unparsable", url: "https://api.metabind.ai:port", wantErr: []string{"invalid API URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Options{BaseURL: tt.url, AllowHTTP: tt.allowHTTP})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("New(%q): %v", tt.url, err)
				}
				if c.BaseURL() != tt.want {
					t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), tt.want)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("New(%q) error = %v (%T), want *ConfigError", tt.url, err, err)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "hunter2pass") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestNewRefusesHTTPBeforeDialing(t *testing.T) {
	var roundTrips atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		roundTrips.Add(1)
		return nil, errors.New("must not be called")
	})}
	c, err := New(Options{BaseURL: "http://api.metabind.ai", Token: testJWT, HTTPClient: hc})
	var ce *ConfigError
	if !errors.As(err, &ce) || c != nil {
		t.Fatalf("New = %v, %v; want nil and a *ConfigError", c, err)
	}
	if n := roundTrips.Load(); n != 0 {
		t.Errorf("%d round trips before refusing", n)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewRejectsBadOptions(t *testing.T) {
	_, err := New(Options{BaseURL: "https://api.metabind.ai", Timeout: -time.Second})
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Errorf("negative timeout: err = %v, want *ConfigError", err)
	}
	_, err = New(Options{BaseURL: "https://api.metabind.ai", Token: testJWT + "\n"})
	if !errors.As(err, &ce) {
		t.Fatalf("token with a newline: err = %v, want *ConfigError", err)
	}
	assertNoSecrets(t, "error", err.Error())
}

func TestTransportSettings(t *testing.T) {
	for _, tc := range []struct {
		timeout    time.Duration
		headerWait time.Duration
	}{{0, 30 * time.Second}, {5 * time.Second, 5 * time.Second}, {2 * time.Minute, 30 * time.Second}} {
		c, err := New(Options{BaseURL: "https://api.metabind.ai", Timeout: tc.timeout})
		if err != nil {
			t.Fatal(err)
		}
		tr, ok := c.rc.GetClient().Transport.(*http.Transport)
		if !ok {
			t.Fatalf("transport is %T", c.rc.GetClient().Transport)
		}
		if tr.ResponseHeaderTimeout != tc.headerWait {
			t.Errorf("timeout %s: ResponseHeaderTimeout = %s, want %s", tc.timeout, tr.ResponseHeaderTimeout, tc.headerWait)
		}
		if tr.TLSHandshakeTimeout != 10*time.Second || tr.Proxy == nil || tr.DialContext == nil || tr.DisableKeepAlives {
			t.Errorf("transport lacks its timeouts, proxy or keep-alive: %+v", tr)
		}
		wantTimeout := tc.timeout
		if wantTimeout == 0 {
			wantTimeout = DefaultTimeout
		}
		if c.timeout != wantTimeout {
			t.Errorf("client timeout = %s, want %s", c.timeout, wantTimeout)
		}
	}
}

func TestRequestHeadersAndPaths(t *testing.T) {
	type seen struct {
		method, path, query string
		header              http.Header
		body                string
	}
	var (
		mu   sync.Mutex
		reqs []seen
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(b)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(keyJSON))
		default:
			if strings.HasSuffix(r.URL.Path, "/api-keys") {
				_, _ = w.Write([]byte(`{"data":[` + keyJSON + `],"pagination":{"limit":5}}`))
				return
			}
			_, _ = w.Write([]byte(keyJSON))
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	ctx := context.Background()
	org, project, id := "a b/c", "p%q", "k/1"

	if _, err := c.ListKeys(ctx, org, project, ListOptions{Status: "active", Limit: 5, LastKey: "cur sor"}); err != nil {
		t.Fatalf("ListKeys: %v", err)
	}
	if _, err := c.GetKey(ctx, org, project, id); err != nil {
		t.Fatalf("GetKey: %v", err)
	}
	if _, err := c.CreateKey(ctx, org, project, CreateKeyRequest{Name: "ci"}); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	revoked := "revoked"
	if _, err := c.UpdateKey(ctx, org, project, id, UpdateKeyRequest{Status: &revoked}); err != nil {
		t.Fatalf("UpdateKey: %v", err)
	}
	if err := c.DeleteKey(ctx, org, project, id); err != nil {
		t.Fatalf("DeleteKey: %v", err)
	}

	const keys = "/app/v1/organizations/a%20b%2Fc/projects/p%25q/api-keys"
	want := []struct{ method, path, body string }{
		{"GET", keys, ""},
		{"GET", keys + "/k%2F1", ""},
		{"POST", keys, `{"name":"ci"}`},
		{"PUT", keys + "/k%2F1", `{"status":"revoked"}`},
		{"DELETE", keys + "/k%2F1", ""},
	}
	if len(reqs) != len(want) {
		t.Fatalf("server saw %d requests, want %d", len(reqs), len(want))
	}
	ids := map[string]bool{}
	for i, w := range want {
		r := reqs[i]
		if r.method != w.method || r.path != w.path || r.body != w.body {
			t.Errorf("request %d = %s %s %q, want %s %s %q", i, r.method, r.path, r.body, w.method, w.path, w.body)
		}
		if got := r.header.Get("Authorization"); got != "Bearer "+testJWT {
			t.Errorf("%s: Authorization = %q", r.method, got)
		}
		if r.header.Get("x-api-key") != "" {
			t.Errorf("%s: admin call sent x-api-key", r.method)
		}
		if got := r.header.Get("Accept"); got != "application/json" {
			t.Errorf("%s: Accept = %q", r.method, got)
		}
		if got := r.header.Get("User-Agent"); got != "metabind/test" {
			t.Errorf("%s: User-Agent = %q", r.method, got)
		}
		rid := r.header.Get("X-Request-ID")
		if u, err := uuid.Parse(rid); err != nil || u.Version() != 4 {
			t.Errorf("%s: X-Request-ID %q is not a UUID v4", r.method, rid)
		}
		if ids[rid] {
			t.Errorf("X-Request-ID %q reused", rid)
		}
		ids[rid] = true
		hasBody := w.body != ""
		if ct := r.header.Get("Content-Type"); hasBody != (ct == "application/json") {
			t.Errorf("%s: Content-Type = %q", r.method, ct)
		}
		if ik := r.header.Get("Idempotency-Key"); (r.method == "POST") != (ik != "") {
			t.Errorf("%s: Idempotency-Key = %q", r.method, ik)
		}
	}
	q, _ := url.ParseQuery(reqs[0].query)
	if q.Get("status") != "active" || q.Get("limit") != "5" || q.Get("lastKey") != "cur sor" || q.Has("page") {
		t.Errorf("list query = %q", reqs[0].query)
	}
}

func TestInvalidPathSegmentsRefused(t *testing.T) {
	srv := newScriptServer(t, keyJSON, 200)
	c, _ := newTestClient(t, srv.URL)
	ctx := context.Background()
	for _, args := range [][3]string{{"", "web", "k"}, {"acme", "", "k"}, {"acme", "web", ""}, {"..", "web", "k"}, {"acme", ".", "k"}, {"acme", "web", ".."}} {
		if _, err := c.GetKey(ctx, args[0], args[1], args[2]); err == nil {
			t.Errorf("GetKey(%q) succeeded", args)
		}
	}
	if _, err := c.CheckKey(ctx, "..", "web", testAPIKey); err == nil {
		t.Errorf("CheckKey with a dot segment succeeded")
	}
	if n := srv.hits.Load(); n != 0 {
		t.Errorf("server hit %d times", n)
	}
}

func TestCrossOriginRedirectRefused(t *testing.T) {
	var bHits atomic.Int32
	var bCreds atomic.Value
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bHits.Add(1)
		bCreds.Store(r.Header.Get("Authorization") + r.Header.Get("x-api-key"))
		_, _ = w.Write([]byte(keyJSON))
	}))
	defer b.Close()
	var aHits atomic.Int32
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		aHits.Add(1)
		http.Redirect(w, r, b.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer a.Close()

	c, _ := newTestClient(t, a.URL)
	_, err := c.GetKey(context.Background(), "acme", "web", keyID)
	if err == nil || !strings.Contains(err.Error(), "refusing to follow a redirect") {
		t.Errorf("GetKey error = %v, want a refused redirect", err)
	}
	res, err := c.CheckKey(context.Background(), "acme", "web", testAPIKey)
	if err == nil || res != nil {
		t.Errorf("CheckKey = %+v, %v; want a refused redirect error", res, err)
	}
	if err != nil {
		assertNoSecrets(t, "error", err.Error())
	}
	if n := bHits.Load(); n != 0 {
		t.Errorf("the other origin was contacted %d times (credentials %q)", n, bCreds.Load())
	}
	if n := aHits.Load(); n != 2 {
		t.Errorf("origin hit %d times, want 2 (a refused redirect is not retried)", n)
	}
}

func TestSameOriginRedirectFollowed(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/moved") {
			http.Redirect(w, r, "/moved"+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		auth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(keyJSON))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	k, err := c.GetKey(context.Background(), "acme", "web", keyID)
	if err != nil || k.ID != keyID {
		t.Fatalf("GetKey = %+v, %v", k, err)
	}
	if got, _ := auth.Load().(string); got != "Bearer "+testJWT {
		t.Errorf("Authorization after a same-origin redirect = %q", got)
	}
}

func TestHTTPSDowngradeRedirectRefused(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { plainHits.Add(1) }))
	defer plain.Close()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.HTTPClient = srv.Client() })
	_, err := c.GetKey(context.Background(), "acme", "web", keyID)
	if err == nil || !strings.Contains(err.Error(), "downgrade https") {
		t.Errorf("error = %v, want a refused downgrade", err)
	}
	if plainHits.Load() != 0 {
		t.Errorf("the http server was contacted")
	}
}

func TestLoopbackNeverProxied(t *testing.T) {
	// NO_PROXY empty and a proxy for both schemes: only the loopback rule keeps
	// these requests direct.
	setProxyEnv(t, "http://proxy.internal:3128", "http://proxy.internal:3128", "")
	proxy := proxyFromEnvironment()
	for target, want := range map[string]string{
		"http://127.0.0.1:8787/app/v1":             "",
		"http://127.200.1.1/app/v1":                "",
		"http://localhost:8787/app/v1":             "",
		"http://[::1]:8787/app/v1":                 "",
		"http://[::ffff:127.0.0.1]:8787/app/v1":    "",
		"http://localhost.:8787/app/v1":            "http://proxy.internal:3128",
		"http://LOCALHOST:8787/app/v1":             "http://proxy.internal:3128", // not exactly "localhost"
		"http://api.metabind.test/app/v1":          "http://proxy.internal:3128",
		"https://api.metabind.test/app/v1":         "http://proxy.internal:3128",
		"http://localhost.example.com:8787/app/v1": "http://proxy.internal:3128",
	} {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		u, err := proxy(req)
		if err != nil {
			t.Fatalf("proxy(%s): %v", target, err)
		}
		got := ""
		if u != nil {
			got = u.String()
		}
		if got != want {
			t.Errorf("proxy(%s) = %q, want %q", target, got, want)
		}
	}
}

// setProxyEnv sets the proxy variables (both spellings) for one test.
func setProxyEnv(t *testing.T, httpProxy, httpsProxy, noProxy string) {
	for _, kv := range [][2]string{{"HTTP_PROXY", httpProxy}, {"HTTPS_PROXY", httpsProxy}, {"NO_PROXY", noProxy}, {"REQUEST_METHOD", ""}} {
		t.Setenv(kv[0], kv[1])
		t.Setenv(strings.ToLower(kv[0]), kv[1])
	}
}

func TestProxyFromEnvironmentHTTP(t *testing.T) {
	var proxied atomic.Value
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Store(r.Method + " " + r.URL.String())
		_, _ = w.Write([]byte(keyJSON))
	}))
	defer proxy.Close()
	setProxyEnv(t, proxy.URL, "", "")

	c, _ := newTestClient(t, "http://api.metabind.test", func(o *Options) { o.AllowHTTP = true })
	k, err := c.GetKey(context.Background(), "acme", "web", keyID)
	if err != nil || k.ID != keyID {
		t.Fatalf("GetKey through the proxy = %+v, %v", k, err)
	}
	want := "GET http://api.metabind.test/app/v1/organizations/acme/projects/web/api-keys/" + keyID
	if got, _ := proxied.Load().(string); got != want {
		t.Errorf("proxy saw %q, want %q", got, want)
	}
}

func TestProxyFromEnvironmentHTTPSConnect(t *testing.T) {
	var backendAuth atomic.Value
	backend := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		backendAuth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(keyJSON))
	}))
	defer backend.Close()

	var (
		connectTarget atomic.Value
		connsMu       sync.Mutex
		conns         []net.Conn
	)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			t.Errorf("proxy got %s, want CONNECT", r.Method)
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		connectTarget.Store(r.Host)
		up, err := net.Dial("tcp", backend.Listener.Addr().String())
		if err != nil {
			t.Errorf("dial backend: %v", err)
			http.Error(w, "no backend", http.StatusBadGateway)
			return
		}
		down, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		connsMu.Lock()
		conns = append(conns, up, down)
		connsMu.Unlock()
		_, _ = down.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { _, _ = io.Copy(up, buf); _ = up.Close() }()
		go func() { _, _ = io.Copy(down, up); _ = down.Close() }()
	}))
	defer proxy.Close()
	defer func() {
		connsMu.Lock()
		defer connsMu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	setProxyEnv(t, "", proxy.URL, "")

	c, _ := newTestClient(t, "https://api.metabind.test")
	tr := c.rc.GetClient().Transport.(*http.Transport)
	pool := x509.NewCertPool()
	pool.AddCert(backend.Certificate())
	tr.TLSClientConfig.RootCAs = pool
	tr.TLSClientConfig.ServerName = "example.com" // a name in httptest's certificate

	k, err := c.GetKey(context.Background(), "acme", "web", keyID)
	if err != nil || k.ID != keyID {
		t.Fatalf("GetKey through the CONNECT proxy = %+v, %v", k, err)
	}
	if got, _ := connectTarget.Load().(string); got != "api.metabind.test:443" {
		t.Errorf("proxy CONNECT target = %q", got)
	}
	if got, _ := backendAuth.Load().(string); got != "Bearer "+testJWT {
		t.Errorf("backend Authorization = %q", got)
	}
}

func TestProxyEnvironmentReadAtNew(t *testing.T) {
	setProxyEnv(t, "", "http://proxy.internal:3128", "api.metabind.test")
	c, _ := newTestClient(t, "https://api.metabind.ai")
	tr := c.rc.GetClient().Transport.(*http.Transport)
	for target, want := range map[string]string{
		"https://api.metabind.ai/app/v1":   "http://proxy.internal:3128",
		"https://api.metabind.test/app/v1": "", // NO_PROXY
		"https://127.0.0.1:8787/app/v1":    "", // loopback is never proxied
		"http://localhost:8787/app/v1":     "",
		"https://[::1]:8787/app/v1":        "",
		"https://localhost.:8787/app/v1":   "http://proxy.internal:3128", // not loopback: resolved like any name
		"http://api.metabind.ai/app/v1":    "",                           // no HTTP_PROXY
	} {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		u, err := tr.Proxy(req)
		if err != nil {
			t.Fatalf("Proxy(%s): %v", target, err)
		}
		got := ""
		if u != nil {
			got = u.String()
		}
		if got != want {
			t.Errorf("Proxy(%s) = %q, want %q", target, got, want)
		}
	}
	// A later change of the environment reaches a new client.
	setProxyEnv(t, "", "", "")
	c2, _ := newTestClient(t, "https://api.metabind.ai")
	req, _ := http.NewRequest(http.MethodGet, "https://api.metabind.ai/app/v1", nil)
	if u, _ := c2.rc.GetClient().Transport.(*http.Transport).Proxy(req); u != nil {
		t.Errorf("proxy %s used after HTTPS_PROXY was cleared", u)
	}
}

func TestPaginationReusesOneConnection(t *testing.T) {
	var newConns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := map[string]string{"": "c1", "c1": "c2", "c2": ""}[r.URL.Query().Get("lastKey")]
		body := map[string]any{"data": []json.RawMessage{json.RawMessage(keyJSONWithID("k-" + r.URL.Query().Get("lastKey")))}, "pagination": map[string]any{"limit": 1, "lastKey": next}}
		_ = json.NewEncoder(w).Encode(body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			newConns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	keys, err := c.ListAllKeys(context.Background(), "acme", "web", ListOptions{Limit: 1}, nil)
	if err != nil || len(keys) != 3 {
		t.Fatalf("ListAllKeys = %d keys, %v", len(keys), err)
	}
	if n := newConns.Load(); n != 1 {
		t.Errorf("%d connections for 3 pages, want 1", n)
	}
}

func keyJSONWithID(id string) string {
	return strings.Replace(keyJSON, keyID, id, 1)
}

func TestDescribeTransport(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{refused, "connection refused"},
		{reset, "the connection was reset"},
		{&net.DNSError{Err: "no such host", Name: "api.example.invalid", Server: "10.0.0.53:53", IsNotFound: true}, `the host name "api.example.invalid" does not resolve (no such host)`},
		{fmt.Errorf("reading: %w", io.EOF), "the server closed the connection without a complete answer"},
		{io.ErrUnexpectedEOF, "the server closed the connection without a complete answer"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, "no answer in time"},
		{errors.New("something else"), "something else"},
	} {
		if got := describeTransport(tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
	// The message never carries the resolver's address.
	if got := describeTransport(&net.DNSError{Err: "no such host", Name: "h", Server: "10.0.0.53:53", IsNotFound: true}); strings.Contains(got, "10.0.0.53") {
		t.Errorf("resolver address leaked: %q", got)
	}
}

// https:// to a plain-HTTP server: said so, and not retried.
func TestHTTPSToPlainHTTPServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, fs := newTestClient(t, strings.Replace(srv.URL, "http://", "https://", 1))
	_, err := c.GetKey(context.Background(), "acme", "web", keyID)
	if err == nil || !strings.Contains(err.Error(), "use an http:// URL") || strings.Contains(err.Error(), "after") {
		t.Errorf("error = %v", err)
	}
	if len(fs.recorded()) != 0 {
		t.Errorf("retried: waits %v", fs.recorded())
	}
}

// A recovery call (a new key removed after an interrupt) tells the signal
// handler that clean-up is under way while it runs and just after.
func TestRecoveryBusy(t *testing.T) {
	inside := make(chan bool, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside <- RecoveryBusy(0)
		_, _ = w.Write([]byte(keyJSON))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // as after an interrupt
	if _, err := c.GetKey(Recovery(context.WithoutCancel(ctx)), "acme", "web", keyID); err != nil {
		t.Fatal(err)
	}
	if !<-inside {
		t.Error("RecoveryBusy is false while a recovery call is in flight")
	}
	if !RecoveryBusy(time.Hour) || RecoveryBusy(0) {
		t.Errorf("after the call: RecoveryBusy(1h) = %v, RecoveryBusy(0) = %v", RecoveryBusy(time.Hour), RecoveryBusy(0))
	}
}
