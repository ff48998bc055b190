package emulator

import (
	"net/url"
	"testing"
)

// TestMuxRouting covers what the ServeMux patterns and their JSON wrapper must
// keep: the envelope for the mux's own 404 and 405, key ids that are not UUIDs,
// escaped slashes inside a segment, and dot segments that are never cleaned or
// redirected.
func TestMuxRouting(t *testing.T) {
	h := newHarness(t)
	k := h.create("k")
	collection := keysPath(testOrg, testProject)
	cases := []struct {
		method, path string
		status       int
		code         string
		allow        string
	}{
		{"PATCH", "/app/v1/organizations/" + testOrg, 405, "METHOD_NOT_ALLOWED", "GET, HEAD"},
		{"POST", "/app/v1/organizations/" + testOrg + "/projects/" + testProject, 405, "METHOD_NOT_ALLOWED", "GET, HEAD"},
		{"PATCH", collection, 405, "METHOD_NOT_ALLOWED", "GET, HEAD, POST"},
		{"GET", collection + "/not-a-uuid", 404, "NOT_FOUND", ""},
		{"DELETE", collection + "/not-a-uuid", 404, "NOT_FOUND", ""},
		{"GET", collection + "/" + url.PathEscape(k.ID+"/x"), 404, "NOT_FOUND", ""},
		{"GET", "/app/v1/organizations/" + testOrg + "/", 404, "NOT_FOUND", ""},
		{"GET", "/app/v1//organizations/" + testOrg, 404, "NOT_FOUND", ""},
		{"GET", "/app/v1/organizations/%2E%2E/projects/web/api-keys", 403, "FORBIDDEN", ""},
		{"GET", "/app/v1/organizations/../projects/web/api-keys", 403, "FORBIDDEN", ""},
		{"GET", "/app/v1/organizations/" + testOrg + "/projects/./api-keys", 404, "NOT_FOUND", ""},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			w := h.raw(tc.method, tc.path, "", withBearer(h.token))
			expectError(t, w, tc.status, tc.code)
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			if loc := w.Header().Get("Location"); loc != "" {
				t.Errorf("redirected to %q", loc)
			}
		})
	}
	// A HEAD on a GET route is served, with no body.
	w := h.raw("HEAD", collection+"/"+k.ID, "", withBearer(h.token))
	if w.Code != 200 {
		t.Fatalf("HEAD key: %d %s", w.Code, w.Body.String())
	}
}
