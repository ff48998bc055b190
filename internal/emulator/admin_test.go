package emulator

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCreateValidation(t *testing.T) {
	h := newHarness(t)
	h.create("taken")
	path := keysPath(testOrg, testProject)
	long := strings.Repeat("n", 101)
	cases := []struct {
		name, body, contentType string
		status                  int
		code                    string
		detail                  string // a details key that must be present
	}{
		{"malformed JSON", `{"name":`, "application/json", 400, "BAD_REQUEST", ""},
		{"trailing garbage", `{"name":"a"} x`, "application/json", 400, "BAD_REQUEST", ""},
		{"empty body", ``, "application/json", 400, "BAD_REQUEST", ""},
		{"whitespace body", "  \n", "application/json", 400, "BAD_REQUEST", ""},
		{"text/plain", `{"name":"a"}`, "text/plain", 400, "BAD_REQUEST", ""},
		{"form", `name=a`, "application/x-www-form-urlencoded", 400, "BAD_REQUEST", ""},
		{"no content type", `{"name":"a"}`, "", 400, "BAD_REQUEST", ""},
		{"latin1 charset", `{"name":"a"}`, "application/json; charset=iso-8859-1", 400, "BAD_REQUEST", ""},
		{"array", `["a"]`, "application/json", 422, "VALIDATION_FAILED", "body"},
		{"string", `"a"`, "application/json", 422, "VALIDATION_FAILED", "body"},
		{"null", `null`, "application/json", 422, "VALIDATION_FAILED", "body"},
		{"missing name", `{}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"name null", `{"name":null}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"name number", `{"name":5}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"empty name", `{"name":""}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"blank name", `{"name":"   \t "}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"name too long", `{"name":"` + long + `"}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"ANSI escape", `{"name":"a\u001b[2Jb"}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"newline", `{"name":"a\nb"}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"DEL", `{"name":"a\u007fb"}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"bidi override", `{"name":"a\u202eb"}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"unknown field", `{"name":"x","scope":"all"}`, "application/json", 422, "VALIDATION_FAILED", "scope"},
		{"duplicate field", `{"name":"x","name":"y"}`, "application/json", 422, "VALIDATION_FAILED", "name"},
		{"apiKey too short", `{"name":"x","apiKey":"aaaa"}`, "application/json", 422, "VALIDATION_FAILED", "apiKey"},
		{"apiKey 19", `{"name":"x","apiKey":"` + strings.Repeat("a", 19) + `"}`, "application/json", 422, "VALIDATION_FAILED", "apiKey"},
		{"apiKey 129", `{"name":"x","apiKey":"` + strings.Repeat("a", 129) + `"}`, "application/json", 422, "VALIDATION_FAILED", "apiKey"},
		{"apiKey dot", `{"name":"x","apiKey":"` + strings.Repeat("a", 30) + `.b"}`, "application/json", 422, "VALIDATION_FAILED", "apiKey"},
		{"apiKey space", `{"name":"x","apiKey":"` + strings.Repeat("a", 30) + ` b"}`, "application/json", 422, "VALIDATION_FAILED", "apiKey"},
		{"apiKey non-ASCII", `{"name":"x","apiKey":"` + strings.Repeat("a", 30) + `é"}`, "application/json", 422, "VALIDATION_FAILED", "apiKey"},
		{"apiKey empty", `{"name":"x","apiKey":""}`, "application/json", 422, "VALIDATION_FAILED", "apiKey"},
		{"apiKey number", `{"name":"x","apiKey":12345678901234567890123}`, "application/json", 422, "VALIDATION_FAILED", "apiKey"},
		{"name taken", `{"name":"taken"}`, "application/json", 409, "APIKEY_NAME_ALREADY_EXISTS", "name"},
		{"name taken other case", `{"name":"TAKEN"}`, "application/json", 409, "APIKEY_NAME_ALREADY_EXISTS", "name"},
		{"name taken after trim", `{"name":"  Taken  "}`, "application/json", 409, "APIKEY_NAME_ALREADY_EXISTS", "name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []reqOpt
			opts = append(opts, withBearer(h.token))
			w := h.raw("POST", path, "", append(opts, func(r *http.Request) {
				r.Body = http.NoBody
				if tc.body != "" {
					r.Body = nopCloser(tc.body)
					r.ContentLength = int64(len(tc.body))
				}
				if tc.contentType != "" {
					r.Header.Set("Content-Type", tc.contentType)
				}
			})...)
			e := expectError(t, w, tc.status, tc.code)
			if tc.detail != "" {
				if _, ok := e.Error.Details[tc.detail]; !ok {
					t.Errorf("details %v lack %q", e.Error.Details, tc.detail)
				}
			}
		})
	}
	// Nothing but the first key was created.
	w := h.admin("GET", path, nil)
	if n := len(decode[listJSON](t, w).Data); n != 1 {
		t.Errorf("%d keys after the failed creates, want 1", n)
	}
}

func TestCreateBoundaries(t *testing.T) {
	h := newHarness(t)
	path := keysPath(testOrg, testProject)
	// 100 characters (multi-byte ones count once) is allowed.
	name := strings.Repeat("é", 100)
	w := h.admin("POST", path, map[string]string{"name": name})
	if w.Code != http.StatusCreated || decode[keyJSON](t, w).Name != name {
		t.Fatalf("100-character name: %d %s", w.Code, w.Body.String())
	}
	// Emoji and other printable Unicode are fine.
	h.create("Prod 🚀 Ünïcode")

	// A custom key is used verbatim; the same value again is refused without a
	// hint of which key holds it.
	custom := "my_custom-Key_0123456789"
	w = h.admin("POST", path, map[string]string{"name": "custom", "apiKey": custom})
	if w.Code != http.StatusCreated {
		t.Fatalf("custom key: %d %s", w.Code, w.Body.String())
	}
	first := decode[keyJSON](t, w)
	if first.Key != custom {
		t.Fatalf("key = %q, want the custom value", first.Key)
	}
	w = h.admin("POST", path, map[string]string{"name": "custom two", "apiKey": custom})
	expectError(t, w, http.StatusConflict, "ALREADY_EXISTS")
	for _, leak := range []string{first.ID, "custom\"", custom} {
		mustContain(t, w.Body.Bytes(), leak, false)
	}
	// 128 characters is the upper bound.
	w = h.admin("POST", path, map[string]string{"name": "long key", "apiKey": strings.Repeat("Z", 128)})
	if w.Code != http.StatusCreated {
		t.Fatalf("128-character custom key: %d %s", w.Code, w.Body.String())
	}
}

// A 1 MiB body is refused with 413 before it is parsed.
func TestBodyTooLarge(t *testing.T) {
	h := newHarness(t)
	body := `{"name":"` + strings.Repeat("a", 1<<20) + `"}`
	w := h.admin("POST", keysPath(testOrg, testProject), nil, func(r *http.Request) {
		r.Body = nopCloser(body)
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/json")
	})
	expectError(t, w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	// Just under the limit is parsed (and fails validation on the name's length).
	body = `{"name":"` + strings.Repeat("a", maxBodyBytes-20) + `"}`
	w = h.admin("PUT", keysPath(testOrg, testProject)+"/"+h.create("x").ID, nil, func(r *http.Request) {
		r.Body = nopCloser(body)
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/json")
	})
	expectError(t, w, http.StatusUnprocessableEntity, "VALIDATION_FAILED")
}

type listJSON struct {
	Data       []keyJSON `json:"data"`
	Pagination struct {
		Limit   int     `json:"limit"`
		LastKey *string `json:"lastKey"`
	} `json:"pagination"`
}

func TestListPagination(t *testing.T) {
	h := newHarness(t)
	path := keysPath(testOrg, testProject)
	want := map[string]bool{}
	for i := 0; i < 45; i++ {
		k := h.create(fmt.Sprintf("key-%02d", i))
		want[k.ID] = true
		if i%2 == 1 {
			h.revoke(k.ID)
		}
		if i%10 == 0 {
			h.clock.Advance(time.Second) // several keys share a second: order falls back to id
		}
	}

	seen := map[string]bool{}
	var pages []int
	cursor := ""
	for {
		url := path
		if cursor != "" {
			url += "?lastKey=" + cursor
		}
		w := h.admin("GET", url, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("list: %d %s", w.Code, w.Body.String())
		}
		mustContain(t, w.Body.Bytes(), `"key"`, false)
		l := decode[listJSON](t, w)
		if l.Pagination.Limit != 20 {
			t.Fatalf("default limit = %d", l.Pagination.Limit)
		}
		pages = append(pages, len(l.Data))
		for _, k := range l.Data {
			if seen[k.ID] {
				t.Fatalf("key %s listed twice", k.ID)
			}
			seen[k.ID] = true
		}
		if l.Pagination.LastKey == nil {
			mustContain(t, w.Body.Bytes(), "lastKey", false)
			break
		}
		cursor = *l.Pagination.LastKey
	}
	if fmt.Sprint(pages) != "[20 20 5]" || len(seen) != 45 {
		t.Fatalf("pages %v, %d keys", pages, len(seen))
	}

	// Status filter and a custom limit.
	count := func(q string) int {
		n, cursor := 0, ""
		for {
			url := path + "?" + q
			if cursor != "" {
				url += "&lastKey=" + cursor
			}
			l := decode[listJSON](t, h.admin("GET", url, nil))
			for _, k := range l.Data {
				if strings.Contains(q, "status=") && !strings.Contains(q, "status="+k.Status) {
					t.Fatalf("%s returned a %s key", q, k.Status)
				}
			}
			n += len(l.Data)
			if l.Pagination.LastKey == nil {
				return n
			}
			cursor = *l.Pagination.LastKey
		}
	}
	if n := count("status=active&limit=7"); n != 23 {
		t.Errorf("active keys = %d, want 23", n)
	}
	if n := count("status=revoked&limit=100"); n != 22 {
		t.Errorf("revoked keys = %d, want 22", n)
	}
	l := decode[listJSON](t, h.admin("GET", path+"?limit=100", nil))
	if len(l.Data) != 45 || l.Pagination.LastKey != nil || l.Pagination.Limit != 100 {
		t.Errorf("limit=100: %d keys, lastKey %v", len(l.Data), l.Pagination.LastKey)
	}
	// Exactly a page: no cursor to an empty page.
	l = decode[listJSON](t, h.admin("GET", path+"?limit=45", nil))
	if len(l.Data) != 45 || l.Pagination.LastKey != nil {
		t.Errorf("limit=45: %d keys, lastKey %v", len(l.Data), l.Pagination.LastKey)
	}

	for _, q := range []string{"limit=0", "limit=101", "limit=-1", "limit=abc", "limit=1.5", "limit=99999999999",
		"status=paused", "status=ACTIVE", "lastKey=garbage", "lastKey=" + base64.RawURLEncoding.EncodeToString([]byte("k1:1:not-a-uuid"))} {
		t.Run(q, func(t *testing.T) {
			expectError(t, h.admin("GET", path+"?"+q, nil), http.StatusBadRequest, "BAD_REQUEST")
		})
	}
}

func TestShowUpdateDeleteErrors(t *testing.T) {
	h := newHarness(t)
	if _, err := h.e.Seed(t.Context(), testOrg, "other"); err != nil {
		t.Fatal(err)
	}
	a := h.create("alpha")
	b := h.create("beta")
	item := keysPath(testOrg, testProject) + "/"
	unknown := "5f0c6b1e-8d1a-4c39-9a57-3b6f0f8e2a11"
	otherProject := keysPath(testOrg, "other") + "/" + a.ID

	// Show.
	expectError(t, h.admin("GET", item+unknown, nil), 404, "NOT_FOUND")
	expectError(t, h.admin("GET", item+"not-a-uuid", nil), 404, "NOT_FOUND")
	expectError(t, h.admin("GET", item+strings.ReplaceAll(a.ID, "-", ""), nil), 404, "NOT_FOUND")
	expectError(t, h.admin("GET", item+"{"+a.ID+"}", nil), 404, "NOT_FOUND")
	expectError(t, h.admin("GET", otherProject, nil), 404, "NOT_FOUND")
	if got := h.show(strings.ToUpper(a.ID)); got.ID != a.ID {
		t.Errorf("upper-case id: %+v", got)
	}

	// Update.
	put := func(id string, body any) *httpRecorder { return h.admin("PUT", item+id, body) }
	expectError(t, put(unknown, map[string]string{"status": "revoked"}), 404, "APIKEY_NOT_FOUND")
	expectError(t, put("nope", map[string]string{"status": "revoked"}), 404, "NOT_FOUND")
	expectError(t, h.admin("PUT", otherProject, map[string]string{"status": "revoked"}), 404, "APIKEY_NOT_FOUND")
	expectError(t, put(a.ID, map[string]string{}), 422, "VALIDATION_FAILED")
	expectError(t, put(a.ID, map[string]string{"status": "paused"}), 422, "VALIDATION_FAILED")
	expectError(t, put(a.ID, map[string]any{"status": nil}), 422, "VALIDATION_FAILED")
	expectError(t, put(a.ID, map[string]string{"status": "revoked", "note": "x"}), 422, "VALIDATION_FAILED")
	expectError(t, put(a.ID, map[string]string{"name": ""}), 422, "VALIDATION_FAILED")
	expectError(t, put(a.ID, map[string]string{"name": "BETA"}), 409, "APIKEY_NAME_ALREADY_EXISTS")
	expectError(t, h.raw("PUT", item+a.ID, `{"status":"revoked"}`, withBearer(h.token), withHeader("Content-Type", "text/plain")), 400, "BAD_REQUEST")
	expectError(t, h.raw("PUT", item+a.ID, `{"status":"revoked"}`, withBearer(h.token), func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }), 400, "BAD_REQUEST")
	if got := h.show(a.ID); got.Status != "active" || got.Name != "alpha" {
		t.Fatalf("failed updates changed the key: %+v", got)
	}

	// Renaming to the same name or its own other case is allowed.
	h.clock.Advance(time.Minute)
	w := put(a.ID, map[string]string{"name": "alpha"})
	if got := decode[keyJSON](t, w); w.Code != 200 || got.UpdatedAt != a.UpdatedAt {
		t.Errorf("same-name update: %d %+v", w.Code, got)
	}
	w = put(a.ID, map[string]string{"name": "ALPHA"})
	if got := decode[keyJSON](t, w); w.Code != 200 || got.Name != "ALPHA" || got.UpdatedAt == a.UpdatedAt {
		t.Errorf("case-only rename: %d %+v", w.Code, got)
	}
	// Rename and revoke at once; the old name is free afterwards.
	w = put(b.ID, map[string]string{"name": "beta (old)", "status": "revoked"})
	if got := decode[keyJSON](t, w); w.Code != 200 || got.Name != "beta (old)" || got.Status != "revoked" {
		t.Fatalf("rename+revoke: %d %s", w.Code, w.Body.String())
	}
	h.create("beta")
	// active -> active on an active key is a no-op.
	if w := put(a.ID, map[string]string{"status": "active"}); w.Code != 200 {
		t.Errorf("active->active: %d", w.Code)
	}
	// Un-revoking together with a rename fails as a whole.
	expectError(t, put(b.ID, map[string]string{"name": "again", "status": "active"}), 422, "INVALID_STATUS_TRANSITION")
	if got := h.show(b.ID); got.Name != "beta (old)" {
		t.Errorf("failed update renamed the key: %+v", got)
	}

	// Delete, then revoke or show the deleted key.
	expectError(t, h.admin("DELETE", item+unknown, nil), 404, "APIKEY_NOT_FOUND")
	expectError(t, h.admin("DELETE", item+"nope", nil), 404, "NOT_FOUND")
	expectError(t, h.admin("DELETE", otherProject, nil), 404, "APIKEY_NOT_FOUND")
	if w := h.admin("DELETE", item+a.ID, nil); w.Code != 200 {
		t.Fatalf("delete: %d", w.Code)
	}
	expectError(t, put(a.ID, map[string]string{"status": "revoked"}), 404, "APIKEY_NOT_FOUND")
	expectError(t, h.admin("GET", item+a.ID, nil), 404, "NOT_FOUND")
}

func TestRoutingErrors(t *testing.T) {
	h := newHarness(t)
	k := h.create("k")
	collection := keysPath(testOrg, testProject)
	other, err := h.e.MintToken(TokenRequest{Org: "nowhere", TTL: 24 * 365 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, path string
		token        string
		status       int
		code         string
		allow        string
	}{
		{"PATCH", collection + "/" + k.ID, h.token, 405, "METHOD_NOT_ALLOWED", "GET, HEAD, PUT, DELETE"},
		{"POST", collection + "/" + k.ID, h.token, 405, "METHOD_NOT_ALLOWED", "GET, HEAD, PUT, DELETE"},
		{"DELETE", collection, h.token, 405, "METHOD_NOT_ALLOWED", "GET, HEAD, POST"},
		{"PUT", collection, h.token, 405, "METHOD_NOT_ALLOWED", "GET, HEAD, POST"},
		{"OPTIONS", collection, h.token, 405, "METHOD_NOT_ALLOWED", "GET, HEAD, POST"},
		{"GET", keysPath("nowhere", testProject), other, 404, "NOT_FOUND", ""},
		{"GET", keysPath(testOrg, "nothing"), h.token, 404, "NOT_FOUND", ""},
		{"POST", keysPath(testOrg, "nothing"), h.token, 404, "NOT_FOUND", ""},
		{"GET", "/app/v1/organizations/acme/projects", h.token, 404, "NOT_FOUND", ""},
		{"GET", collection + "/", h.token, 404, "NOT_FOUND", ""},
		{"GET", collection + "//" + k.ID, h.token, 404, "NOT_FOUND", ""},
		{"GET", collection + "/" + k.ID + "/extra", h.token, 404, "NOT_FOUND", ""},
		{"GET", "/v1/organizations/acme/projects/web/api-keys", h.token, 404, "NOT_FOUND", ""},
		{"GET", "/", h.token, 404, "NOT_FOUND", ""},
		{"GET", "/app/v2/organizations/acme/projects/web/api-keys", h.token, 404, "NOT_FOUND", ""},
		{"GET", "/app/v1/organizations/acme%2Fx/projects/web/api-keys", h.token, 403, "FORBIDDEN", ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := h.raw(tc.method, tc.path, "", withBearer(tc.token))
			expectError(t, w, tc.status, tc.code)
			if tc.allow != "" && w.Header().Get("Allow") != tc.allow {
				t.Errorf("Allow = %q, want %q", w.Header().Get("Allow"), tc.allow)
			}
		})
	}
	// HEAD is served like GET, without a body.
	w := h.raw("HEAD", collection, "", withBearer(h.token))
	if w.Code != 200 {
		t.Errorf("HEAD: %d", w.Code)
	}
}

func TestRequestID(t *testing.T) {
	h := newHarness(t)
	for _, good := range []string{"trace-123.abc:9", "req_123", "a/b+c==", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", strings.Repeat("a", 128)} {
		w := h.admin("GET", keysPath(testOrg, testProject), nil, withHeader("X-Request-ID", good))
		if got := w.Header().Get("X-Request-ID"); got != good {
			t.Errorf("sent %q, echoed %q", good, got)
		}
	}
	for _, bad := range []string{"", "has space", "new\nline", "caf\u00e9", strings.Repeat("a", 129)} {
		w := h.raw("GET", "/nowhere", "", func(r *http.Request) {
			if bad != "" {
				r.Header["X-Request-Id"] = []string{bad}
			}
		})
		got := w.Header().Get("X-Request-ID")
		if got == "" || got == bad || len(got) != 36 {
			t.Errorf("for %q the response carries %q, want a fresh UUID", bad, got)
		}
	}
	// Errors carry one too.
	w := h.raw("GET", keysPath(testOrg, testProject), "")
	if w.Code != 401 || w.Header().Get("X-Request-ID") == "" {
		t.Errorf("401 without a request id: %d %v", w.Code, w.Header())
	}
}

// Neither the key nor its digest appears in any response but the create.
func TestNoSecretInResponses(t *testing.T) {
	h := newHarness(t)
	k := h.create("secretive")
	d := keyDigest(h.e.secret, k.Key)
	needles := []string{k.Key, hex.EncodeToString(d[:]), base64.StdEncoding.EncodeToString(d[:]), base64.RawURLEncoding.EncodeToString(d[:])}
	item := keysPath(testOrg, testProject) + "/" + k.ID
	responses := []*httpRecorder{
		h.admin("GET", keysPath(testOrg, testProject), nil),
		h.admin("GET", item, nil),
		h.admin("PUT", item, map[string]string{"name": "renamed"}),
		h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key)),
		h.admin("PUT", item, map[string]string{"status": "revoked"}),
		h.raw("GET", clientPath(testOrg, testProject, "tags"), "", withKey(k.Key)),
		h.admin("DELETE", item, nil),
	}
	for i, w := range responses {
		for _, n := range needles {
			mustContain(t, w.Body.Bytes(), n, false)
		}
		for name, vals := range w.Header() {
			for _, v := range vals {
				for _, n := range needles {
					if strings.Contains(v, n) {
						t.Errorf("response %d header %s carries a secret", i, name)
					}
				}
			}
		}
		mustContain(t, w.Body.Bytes(), `"key":`, false)
	}
}
