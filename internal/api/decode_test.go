package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func serveBody(t *testing.T, status int, contentType, body string) *scriptServer {
	t.Helper()
	s := &scriptServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set("X-Request-ID", "rid-123")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func TestDecodeKeyShapes(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		check                   func(t *testing.T, k *Key)
	}{
		{"bare", "application/json", keyJSON, nil},
		{"data envelope", "application/json", `{"data":` + keyJSON + `,"meta":{"requestId":"r","timestamp":"2024-03-20T10:00:00Z"}}`, nil},
		{"unknown fields", "application/json", `{"future":{"x":[1,2]},` + keyJSON[1:], nil},
		{"text/plain JSON", "text/plain; charset=utf-8", keyJSON, nil},
		{"no content type", "", keyJSON, nil},
		{"lenient times", "application/json",
			`{"id":"k1","name":"ci","status":"revoked","lastUsed":"2024-03-21T08:30:00.123Z","createdAt":"2024-03-20T10:00:00","updatedAt":"2024-03-20 11:00:00+02:00"}`,
			func(t *testing.T, k *Key) {
				if k.LastUsed == nil || !k.LastUsed.Equal(time.Date(2024, 3, 21, 8, 30, 0, 123e6, time.UTC)) {
					t.Errorf("lastUsed = %v", k.LastUsed)
				}
				if !k.CreatedAt.Equal(time.Date(2024, 3, 20, 10, 0, 0, 0, time.UTC)) || !k.UpdatedAt.Equal(time.Date(2024, 3, 20, 9, 0, 0, 0, time.UTC)) {
					t.Errorf("createdAt %v, updatedAt %v", k.CreatedAt, k.UpdatedAt)
				}
			}},
		{"lastUsed empty string", "application/json", `{"id":"k1","lastUsed":""}`, func(t *testing.T, k *Key) {
			if k.LastUsed != nil {
				t.Errorf("lastUsed = %v, want nil", k.LastUsed)
			}
		}},
		{"lastUsed absent", "application/json", `{"id":"k1"}`, func(t *testing.T, k *Key) {
			if k.LastUsed != nil {
				t.Errorf("lastUsed = %v, want nil", k.LastUsed)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveBody(t, 200, tt.contentType, tt.body)
			c, _ := newTestClient(t, srv.URL)
			k, err := c.GetKey(context.Background(), "acme", "web", "k1")
			if err != nil {
				t.Fatalf("GetKey: %v", err)
			}
			if tt.check != nil {
				tt.check(t, k)
				return
			}
			want := Key{ID: keyID, ProjectID: "web", Name: "ci", Status: "active", CreatedBy: "u-1",
				CreatedAt: time.Date(2024, 3, 20, 10, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2024, 3, 20, 10, 0, 0, 0, time.UTC)}
			if !reflect.DeepEqual(*k, want) {
				t.Errorf("key = %+v\nwant  %+v", *k, want)
			}
		})
	}
}

func TestKeyJSONRoundTrip(t *testing.T) {
	used := time.Date(2024, 3, 21, 8, 0, 0, 0, time.UTC)
	in := Key{ID: "k1", Name: "ci", Key: "secret-value-1234", Status: "active", LastUsed: &used,
		CreatedAt: time.Date(2024, 3, 20, 10, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2024, 3, 20, 10, 0, 0, 0, time.UTC)}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Key
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip: %+v != %+v", out, in)
	}
	never, _ := json.Marshal(Key{ID: "k2"})
	if !strings.Contains(string(never), `"lastUsed":null`) || strings.Contains(string(never), `"key"`) {
		t.Errorf("never-used key encodes as %s", never)
	}
	if err := json.Unmarshal([]byte(`{"id":"k","createdAt":"yesterday"}`), &out); err == nil || !strings.Contains(err.Error(), "createdAt") {
		t.Errorf("bad timestamp error = %v", err)
	}
}

func TestDecodeFailures(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    string
	}{
		{"empty 200", "application/json", "", "the server sent an empty response (HTTP 200, request id rid-123)"},
		{"whitespace 200", "application/json", " \n", "the server sent an empty response (HTTP 200, request id rid-123)"},
		{"truncated", "application/json", `{"id":"k1","name":"c`, "cut off"},
		{"html", "text/html", "<html><body>Welcome</body></html>", "not valid JSON (text/html)"},
		{"array", "application/json", `[1,2]`, "unexpected shape"},
		{"null", "application/json", `null`, "null instead of an object"},
		{"no id", "application/json", `{"data":{"name":"x"}}`, "holds no API key"},
		{"wrong type", "application/json", `{"id":"k","name":42}`, "unexpected shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveBody(t, 200, tt.contentType, tt.body)
			c, _ := newTestClient(t, srv.URL)
			_, err := c.GetKey(context.Background(), "acme", "web", "k1")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "<html") {
				t.Errorf("error quotes the body: %v", err)
			}
			if n := srv.hits.Load(); n != 1 {
				t.Errorf("%d hits, want 1", n)
			}
		})
	}
}

func TestCreateWithUnusableSuccessIsOutcomeUnknown(t *testing.T) {
	for _, body := range []string{"", `{"id":"k1","na`} {
		srv := serveBody(t, 201, "application/json", body)
		c, _ := newTestClient(t, srv.URL)
		_, err := c.CreateKey(context.Background(), "acme", "web", CreateKeyRequest{Name: "ci"})
		var ou *OutcomeUnknownError
		if !errors.As(err, &ou) {
			t.Errorf("body %q: error = %v, want *OutcomeUnknownError", body, err)
		}
	}
}

func TestTruncatedBodies(t *testing.T) {
	const half = `{"id":"0b6f3c1e","name":"c`
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"content-length not met", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n" + half,
			"the connection broke before the whole response arrived"},
		{"close-delimited", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + half,
			"cut off before its end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				hijackClose(t, w, tt.raw)
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL)
			_, err := c.GetKey(context.Background(), "acme", "web", keyID)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "HTTP 200") {
				t.Errorf("error = %v, want it to contain %q and the status", err, tt.want)
			}
			if n := hits.Load(); n != 1 {
				t.Errorf("%d hits, want 1", n)
			}
			_, err = c.CreateKey(context.Background(), "acme", "web", CreateKeyRequest{Name: "ci"})
			var ou *OutcomeUnknownError
			if !errors.As(err, &ou) {
				t.Errorf("create with a cut-off answer: %v, want *OutcomeUnknownError", err)
			}
		})
	}
}

func TestBodyOverCap(t *testing.T) {
	big := `{"id":"k1","name":"` + strings.Repeat("a", maxBodyBytes+1) + `"}`
	srv := serveBody(t, 200, "application/json", big)
	c, _ := newTestClient(t, srv.URL)
	_, err := c.GetKey(context.Background(), "acme", "web", "k1")
	if err == nil || !strings.Contains(err.Error(), "larger than the 10 MiB limit") {
		t.Errorf("error = %v, want the size limit", err)
	}

	// An error page over the cap still gives the status.
	srv = serveBody(t, 500, "text/html", strings.Repeat("<p>", maxBodyBytes/2))
	c, _ = newTestClient(t, srv.URL)
	_, err = c.GetKey(context.Background(), "acme", "web", "k1")
	var ae *Error
	if !errors.As(err, &ae) || ae.StatusCode != 500 || !strings.Contains(ae.Message, "10 MiB") {
		t.Errorf("error = %v, want an HTTP 500 *Error naming the limit", err)
	}

	// Exactly at the cap is fine.
	atCap := `{"id":"k1","name":"` + strings.Repeat("a", maxBodyBytes-len(`{"id":"k1","name":""}`)) + `"}`
	srv = serveBody(t, 200, "application/json", atCap)
	c, _ = newTestClient(t, srv.URL)
	if _, err := c.GetKey(context.Background(), "acme", "web", "k1"); err != nil {
		t.Errorf("a body of exactly 10 MiB: %v", err)
	}
}

func TestErrorShapes(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
		want                    Error
		wantString              string
	}{
		{name: "envelope", status: 409, contentType: "application/json",
			body:       `{"error":{"code":"APIKEY_NAME_ALREADY_EXISTS","message":"An API key named \"x\" already exists","details":{"name":"x"}}}`,
			want:       Error{StatusCode: 409, Code: "APIKEY_NAME_ALREADY_EXISTS", Message: `An API key named "x" already exists`, Details: map[string]any{"name": "x"}},
			wantString: `HTTP 409 APIKEY_NAME_ALREADY_EXISTS: An API key named "x" already exists (request id rid-123)`},
		{name: "flat", status: 404, contentType: "application/json", body: `{"code":"NOT_FOUND","message":"no such key"}`,
			want: Error{StatusCode: 404, Code: "NOT_FOUND", Message: "no such key"}, wantString: "HTTP 404 NOT_FOUND: no such key (request id rid-123)"},
		{name: "message only", status: 403, contentType: "application/json", body: `{"message":"Forbidden for role viewer"}`,
			want: Error{StatusCode: 403, Message: "Forbidden for role viewer"}, wantString: "HTTP 403: Forbidden for role viewer (request id rid-123)"},
		{name: "error string", status: 401, contentType: "application/json", body: `{"error":"Unauthorized"}`,
			want: Error{StatusCode: 401, Message: "Unauthorized"}},
		{name: "numeric code", status: 400, contentType: "application/json", body: `{"error":{"code":4001,"message":"bad"}}`,
			want: Error{StatusCode: 400, Code: "4001", Message: "bad"}},
		{name: "empty object", status: 404, contentType: "application/json", body: `{}`,
			want: Error{StatusCode: 404, Message: "Not Found"}},
		{name: "html 502", status: 502, contentType: "text/html; charset=utf-8", body: "<html><head><title>502</title></head><body>nginx " + testJWT + "</body></html>",
			want:       Error{StatusCode: 502, Message: "HTTP 502 Bad Gateway (the response was not JSON: text/html)"},
			wantString: "HTTP 502 Bad Gateway (the response was not JSON: text/html) (request id rid-123)"},
		{name: "empty 503", status: 503, body: "",
			want: Error{StatusCode: 503, Message: "HTTP 503 Service Unavailable (the response was empty)"}},
		{name: "validation details", status: 422, contentType: "application/json",
			body: `{"error":{"code":"VALIDATION_FAILED","message":"invalid","details":{"name":"must be 1 to 100 characters","apiKey":"too short"}}}`,
			want: Error{StatusCode: 422, Code: "VALIDATION_FAILED", Message: "invalid", Details: map[string]any{"name": "must be 1 to 100 characters", "apiKey": "too short"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveBody(t, tt.status, tt.contentType, tt.body)
			c, _ := newTestClient(t, srv.URL)
			_, err := c.GetKey(context.Background(), "acme", "web", "k1")
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("error = %v (%T), want *Error", err, err)
			}
			want := tt.want
			want.RequestID, want.Method, want.Path = "rid-123", "GET", "/app/v1/organizations/acme/projects/web/api-keys/k1"
			if ae.StatusCode != want.StatusCode || ae.Code != want.Code || ae.Message != want.Message ||
				ae.RequestID != want.RequestID || ae.Method != want.Method || ae.Path != want.Path || !reflect.DeepEqual(ae.Details, want.Details) {
				t.Errorf("error = %#v\nwant    %#v", *ae, want)
			}
			if tt.wantString != "" && err.Error() != tt.wantString {
				t.Errorf("Error() = %q\nwant      %q", err.Error(), tt.wantString)
			}
			if strings.Contains(err.Error(), "<html") || strings.Contains(err.Error(), "nginx") {
				t.Errorf("error quotes the body: %v", err)
			}
			assertNoSecrets(t, "error", err.Error())
		})
	}
}

func TestRequestIDFallsBackToTheOneSent(t *testing.T) {
	var sent atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Store(r.Header.Get("X-Request-ID"))
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	_, err := c.GetKey(context.Background(), "acme", "web", "k1")
	var ae *Error
	if !errors.As(err, &ae) || ae.RequestID == "" || ae.RequestID != sent.Load() {
		t.Errorf("request id = %q, want the one sent (%v)", ae.RequestID, sent.Load())
	}
	if !IsNotFound(err) || IsConflict(err) {
		t.Errorf("IsNotFound/IsConflict wrong for %v", err)
	}
}

// Control and invisible characters in a server's error are escaped, not
// dropped: the user sees that they were there.
func TestControlCharactersEscaped(t *testing.T) {
	body := `{"error":{"code":"NAME\u001b[31m_TAKEN","message":"name \u001b[2J\u001b]0;pwned\u0007 taken\r\nreally\u202e\u0085 \u009b","details":{"name":"x\u001by"}}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-ID", "rid\u202e-9\u0085")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	_, err := c.GetKey(context.Background(), "acme", "web", "k1")
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v", err)
	}
	all := err.Error() + ae.Code + ae.Message + ae.RequestID + fmt.Sprint(ae.Details)
	for _, bad := range []string{"\x1b", "\r", "\n", "\a", "\u202e", "\u0085", "\u009b"} {
		if strings.Contains(all, bad) {
			t.Errorf("%q survived in %q", bad, all)
		}
	}
	if ae.RequestID != `rid\u202e-9\u0085` {
		t.Errorf("request id = %q", ae.RequestID)
	}
	if ae.Message != `name \x1b[2J\x1b]0;pwned\x07 taken really\u202e\u0085 \u009b` {
		t.Errorf("message = %q", ae.Message)
	}
	if !IsConflict(err) {
		t.Errorf("IsConflict = false for a 409")
	}
}

func TestSanitizeCapsLength(t *testing.T) {
	s := sanitize(strings.Repeat("é", 5000), maxMessageRunes)
	if n := len([]rune(s)); n != maxMessageRunes+1 || !strings.HasSuffix(s, "…") {
		t.Errorf("sanitized length %d", n)
	}
	if got := sanitize("a\xffb", 10); got != `a\xffb` {
		t.Errorf("invalid UTF-8 → %q", got)
	}
}

func TestIsNotFoundAndIsConflictCodes(t *testing.T) {
	for _, tt := range []struct {
		err                error
		notFound, conflict bool
	}{
		{&Error{StatusCode: 404}, true, false},
		{&Error{StatusCode: 400, Code: "NOT_FOUND"}, true, false},
		{&Error{StatusCode: 410, Code: "APIKEY_NOT_FOUND"}, true, false},
		{&Error{StatusCode: 409}, false, true},
		{&Error{StatusCode: 422, Code: "NAME_ALREADY_EXISTS"}, false, true},
		{&Error{StatusCode: 400, Code: "ALREADY_EXISTS"}, false, true},
		{&Error{StatusCode: 400, Code: "APIKEY_NAME_ALREADY_EXISTS"}, false, true},
		{fmt.Errorf("wrapped: %w", &Error{StatusCode: 404}), true, false},
		{&RetryLaterError{Err: &Error{StatusCode: 409}}, false, true},
		{&Error{StatusCode: 500}, false, false},
		{errors.New("404"), false, false},
		{nil, false, false},
	} {
		if IsNotFound(tt.err) != tt.notFound || IsConflict(tt.err) != tt.conflict {
			t.Errorf("%v: IsNotFound %v IsConflict %v", tt.err, IsNotFound(tt.err), IsConflict(tt.err))
		}
	}
}

// pagedServer serves n keys in the given style and records the queries.
type pagedServer struct {
	*httptest.Server
	mu      sync.Mutex
	queries []string
}

func newPagedServer(t *testing.T, n int, style string) *pagedServer {
	ps := &pagedServer{}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ps.mu.Lock()
		ps.queries = append(ps.queries, r.URL.RawQuery)
		ps.mu.Unlock()
		limit, _ := strconv.Atoi(q.Get("limit"))
		if limit <= 0 {
			limit = 20
		}
		start := 0
		switch style {
		case "cursor":
			if c := q.Get("lastKey"); c != "" {
				start, _ = strconv.Atoi(strings.TrimPrefix(c, "after-"))
			}
		default:
			if p, _ := strconv.Atoi(q.Get("page")); p > 1 {
				start = (p - 1) * limit
			}
		}
		end := min(start+limit, n)
		var data []json.RawMessage
		for i := start; i < end; i++ {
			data = append(data, json.RawMessage(keyJSONWithID(fmt.Sprintf("k%d", i))))
		}
		pages := (n + limit - 1) / limit
		page := start/limit + 1
		body := map[string]any{"data": data}
		switch style {
		case "cursor":
			pg := map[string]any{"limit": limit}
			if end < n {
				pg["lastKey"] = fmt.Sprintf("after-%d", end)
			}
			body["pagination"] = pg
		case "pages":
			body["pagination"] = map[string]any{"page": page, "pages": pages, "total": n, "limit": limit}
		case "top-level":
			body["page"], body["pages"], body["total"], body["limit"] = strconv.Itoa(page), pages, n, limit
		case "meta":
			body["meta"] = map[string]any{"pagination": map[string]any{"page": page, "pages": pages}}
		case "total-only":
			body["total"], body["limit"] = n, limit
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(ps.Close)
	return ps
}

func TestListAllKeysFollowsPagination(t *testing.T) {
	for _, style := range []string{"cursor", "pages", "top-level", "meta", "total-only"} {
		t.Run(style, func(t *testing.T) {
			srv := newPagedServer(t, 5, style)
			c, _ := newTestClient(t, srv.URL)
			var progress []int
			keys, err := c.ListAllKeys(context.Background(), "acme", "web", ListOptions{Limit: 2, Status: "active"}, func(n int) { progress = append(progress, n) })
			if err != nil {
				t.Fatalf("ListAllKeys: %v", err)
			}
			var ids []string
			for _, k := range keys {
				ids = append(ids, k.ID)
			}
			if strings.Join(ids, ",") != "k0,k1,k2,k3,k4" {
				t.Errorf("keys = %v", ids)
			}
			if !reflect.DeepEqual(progress, []int{2, 4, 5}) {
				t.Errorf("progress = %v, want [2 4 5]", progress)
			}
			if len(srv.queries) != 3 {
				t.Fatalf("%d requests, want 3: %v", len(srv.queries), srv.queries)
			}
			for _, q := range srv.queries {
				if !strings.Contains(q, "limit=2") || !strings.Contains(q, "status=active") {
					t.Errorf("query %q lost limit or status", q)
				}
			}
			wantLast := "lastKey=after-4"
			if style != "cursor" {
				wantLast = "page=3"
			}
			if !strings.Contains(srv.queries[2], wantLast) {
				t.Errorf("third query %q, want %s", srv.queries[2], wantLast)
			}
		})
	}
}

func TestListAllKeysDefaultLimitAndEmpty(t *testing.T) {
	srv := newPagedServer(t, 0, "cursor")
	c, _ := newTestClient(t, srv.URL)
	keys, err := c.ListAllKeys(context.Background(), "acme", "web", ListOptions{}, nil)
	if err != nil || keys == nil || len(keys) != 0 {
		t.Fatalf("ListAllKeys = %#v, %v; want an empty, non-nil slice", keys, err)
	}
	if len(srv.queries) != 1 || srv.queries[0] != "limit=100" {
		t.Errorf("queries = %v, want [limit=100]", srv.queries)
	}
}

func TestListAllKeysGuards(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"repeated cursor", `{"data":[` + keyJSON + `],"pagination":{"lastKey":"same"}}`, "same page cursor twice"},
		{"page ignored", `{"data":[` + keyJSON + `],"pagination":{"page":1,"pages":3}}`, "asked for page 2 but the server sent page 1"},
		{"bad pages", `{"data":[],"pagination":{"page":1,"pages":"many"}}`, "unexpected shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveBody(t, 200, "application/json", tt.body)
			c, _ := newTestClient(t, srv.URL)
			_, err := c.ListAllKeys(context.Background(), "acme", "web", ListOptions{}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
			if n := srv.hits.Load(); n > 2 {
				t.Errorf("%d requests; the guard should stop at 2", n)
			}
		})
	}
}

func TestListAllKeysDeduplicates(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			_, _ = w.Write([]byte(`{"data":[` + keyJSONWithID("a") + `,` + keyJSONWithID("b") + `],"pagination":{"page":1,"pages":2}}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":[` + keyJSONWithID("b") + `,` + keyJSONWithID("c") + `],"pagination":{"page":2,"pages":2}}`))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL)
	keys, err := c.ListAllKeys(context.Background(), "acme", "web", ListOptions{}, nil)
	if err != nil || len(keys) != 3 {
		t.Errorf("ListAllKeys = %d keys, %v; want 3", len(keys), err)
	}
}

func TestListKeysShapes(t *testing.T) {
	tests := []struct {
		name, body string
		want       KeyPage
		wantErr    string
	}{
		{"cursor", `{"data":[` + keyJSON + `],"pagination":{"limit":1,"lastKey":"abc"}}`, KeyPage{NextKey: "abc"}, ""},
		{"object cursor", `{"data":[` + keyJSON + `],"pagination":{"lastKey":{"pk":"x","sk":2}}}`, KeyPage{NextKey: `{"pk":"x","sk":2}`}, ""},
		{"last page", `{"data":[` + keyJSON + `],"pagination":{"limit":20}}`, KeyPage{}, ""},
		{"pages", `{"data":[` + keyJSON + `],"pagination":{"page":"2","pages":3,"total":41,"limit":20}}`, KeyPage{Page: 2, Pages: 3, Total: 41}, ""},
		{"bare array", `[` + keyJSON + `]`, KeyPage{}, ""},
		{"null data", `{"data":null}`, KeyPage{}, ""},
		{"no data", `{"items":[]}`, KeyPage{}, `no "data" array`},
		{"object data", `{"data":{"id":"x"}}`, KeyPage{}, `no "data" array`},
		{"empty", ``, KeyPage{}, "empty response"},
		{"cut off", `{"data":[{"id":"x"`, KeyPage{}, "cut off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveBody(t, 200, "application/json", tt.body)
			c, _ := newTestClient(t, srv.URL)
			page, err := c.ListKeys(context.Background(), "acme", "web", ListOptions{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ListKeys: %v", err)
			}
			if page.Keys == nil {
				t.Errorf("Keys is nil")
			}
			if page.NextKey != tt.want.NextKey || page.Page != tt.want.Page || page.Pages != tt.want.Pages || page.Total != tt.want.Total {
				t.Errorf("page = %+v, want %+v", *page, tt.want)
			}
		})
	}
}

func TestUpdateKeyNeedsAChange(t *testing.T) {
	srv := newScriptServer(t, keyJSON, 200)
	c, _ := newTestClient(t, srv.URL)
	if _, err := c.UpdateKey(context.Background(), "acme", "web", "k1", UpdateKeyRequest{}); err == nil {
		t.Error("an empty update was sent")
	}
	if srv.hits.Load() != 0 {
		t.Error("server hit")
	}
}

// A success body of the wrong shape is explained in JSON's terms, never with
// the decoder's Go wording ("json: cannot unmarshal … Go struct field …").
func TestDecodeShapeErrorsInPlainWords(t *testing.T) {
	for body, want := range map[string]string{
		`{"id":"k1","name":123,"status":"active"}`:    `the field "name" is a number where text was expected`,
		`{"id":"k1","name":"x","createdAt":true}`:     `field createdAt: want an ISO 8601 timestamp string`,
		`{"id":"k1","name":"x"`:                       `cut off before its end`,
		`{"id":"k1",,}`:                               `not valid JSON`,
		`{"data":{"id":"k1","name":["a"]},"meta":{}}`: `the field "name" is a list where text was expected`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		c, _ := newTestClient(t, srv.URL)
		_, err := c.GetKey(context.Background(), "acme", "web", keyID)
		srv.Close()
		if err == nil {
			t.Errorf("%s: no error", body)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, want) || strings.Contains(msg, "json:") || strings.Contains(msg, "Go struct") || strings.Contains(msg, "Go value") {
			t.Errorf("%s:\n got %q\nwant %q", body, msg, want)
		}
	}
}
