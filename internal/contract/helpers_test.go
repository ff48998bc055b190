package contract

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
)

var (
	reGeneratedKey = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	reTimestamp    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	reUUID         = regexp.MustCompile(`^(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reErrorCode    = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// Error codes named by the contract.
const (
	codeBadRequest        = "BAD_REQUEST"
	codeUnauthorized      = "UNAUTHORIZED"
	codeForbidden         = "FORBIDDEN"
	codeNotFound          = "NOT_FOUND"
	codeKeyNotFound       = "APIKEY_NOT_FOUND"
	codeNameTaken         = "APIKEY_NAME_ALREADY_EXISTS"
	codeNameTakenOld      = "NAME_ALREADY_EXISTS"
	codeAlreadyExists     = "ALREADY_EXISTS"
	codeValidation        = "VALIDATION_FAILED"
	codeInvalidTransition = "INVALID_STATUS_TRANSITION"
	codeTooLarge          = "PAYLOAD_TOO_LARGE"
	codeMethodNotAllowed  = "METHOD_NOT_ALLOWED"
	codeRateLimited       = "RATE_LIMITED"
)

// nameTakenCodes are the codes a duplicate name may carry: the emulator uses
// the current one only; the real API may still answer with the older one,
// which the contract lets clients treat alike.
func nameTakenCodes() []string {
	if local != nil {
		return []string{codeNameTaken}
	}
	return []string{codeNameTaken, codeNameTakenOld}
}

// keyMembers are the members of the API key object the contract lists.
var keyMembers = []string{"id", "projectId", "name", "key", "status", "lastUsed", "createdBy", "createdAt", "updatedAt"}

// strict reports whether responses must not carry members beyond the
// contract: true for the emulator, which the contract makes strict; a real
// server may add fields, which clients must tolerate.
func strict() bool { return local != nil }

var nameSeq atomic.Int64

// uniqueName makes a key name unique to this test and run, starting with
// "contract " and at most 100 characters.
func uniqueName(t testing.TB, label string) string {
	t.Helper()
	base := strings.Map(func(r rune) rune {
		if r == '/' {
			return ' '
		}
		return r
	}, t.Name())
	if len(base) > 50 {
		base = base[len(base)-50:]
	}
	n := fmt.Sprintf("contract %s %s %d-%s", base, label, nameSeq.Add(1), randomAlnum(t, 6))
	if len([]rune(n)) > 100 {
		n = string([]rune(n)[:100])
	}
	return n
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlnum returns n random characters of [A-Za-z0-9].
func randomAlnum(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alnum))))
		if err != nil {
			t.Fatalf("crypto/rand: %v", err)
		}
		b[i] = alnum[v.Int64()]
	}
	return string(b)
}

// randomUUID returns a random version 4 UUID.
func randomUUID(t testing.TB) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("crypto/rand: %v", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return b
}

// mustDo sends r to tg; a transport error ends the test (test goroutine only).
func mustDo(t testing.TB, tg *Target, r Request) *Response {
	t.Helper()
	resp, err := tg.Do(t.Context(), r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	return resp
}

// tryDo sends r to tg and returns the response when its status is want;
// otherwise it reports an error naming what and returns nil. It never ends
// the test, so goroutines may call it.
func tryDo(t testing.TB, tg *Target, what string, r Request, want int) *Response {
	resp, err := tg.Do(t.Context(), r)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return nil
	}
	if resp.StatusCode != want {
		t.Errorf("%s: %s", what, describe(r.Method, r.Path, resp))
		return nil
	}
	return resp
}

// adminRequest builds an admin API request with a bearer token (none when
// token is empty) and, when body is not nil, a JSON content type.
func adminRequest(token, method, path string, body []byte) Request {
	h := http.Header{}
	h.Set("Accept", "application/json")
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return Request{Method: method, Path: path, Header: h, Body: body}
}

// clientRequest builds a client API request with the key in x-api-key (none
// when apiKey is empty).
func clientRequest(apiKey, method, path string) Request {
	h := http.Header{}
	h.Set("Accept", "application/json")
	if apiKey != "" {
		h.Set("x-api-key", apiKey)
	}
	return Request{Method: method, Path: path, Header: h}
}

func admin(t testing.TB, tg *Target, method, path string, body []byte) *Response {
	t.Helper()
	return mustDo(t, tg, adminRequest(tg.Token, method, path, body))
}

func client(t testing.TB, tg *Target, apiKey, method, path string) *Response {
	t.Helper()
	return mustDo(t, tg, clientRequest(apiKey, method, path))
}

func keysPath(tg *Target, elem ...string) string {
	return AdminPath(tg.Org, tg.Project, append([]string{"api-keys"}, elem...)...)
}

// describe names a request and its response for failure messages.
func describe(method, path string, r *Response) string {
	return fmt.Sprintf("%s %s → %d %s", method, path, r.StatusCode, Redact(r.Body))
}

// wantJSON checks that r is a JSON response with the given status.
func wantJSON(t testing.TB, what string, r *Response, status int) bool {
	t.Helper()
	ok := true
	if r.StatusCode != status {
		t.Errorf("%s: status %d, want %d; body %s", what, r.StatusCode, status, Redact(r.Body))
		ok = false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", what, r.Header.Get("Content-Type"))
		ok = false
	}
	return ok
}

// wantError checks that r is the error envelope with the given status and
// one of codes (any code when codes is empty), and returns it.
func wantError(t testing.TB, what string, r *Response, status int, codes ...string) APIError {
	t.Helper()
	wantJSON(t, what, r, status)
	e, err := ParseError(r.Body)
	if err != nil {
		t.Errorf("%s: error envelope: %v; body %s", what, err, Redact(r.Body))
		return e
	}
	if len(codes) > 0 && !slices.Contains(codes, e.Code) {
		t.Errorf("%s: error code %q, want %s (message %q)", what, e.Code, strings.Join(codes, " or "), e.Message)
	}
	if !reErrorCode.MatchString(e.Code) {
		t.Errorf("%s: error code %q is not an upper-case machine code", what, e.Code)
	}
	if strings.IndexFunc(e.Message, unicode.IsControl) >= 0 {
		t.Errorf("%s: error message holds control characters: %q", what, e.Message)
	}
	if len(e.Extra) > 0 {
		if strict() {
			t.Errorf("%s: error object has members beyond code, message, details: %v", what, e.Extra)
		} else {
			t.Logf("%s: error object has extra members %v (tolerated for a real server)", what, e.Extra)
		}
	}
	return e
}

// wantDetail checks that a VALIDATION_FAILED error names field in details.
func wantDetail(t testing.TB, what string, e APIError, field string) {
	t.Helper()
	if e.Code != codeValidation {
		return // wantError reported the code already
	}
	v, ok := e.Details[field]
	if !ok {
		t.Errorf("%s: details %v do not name %q", what, e.Details, field)
		return
	}
	if s, isString := v.(string); !isString || s == "" {
		t.Errorf("%s: details[%q] = %v, want a message", what, field, v)
	}
}

// Key is an API key object as the contract describes it.
type Key struct {
	ID, ProjectID, Name, Status string
	CreatedBy                   string
	CreatedAt, UpdatedAt        string
	Secret                      string // the "key" member (create response only)
	LastUsed                    string // "" when absent or null
}

// checkKey validates a bare key object: the members the contract lists, with
// their types and formats; "key" present only when withSecret, and then as
// a non-empty string; never null.
func checkKey(t testing.TB, what string, raw map[string]json.RawMessage, withSecret bool) Key {
	t.Helper()
	var k Key
	if _, wrapped := raw["data"]; wrapped {
		t.Errorf("%s: key object is wrapped in an envelope (members %v), want a bare object", what, Members(raw))
		return k
	}
	str := func(name string, dst *string) {
		v, ok := raw[name]
		if !ok {
			t.Errorf("%s: member %q is missing", what, name)
			return
		}
		if err := json.Unmarshal(v, dst); err != nil || string(v) == "null" || *dst == "" {
			t.Errorf("%s: member %q = %s, want a non-empty string", what, name, v)
		}
	}
	str("id", &k.ID)
	str("projectId", &k.ProjectID)
	str("name", &k.Name)
	str("status", &k.Status)
	str("createdBy", &k.CreatedBy)
	str("createdAt", &k.CreatedAt)
	str("updatedAt", &k.UpdatedAt)
	if k.ID != "" && !reUUID.MatchString(k.ID) {
		t.Errorf("%s: id %q is not a UUID", what, k.ID)
	}
	if k.Status != "" && k.Status != "active" && k.Status != "revoked" {
		t.Errorf("%s: status %q, want active or revoked", what, k.Status)
	}
	created := checkTimestamp(t, what+": createdAt", k.CreatedAt)
	updated := checkTimestamp(t, what+": updatedAt", k.UpdatedAt)
	if !created.IsZero() && !updated.IsZero() && updated.Before(created) {
		t.Errorf("%s: updatedAt %s is before createdAt %s", what, k.UpdatedAt, k.CreatedAt)
	}
	if v, ok := raw["lastUsed"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &k.LastUsed); err != nil {
			t.Errorf("%s: lastUsed = %s, want absent, null or a timestamp", what, v)
		} else {
			checkTimestamp(t, what+": lastUsed", k.LastUsed)
		}
	}
	v, hasKey := raw["key"]
	switch {
	case withSecret && !hasKey:
		t.Errorf("%s: member \"key\" is missing from the create response", what)
	case withSecret:
		if err := json.Unmarshal(v, &k.Secret); err != nil || k.Secret == "" || string(v) == "null" {
			t.Errorf("%s: member \"key\" is not a non-empty string", what)
		}
	case hasKey:
		// Print only the JSON type, never the value.
		kind := "a value"
		if string(v) == "null" {
			kind = "null"
		}
		t.Errorf("%s: member \"key\" is present (%s); it must be absent outside the create response", what, kind)
	}
	for name := range raw {
		if !slices.Contains(keyMembers, name) {
			if strict() {
				t.Errorf("%s: key object has member %q the contract does not list", what, name)
			} else {
				t.Logf("%s: key object has extra member %q (tolerated for a real server)", what, name)
			}
		}
	}
	return k
}

// checkTimestamp checks the contract's timestamp form: RFC 3339, UTC with
// "Z", to the second.
func checkTimestamp(t testing.TB, what, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	if !reTimestamp.MatchString(s) {
		t.Errorf("%s: %q is not an RFC 3339 UTC timestamp to the second (2024-03-20T10:00:00Z)", what, s)
		return time.Time{}
	}
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Errorf("%s: %q: %v", what, s, err)
	}
	return ts
}

// decodeObject decodes a JSON object body.
func decodeObject(t testing.TB, what string, body []byte) map[string]json.RawMessage {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		t.Errorf("%s: body is not a JSON object: %s", what, Redact(body))
		return nil
	}
	return obj
}

// wantKey checks that r is a key object with the given status.
func wantKey(t testing.TB, what string, r *Response, status int, withSecret bool) Key {
	t.Helper()
	if !wantJSON(t, what, r, status) {
		return Key{}
	}
	obj := decodeObject(t, what, r.Body)
	if obj == nil {
		return Key{}
	}
	return checkKey(t, what, obj, withSecret)
}

// createKey creates a key named name in tg's project and checks the 201
// answer. On a remote target the key is deleted when the test ends.
func createKey(t testing.TB, tg *Target, name string) Key {
	t.Helper()
	return createKeyIn(t, tg, tg.Token, tg.Org, tg.Project, map[string]any{"name": name})
}

// createKeyIn posts body to the api-keys collection of org/project with token.
func createKeyIn(t testing.TB, tg *Target, token, org, project string, body map[string]any) Key {
	t.Helper()
	path := AdminPath(org, project, "api-keys")
	r := mustDo(t, tg, adminRequest(token, http.MethodPost, path, mustJSON(t, body)))
	if r.StatusCode == http.StatusCreated {
		registerCleanup(t, tg, token, org, project, r.Body)
	}
	k := wantKey(t, "create "+path, r, http.StatusCreated, true)
	if k.ID == "" {
		t.FailNow() // wantKey said why
	}
	return k
}

// registerCleanup deletes a created key when the test ends, on a remote
// target only (the emulator is thrown away).
func registerCleanup(t testing.TB, tg *Target, token, org, project string, created []byte) {
	if !tg.Remote {
		return
	}
	var k struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(created, &k) != nil || k.ID == "" {
		return
	}
	t.Cleanup(func() {
		// t.Context() is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		r, err := tg.Do(ctx, adminRequest(token, http.MethodDelete, AdminPath(org, project, "api-keys", k.ID), nil))
		if err != nil {
			t.Errorf("cleanup: deleting key %s: %v", k.ID, err)
			return
		}
		if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusNotFound {
			t.Errorf("cleanup: deleting key %s: status %d", k.ID, r.StatusCode)
		}
	})
}

// updateKey sends PUT with body to the key and returns the response.
func updateKey(t testing.TB, tg *Target, id string, body any) *Response {
	t.Helper()
	return admin(t, tg, http.MethodPut, keysPath(tg, id), mustJSON(t, body))
}

// showKey fetches the key and checks the 200 answer.
func showKey(t testing.TB, tg *Target, id string) Key {
	t.Helper()
	return wantKey(t, "show "+id, admin(t, tg, http.MethodGet, keysPath(tg, id), nil), http.StatusOK, false)
}

// listPage is one page of a {data, pagination} list.
type listPage struct {
	Items      []map[string]json.RawMessage
	Limit      int
	LastKey    string
	HasLastKey bool
}

// decodeList checks the list shape: a top-level object with "data", an
// array of objects, and "pagination" with an integer "limit" and a
// "lastKey" that is either absent or a non-empty string.
func decodeList(t testing.TB, what string, r *Response) (listPage, bool) {
	t.Helper()
	var p listPage
	if !wantJSON(t, what, r, http.StatusOK) {
		return p, false
	}
	top := decodeObject(t, what, r.Body)
	if top == nil {
		return p, false
	}
	rawData, ok := top["data"]
	if !ok {
		t.Errorf("%s: member \"data\" is missing (members %v)", what, Members(top))
		return p, false
	}
	if err := json.Unmarshal(rawData, &p.Items); err != nil || string(rawData) == "null" {
		t.Errorf("%s: \"data\" is not an array of objects", what)
		return p, false
	}
	for i, it := range p.Items {
		if it == nil {
			t.Errorf("%s: data[%d] is not an object", what, i)
			return p, false
		}
	}
	rawPag, ok := top["pagination"]
	if !ok {
		t.Errorf("%s: member \"pagination\" is missing (members %v)", what, Members(top))
		return p, false
	}
	var pag map[string]json.RawMessage
	if err := json.Unmarshal(rawPag, &pag); err != nil || pag == nil {
		t.Errorf("%s: \"pagination\" is not an object: %s", what, rawPag)
		return p, false
	}
	if err := json.Unmarshal(pag["limit"], &p.Limit); err != nil {
		t.Errorf("%s: pagination.limit = %s, want an integer", what, pag["limit"])
		return p, false
	}
	if v, ok := pag["lastKey"]; ok {
		p.HasLastKey = true
		if err := json.Unmarshal(v, &p.LastKey); err != nil || p.LastKey == "" || string(v) == "null" {
			t.Errorf("%s: pagination.lastKey = %s, want a non-empty string, or no member at all on the last page", what, v)
			return p, false
		}
	}
	for name := range top {
		if name != "data" && name != "pagination" {
			if strict() {
				t.Errorf("%s: list has top-level member %q beyond data and pagination", what, name)
			} else {
				t.Logf("%s: list has extra top-level member %q (tolerated for a real server)", what, name)
			}
		}
	}
	for name := range pag {
		if name != "limit" && name != "lastKey" && strict() {
			t.Errorf("%s: pagination has member %q beyond limit and lastKey", what, name)
		}
	}
	return p, true
}

// walk follows lastKey from the first page of path (whose query, if any,
// is kept) and returns the pages. It stops on any shape error, and after
// 500 pages.
func walk(t testing.TB, do func(path string) *Response, path string, query url.Values) []listPage {
	t.Helper()
	var pages []listPage
	cursor := ""
	for range 500 {
		q := url.Values{}
		for k, v := range query {
			q[k] = slices.Clone(v)
		}
		if cursor != "" {
			q.Set("lastKey", cursor)
		}
		full := path
		if enc := q.Encode(); enc != "" {
			full += "?" + enc
		}
		p, ok := decodeList(t, "GET "+full, do(full))
		if !ok {
			return pages
		}
		pages = append(pages, p)
		if !p.HasLastKey {
			return pages
		}
		if p.LastKey == cursor {
			t.Errorf("GET %s: lastKey did not move (%q)", full, cursor)
			return pages
		}
		cursor = p.LastKey
	}
	t.Errorf("GET %s: still a lastKey after 500 pages", path)
	return pages
}

// memberString reads a string member of an object ("" when absent or not a string).
func memberString(obj map[string]json.RawMessage, name string) string {
	var s string
	_ = json.Unmarshal(obj[name], &s)
	return s
}

// jwtSubject reads the "sub" claim of a JWT without verifying it ("" when unreadable).
func jwtSubject(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Sub string `json:"sub"`
	}
	_ = json.Unmarshal(payload, &c)
	return c.Sub
}
