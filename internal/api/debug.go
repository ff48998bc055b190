package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/metabind/metabind-cli/internal/redact"
	"github.com/metabind/metabind-cli/internal/textsafe"
)

// maxDebugBody is how much of a (masked) JSON body the trace shows.
const maxDebugBody = 4 << 10

// debugLogger writes the --debug trace: one line per request, response,
// failure and retry. Credentials are masked three ways: sensitive headers are
// never shown, sensitive JSON fields are replaced, and the token and the
// call's secrets are scrubbed from every line.
type debugLogger struct {
	mu      sync.Mutex
	w       io.Writer
	secrets []string
}

func newDebugLogger(w io.Writer, token string) *debugLogger {
	return &debugLogger{w: w, secrets: []string{token}}
}

// sensitiveHeaders are shown only masked.
var sensitiveHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"X-Api-Key":           true,
	"Cookie":              true,
	"Set-Cookie":          true,
}

// shownHeaders are shown with their value.
var shownHeaders = map[string]bool{
	"Accept":          true,
	"Content-Type":    true,
	"Content-Length":  true,
	"X-Request-Id":    true,
	"Retry-After":     true,
	"User-Agent":      true,
	"Location":        true,
	"Idempotency-Key": true,
}

func (d *debugLogger) line(secrets []string, format string, args ...any) {
	if d == nil {
		return
	}
	s := fmt.Sprintf(format, args...)
	s = redact.Values(redact.Values(s, d.secrets), secrets)
	s = textsafe.Escape(s) // one line that cannot drive the terminal
	d.mu.Lock()
	defer d.mu.Unlock()
	_, _ = io.WriteString(d.w, "debug: "+s+"\n")
}

func (d *debugLogger) request(r *http.Request, info *attemptInfo) {
	if d == nil {
		return
	}
	h := r.Header.Clone()
	if r.ContentLength > 0 && h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	d.line(info.secrets, "> %s %s (attempt %d, request id %s) %s%s",
		r.Method, r.URL.String(), info.attempt, info.requestID, formatHeaders(h), formatBody(info.body, "application/json"))
}

func (d *debugLogger) response(method, target string, resp *response, info *attemptInfo, elapsed time.Duration) {
	if d == nil {
		return
	}
	body := formatBody(resp.body, mediaType(resp.header))
	if resp.readErr != nil {
		body = "; body not read: " + resp.readErr.Error()
	}
	d.line(info.secrets, "< %s %s %s in %s (attempt %d, request id %s) %s%s",
		resp.statusText, method, target, elapsed.Round(time.Millisecond), info.attempt, resp.requestID, formatHeaders(resp.header), body)
}

func (d *debugLogger) failure(method, target string, info *attemptInfo, elapsed time.Duration, err error) {
	if d == nil {
		return
	}
	d.line(info.secrets, "! %s %s failed after %s (attempt %d, request id %s): %v",
		method, target, elapsed.Round(time.Millisecond), info.attempt, info.requestID, err)
}

func (d *debugLogger) retry(cl *call, next, max int, wait time.Duration, cause error) {
	if d == nil {
		return
	}
	d.line(cl.secrets, "retrying %s %s in %s (attempt %d of %d) after: %v", cl.method, cl.path, wait.Round(time.Millisecond), next, max, cause)
}

func (d *debugLogger) note(secrets []string, format string, args ...any) {
	d.line(secrets, format, args...)
}

// formatHeaders lists the allow-listed headers with their values and the
// sensitive ones masked; all others are left out.
func formatHeaders(h http.Header) string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var parts []string
	for _, name := range names {
		canon := http.CanonicalHeaderKey(name)
		switch {
		case sensitiveHeaders[canon]:
			parts = append(parts, canon+": "+maskHeader(h.Get(name)))
		case shownHeaders[canon] || strings.HasPrefix(canon, "X-Ratelimit-"):
			parts = append(parts, canon+": "+strings.Join(h.Values(name), ", "))
		}
	}
	return "headers {" + strings.Join(parts, "; ") + "}"
}

func maskHeader(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return "Bearer ****"
	}
	return "****"
}

// formatBody shows a JSON body with its sensitive fields masked, cut to 4 KiB;
// any other body only by size and type.
func formatBody(body []byte, contentType string) string {
	if len(body) == 0 {
		return ""
	}
	masked, ok := maskJSON(body)
	if !ok {
		if contentType == "" {
			contentType = "unknown type"
		}
		return fmt.Sprintf(" body: %d bytes of %s, not shown", len(body), contentType)
	}
	if len(masked) > maxDebugBody {
		cut := maxDebugBody
		for cut > 0 && !utf8.RuneStart(masked[cut]) {
			cut--
		}
		masked = masked[:cut] + "…(truncated)"
	}
	return fmt.Sprintf(" body (%d bytes): %s", len(body), masked)
}

// maskJSON re-encodes a JSON document compactly with the values of sensitive
// fields replaced by "****". ok is false when body is not one JSON value.
func maskJSON(body []byte) (string, bool) {
	var v any
	if err := unmarshalUseNumber(bytes.TrimSpace(body), &v); err != nil {
		return "", false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(redact.Fields(v)); err != nil {
		return "", false
	}
	return strings.TrimSuffix(buf.String(), "\n"), true
}
