package emulator

import (
	"net/http"
	"net/url"
	"strings"
)

// mux holds the emulator's routes as net/http method and path patterns. A GET
// pattern serves HEAD too. The client API takes every method under a project:
// its key is checked before the method, as the contract says (writes are 403).
func (e *Emulator) mux() *http.ServeMux {
	const (
		org     = "/app/v1/organizations/{org}"
		project = org + "/projects/{project}"
		keys    = project + "/api-keys"
		key     = keys + "/{id}"
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+org, e.serveOrgs)
	mux.HandleFunc("GET "+project, e.serveOrgs)
	mux.HandleFunc("GET "+keys, e.adminProject(func(w http.ResponseWriter, r *http.Request, proj projectRef, _ tokenClaims) {
		e.listKeysHandler(w, r, proj)
	}))
	mux.HandleFunc("POST "+keys, e.adminProject(e.createKeyHandler))
	mux.HandleFunc("GET "+key, e.adminKey(func(w http.ResponseWriter, r *http.Request, proj projectRef, id string, _ tokenClaims) {
		e.showKeyHandler(w, r, proj, id)
	}))
	mux.HandleFunc("PUT "+key, e.adminKey(e.updateKeyHandler))
	mux.HandleFunc("DELETE "+key, e.adminKey(e.deleteKeyHandler))
	mux.HandleFunc("/api/v1/organizations/{org}/projects/{project}/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		segs, _ := splitPath(r.URL.EscapedPath())
		e.serveClient(w, r, segs[2:])
	})
	return mux
}

// jsonRouting serves mux with the API's error envelope for what the mux
// itself would answer in plain text: an unknown path is 404 NOT_FOUND, a
// known path with another method is 405 METHOD_NOT_ALLOWED with an Allow
// header. A path with an empty segment (a double or trailing slash) or a bad
// escape is 404, never a redirect; an escaped slash stays inside its segment.
func jsonRouting(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		segs, ok := splitPath(r.URL.EscapedPath())
		if !ok {
			writeNotFound(w)
			return
		}
		r = withCanonicalPath(r, segs)
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			writeMethodNotAllowed(w, r, allowList(probe.header.Get("Allow")))
			return
		}
		writeNotFound(w)
	})
}

// withCanonicalPath returns r with its path escaped segment by segment, dot
// segments included, so the mux neither cleans nor redirects it: "." and ".."
// are names like any other here, as they always were.
func withCanonicalPath(r *http.Request, segs []string) *http.Request {
	escaped := make([]string, len(segs))
	for i, s := range segs {
		switch s {
		case ".":
			escaped[i] = "%2E"
		case "..":
			escaped[i] = "%2E%2E"
		default:
			escaped[i] = url.PathEscape(s)
		}
	}
	u := *r.URL
	u.Path = "/" + strings.Join(segs, "/")
	u.RawPath = "/" + strings.Join(escaped, "/")
	r2 := r.WithContext(r.Context())
	r2.URL = &u
	return r2
}

// allowList orders the mux's allowed methods the way the API lists them.
func allowList(muxAllow string) string {
	got := map[string]bool{}
	for _, m := range strings.Split(muxAllow, ",") {
		got[strings.TrimSpace(m)] = true
	}
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if got[m] {
			out = append(out, m)
		}
	}
	return strings.Join(out, ", ")
}

// headerProbe records what the mux's own fallback handler answers, without
// sending it.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(status int)      { p.status = status }
