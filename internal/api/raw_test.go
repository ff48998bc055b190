package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestResolvePath(t *testing.T) {
	c, err := New(Options{BaseURL: "https://api.example.com/base"})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"app/v1/x":                                 "/app/v1/x",
		"/app/v1/x?limit=2":                        "/app/v1/x?limit=2",
		"https://api.example.com/base/app/v1/x":    "/app/v1/x",
		"HTTPS://API.EXAMPLE.COM:443/base/app/v1/": "/app/v1/",
	} {
		got, err := c.ResolvePath(in)
		if err != nil || got != want {
			t.Errorf("ResolvePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"https://evil.example.com/app/v1/x",
		"http://api.example.com/base/app/v1/x", // a downgrade is another origin
		"https://api.example.com:8443/base/x",
		"//evil.example.com/x",
		"https://api.example.com/other/x",
		"https://user:pw@api.example.com/base/x",
		"",
	} {
		if got, err := c.ResolvePath(in); err == nil {
			t.Errorf("ResolvePath(%q) = %q, want a refusal", in, got)
		}
	}
}

func TestRawPagesBothStyles(t *testing.T) {
	items := make([]string, 7)
	for i := range items {
		items[i] = fmt.Sprintf(`{"n":%d}`, i)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		if q.Get("status") != "active" {
			t.Errorf("query lost: %s", r.URL.RawQuery)
		}
		switch r.URL.Path {
		case "/cursor": // lastKey style, 3 per page
			start, _ := strconv.Atoi(q.Get("lastKey"))
			end := min(start+3, len(items))
			next := ""
			if end < len(items) {
				next = strconv.Itoa(end)
			}
			fmt.Fprintf(w, `{"data":[%s],"pagination":{"limit":3,"lastKey":%q}}`, strings.Join(items[start:end], ","), next)
		case "/pages": // page/pages style, 3 per page, under meta
			page, _ := strconv.Atoi(q.Get("page"))
			page = max(page, 1)
			start := (page - 1) * 3
			end := min(start+3, len(items))
			fmt.Fprintf(w, `{"data":[%s],"meta":{"pagination":{"page":%d,"pages":3,"total":7}}}`, strings.Join(items[start:end], ","), page)
		case "/loop":
			_, _ = w.Write([]byte(`{"data":[1],"pagination":{"lastKey":"same"}}`))
		case "/object":
			_, _ = w.Write([]byte(`{"id":"x"}`))
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	for _, path := range []string{"/cursor", "/pages"} {
		got, last, err := c.RawPages(context.Background(), RawRequest{Path: path, Query: map[string][]string{"status": {"active"}}})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b, _ := json.Marshal(got)
		if want := "[" + strings.Join(items, ",") + "]"; string(b) != want {
			t.Errorf("%s: items %s, want %s", path, b, want)
		}
		if last == nil || last.StatusCode != 200 {
			t.Errorf("%s: last response %+v", path, last)
		}
	}
	if _, _, err := c.RawPages(context.Background(), RawRequest{Path: "/loop", Query: map[string][]string{"status": {"active"}}}); err == nil || !strings.Contains(err.Error(), "same page cursor") {
		t.Errorf("a repeated cursor: %v", err)
	}
	if _, _, err := c.RawPages(context.Background(), RawRequest{Path: "/object", Query: map[string][]string{"status": {"active"}}}); err == nil || !strings.Contains(err.Error(), "data") {
		t.Errorf("not a list: %v", err)
	}
	if _, _, err := c.RawPages(context.Background(), RawRequest{Method: "POST", Path: "/cursor"}); err == nil {
		t.Error("a POST was paginated")
	}
}

func TestRawRefusesCredentialHeaders(t *testing.T) {
	c, _ := New(Options{BaseURL: "https://api.example.com"})
	for _, h := range []string{"Authorization", "x-api-key", "Cookie", "Host"} {
		if _, err := c.Raw(context.Background(), RawRequest{Path: "/x", Header: http.Header{h: {"v"}}}); err == nil || !strings.Contains(err.Error(), "cannot be set") {
			t.Errorf("header %s: %v", h, err)
		}
	}
}

func TestRawSendsHeadersAndReportsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Trace") != "abc" || r.Header.Get("Accept") != "text/plain" {
			t.Errorf("headers %v", r.Header)
		}
		if r.Header.Get("x-api-key") != "k-1234567890" || r.Header.Get("Authorization") != "" {
			t.Errorf("credentials: key %q, auth %q", r.Header.Get("x-api-key"), r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(409)
		_, _ = w.Write([]byte(`{"error":{"code":"APIKEY_NAME_ALREADY_EXISTS","message":"taken"}}`))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "jwt-1234567890" })
	resp, err := c.Raw(context.Background(), RawRequest{Method: "post", Path: "/x", Body: []byte(`{}`), APIKey: "k-1234567890",
		Header: http.Header{"X-Trace": {"abc"}, "Accept": {"text/plain"}}})
	if !IsConflict(err) || resp == nil || resp.StatusCode != 409 {
		t.Fatalf("Raw: %+v, %v", resp, err)
	}
}
