package contract

import (
	"net/http"
	"strings"
	"testing"
	"unicode"
)

// TestRequestID: the server echoes X-Request-ID when sent and makes one when
// not, on successes and errors of both APIs.
func TestRequestID(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "reqid"))
	big := []byte(`{"name":"` + strings.Repeat("a", 1<<20) + `"}`)
	cases := []struct {
		label  string
		req    func() Request
		status int
	}{
		{"admin list", func() Request { return adminRequest(target.Token, http.MethodGet, keysPath(target), nil) }, 200},
		{"admin create", func() Request {
			return adminRequest(target.Token, http.MethodPost, keysPath(target), mustJSON(t, map[string]any{"name": uniqueName(t, "rid")}))
		}, 201},
		{"admin not found", func() Request {
			return adminRequest(target.Token, http.MethodGet, keysPath(target, randomUUID(t)), nil)
		}, 404},
		{"admin no token", func() Request { return adminRequest("", http.MethodGet, keysPath(target), nil) }, 401},
		{"admin bad JSON", func() Request { return adminRequest(target.Token, http.MethodPost, keysPath(target), []byte(`{`)) }, 400},
		{"admin body too large", func() Request { return adminRequest(target.Token, http.MethodPost, keysPath(target), big) }, 413},
		{"admin method not allowed", func() Request {
			return adminRequest(target.Token, http.MethodPatch, keysPath(target, k.ID), []byte(`{}`))
		}, 405},
		{"client tags", func() Request { return clientRequest(k.Secret, http.MethodGet, clientPath(target, "tags")+"?limit=1") }, 200},
		{"client no key", func() Request { return clientRequest("", http.MethodGet, clientPath(target, "tags")) }, 401},
		{"client write", func() Request { return clientRequest(k.Secret, http.MethodDelete, clientPath(target, "tags")) }, 403},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			sent := randomUUID(t)
			req := tc.req()
			req.Header.Set("X-Request-ID", sent)
			r := mustDo(t, target, req)
			if r.StatusCode == http.StatusCreated {
				registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
			}
			if r.StatusCode != tc.status {
				t.Errorf("status %d, want %d; body %s", r.StatusCode, tc.status, Redact(r.Body))
			}
			if got := r.Header.Values("X-Request-ID"); len(got) != 1 || got[0] != sent {
				t.Errorf("X-Request-ID %q, want the one sent, %q", got, sent)
			}

			var made []string
			for range 2 {
				r := mustDo(t, target, tc.req())
				if r.StatusCode == http.StatusCreated {
					registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
				}
				id := r.Header.Get("X-Request-ID")
				if strings.TrimSpace(id) == "" || len(id) > 200 || strings.IndexFunc(id, unicode.IsControl) >= 0 {
					t.Errorf("X-Request-ID %q when none was sent, want a fresh id", id)
				}
				made = append(made, id)
			}
			if made[0] == made[1] {
				t.Errorf("two requests without X-Request-ID both got %q", made[0])
			}
		})
	}
}
