package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Request limits.
const (
	maxBodyBytes   = 64 << 10
	maxHeaderBytes = 64 << 10 // what the emulator accepts; larger gets a JSON 431
	// readHeaderBytes is what net/http reads before answering 431 itself, in
	// plain text; between the two the emulator answers in its envelope.
	readHeaderBytes = 1 << 20
	maxRequestIDLen = 128
)

// serverTimeouts are the http.Server's timeouts and the shutdown grace period.
type serverTimeouts struct {
	readHeader, read, write, idle, shutdown time.Duration
}

var defaultTimeouts = serverTimeouts{
	readHeader: 5 * time.Second,
	read:       30 * time.Second,
	write:      30 * time.Second,
	idle:       2 * time.Minute,
	shutdown:   15 * time.Second,
}

// reqInfo is what the handlers learn about a request that the access log
// wants: never a credential, only the key id and the token subject.
type reqInfo struct {
	id     string
	remote string
	keyID  string
	actor  string
}

type infoKey struct{}

func requestInfo(r *http.Request) *reqInfo {
	if info, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return info
	}
	return &reqInfo{}
}

func (e *Emulator) routes() http.Handler {
	return e.middleware(jsonRouting(e.mux()))
}

// middleware gives every request an id (echoed in X-Request-ID), a body limit,
// one access-log line and a last-resort recovery from panics.
func (e *Emulator) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{id: requestID(r), remote: remoteHost(r)}
		w.Header().Set("X-Request-ID", info.id)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				e.log.Error("panic while serving a request", "request_id", info.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !sw.wroteHeader {
					writeError(sw, http.StatusInternalServerError, "INTERNAL_ERROR", "The emulator hit an internal error", nil)
				}
			}
			e.logRequest(r, sw, info, time.Since(start))
		}()
		if headerBytes(r) > maxHeaderBytes {
			writeError(sw, http.StatusRequestHeaderFieldsTooLarge, "HEADERS_TOO_LARGE",
				fmt.Sprintf("The request headers exceed %d KiB", maxHeaderBytes>>10), nil)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// headerBytes is the size of r's request line and headers as sent, near enough.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

func (e *Emulator) logRequest(r *http.Request, sw *statusWriter, info *reqInfo, d time.Duration) {
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("request_id", info.id),
		slog.String("remote", info.remote),
	}
	if info.keyID != "" {
		attrs = append(attrs, slog.String("key_id", info.keyID))
	}
	if info.actor != "" {
		attrs = append(attrs, slog.String("actor", info.actor))
	}
	e.log.LogAttrs(r.Context(), level, "request", attrs...)
}

// requestID echoes the client's X-Request-ID when it is one value of 1 to 128
// visible ASCII characters (what tracing systems send: UUIDs, "req_123",
// base64), else makes a fresh UUID.
func requestID(r *http.Request) string {
	if vals := r.Header.Values("X-Request-ID"); len(vals) == 1 && validRequestID(vals[0]) {
		return vals[0]
	}
	return uuid.NewString()
}

func validRequestID(s string) bool {
	if s == "" || len(s) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e { // visible ASCII only: no spaces, controls or other bytes
			return false
		}
	}
	return true
}

func remoteHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status = code
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// splitPath splits an escaped URL path into unescaped segments, so an escaped
// slash stays inside its segment. Empty segments (a double or trailing slash)
// make the path invalid.
func splitPath(escaped string) ([]string, bool) {
	if !strings.HasPrefix(escaped, "/") {
		return nil, false
	}
	parts := strings.Split(escaped[1:], "/")
	for i, p := range parts {
		if p == "" {
			return nil, false
		}
		u, err := url.PathUnescape(p)
		if err != nil || u == "" {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}

// Serve answers requests on ln until ctx is done, then stops accepting, lets
// in-flight requests finish (for up to 15 s) and returns. The caller closes the
// database afterwards.
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           e.handler,
		ReadHeaderTimeout: e.timeouts.readHeader,
		ReadTimeout:       e.timeouts.read,
		WriteTimeout:      e.timeouts.write,
		IdleTimeout:       e.timeouts.idle,
		MaxHeaderBytes:    readHeaderBytes,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), e.timeouts.shutdown)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
		err = fmt.Errorf("in-flight requests did not finish within %s and were cut off", e.timeouts.shutdown)
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// --- responses ---

type errorBody struct {
	Error apiError `json:"error"`
}

type apiError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Details map[string]string `json:"details,omitempty"`
}

// httpError is an error response a handler decided on.
type httpError struct {
	status int
	apiError
}

func newHTTPError(status int, code, message string, details map[string]string) *httpError {
	return &httpError{status: status, apiError: apiError{Code: code, Message: message, Details: details}}
}

func (h *httpError) write(w http.ResponseWriter) {
	writeError(w, h.status, h.Code, h.Message, h.Details)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		// Every value written here is built from plain types; this is a bug.
		panic(fmt.Sprintf("encode response: %v", err))
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, message string, details map[string]string) {
	writeJSON(w, status, errorBody{Error: apiError{Code: code, Message: message, Details: details}})
}

func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "NOT_FOUND", "Not found", nil)
}

func writeMethodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("Method %s is not allowed here; allowed: %s", r.Method, allow), nil)
}

func (e *Emulator) writeInternal(w http.ResponseWriter, r *http.Request, what string, err error) {
	if isBusy(err) {
		// Another process held the database's write lock past busy_timeout
		// (a large seed, say): a temporary condition, worth a retry.
		e.log.Warn(what+": database busy", "request_id", requestInfo(r).id)
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "The emulator's database is busy; retry in a second", nil)
		return
	}
	e.log.Error(what, "request_id", requestInfo(r).id, "error", err.Error())
	writeError(w, http.StatusInternalServerError, "INTERNAL_ERROR", "The emulator hit an internal error", nil)
}

// formatTime renders Unix seconds the way the API does: ISO 8601 UTC to the second.
func formatTime(sec int64) string {
	return time.Unix(sec, 0).UTC().Format("2006-01-02T15:04:05Z")
}
