package api

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Error is an HTTP answer from the API outside the 2xx range. Every string in it
// came from the server and has been sanitized: control characters are stripped,
// lengths are capped and known secrets are masked.
type Error struct {
	StatusCode int
	// Code is the machine-readable code of the error envelope, e.g.
	// APIKEY_NAME_ALREADY_EXISTS; "" when the body carried none.
	Code string
	// Message is the server's message for humans. When the body was not JSON it
	// is a description such as "HTTP 502 Bad Gateway (the response was not JSON:
	// text/html)"; the body itself is never included.
	Message string
	// Details is the envelope's optional details object (for VALIDATION_FAILED,
	// field name → problem).
	Details map[string]any
	// RequestID is the response's X-Request-ID, else the one the client sent.
	RequestID string
	Method    string
	Path      string // the request path, without query
	// RetryAfter is the wait the server asked for (Retry-After, X-RateLimit-Reset
	// or a retryAfter body field); 0 when it asked for none.
	RetryAfter time.Duration
}

// Error renders the error as
//
//	HTTP 409 APIKEY_NAME_ALREADY_EXISTS: An API key named "x" already exists (request id 3f2a…)
func (e *Error) Error() string {
	var b strings.Builder
	head := "HTTP " + strconv.Itoa(e.StatusCode)
	switch {
	case e.Code == "" && strings.HasPrefix(e.Message, head):
		// A message the client composed itself already names the status.
		b.WriteString(e.Message)
	default:
		b.WriteString(head)
		if e.Code != "" {
			b.WriteString(" ")
			b.WriteString(e.Code)
		} else if e.Message == "" {
			if t := http.StatusText(e.StatusCode); t != "" {
				b.WriteString(" ")
				b.WriteString(t)
			}
		}
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

var (
	notFoundCodes = map[string]bool{"NOT_FOUND": true, "APIKEY_NOT_FOUND": true}
	conflictCodes = map[string]bool{"APIKEY_NAME_ALREADY_EXISTS": true, "NAME_ALREADY_EXISTS": true, "ALREADY_EXISTS": true}
)

// IsNotFound reports whether err is (or wraps) an *Error for a missing resource:
// HTTP 404, or the code NOT_FOUND or APIKEY_NOT_FOUND.
func IsNotFound(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.StatusCode == http.StatusNotFound || notFoundCodes[e.Code]
}

// IsConflict reports whether err is (or wraps) an *Error for a conflict: HTTP
// 409, or the code APIKEY_NAME_ALREADY_EXISTS, NAME_ALREADY_EXISTS or
// ALREADY_EXISTS.
func IsConflict(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.StatusCode == http.StatusConflict || conflictCodes[e.Code]
}

// OutcomeUnknownError means a create (POST) reached the server but the client
// cannot tell whether it took effect: the connection failed or the deadline
// passed after the request was sent, the server answered 5xx, or its success
// answer could not be read. POST is never retried; the caller should look the
// key up by name before doing anything else.
type OutcomeUnknownError struct {
	Method, Path string
	Err          error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("the outcome is unknown; the key may have been created: %v", e.Err)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// TimeoutError means the command's time for the API (Options.Timeout) ran out,
// during the call named in Err. errors.Is(err, context.DeadlineExceeded) holds.
type TimeoutError struct {
	Timeout time.Duration
	// Err wraps context.DeadlineExceeded and names the request in flight.
	Err error

	last string // what the last failed attempt got, when one failed before the deadline
}

func (e *TimeoutError) Error() string {
	msg := fmt.Sprintf("timed out after %s waiting for the API", e.Timeout)
	if e.last != "" {
		msg += "; the last attempt got " + e.last
	}
	return msg + " (allow more time with --timeout)"
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// RetryLaterError means the server asked the client to wait (429 or 503 with
// Retry-After, X-RateLimit-Reset or a retryAfter body field) longer than the
// client waits on its own (60 s, or the time left before the deadline). The
// call failed at once instead of sleeping.
type RetryLaterError struct {
	After time.Duration
	Err   *Error
	// At is when the wait ends (the client's clock).
	At time.Time
}

func (e *RetryLaterError) Error() string {
	var b strings.Builder
	if e.Err != nil {
		b.WriteString(e.Err.Error())
		b.WriteString("; ")
	}
	if e.After >= maxWait {
		b.WriteString("the server asks to wait longer than this client can count (over 290 years): try again much later, or ask the API's operators")
		return b.String()
	}
	fmt.Fprintf(&b, "the server asks to wait %s: try again after %s", humanWait(e.After), e.At.UTC().Format(time.RFC3339))
	return b.String()
}

// humanWait renders a wait: "1m30s" up to two days, then whole days.
func humanWait(d time.Duration) string {
	if d < 48*time.Hour {
		return d.Round(time.Second).String()
	}
	return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " days"
}

func (e *RetryLaterError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// ConfigError means an Options value is unusable (a malformed or insecure base
// URL, a token that cannot go in a header). New returns it before any connection
// is made; callers report it as a usage error.
type ConfigError struct {
	Message string
}

func (e *ConfigError) Error() string { return e.Message }

// transportError is a failure with no HTTP response: the connection could not
// be made, or broke before the answer arrived.
type transportError struct {
	method, url string
	attempts    int
	err         error
}

func (e *transportError) Error() string {
	cause := e.err
	// *url.Error repeats the method and the URL; show what it wraps.
	var ue *url.Error
	if errors.As(e.err, &ue) && ue.Err != nil {
		cause = ue.Err
	}
	msg := fmt.Sprintf("%s %s: %s", e.method, e.url, describeTransport(cause))
	if e.attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.attempts)
	}
	return msg
}

func (e *transportError) Unwrap() error { return e.err }

// plainHTTPAnswer reports net/http's error for an https:// URL answered in
// plain HTTP (it has no type of its own).
func plainHTTPAnswer(err error) bool {
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// describeTransport says in plain words what went wrong on the connection, for
// the common cases; anything else keeps the library's own message.
func describeTransport(err error) string {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Sprintf("the host name %q does not resolve (no such host)", dnsErr.Name)
		}
		return fmt.Sprintf("the host name %q could not be resolved", dnsErr.Name)
	case plainHTTPAnswer(err):
		return "the server answered in plain HTTP, not HTTPS: use an http:// URL for it (the local emulator speaks plain HTTP)"
	case errors.As(err, &certErr):
		return "the server's TLS certificate could not be verified (" + certErr.Err.Error() + ")"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection without a complete answer"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "no answer in time"
	}
	return err.Error()
}

// redirectError is returned by the redirect policy; net/http wraps it in a
// *url.Error.
type redirectError struct {
	from, to string
	reason   string
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("refusing to follow a redirect from %s to %s: %s", e.from, e.to, e.reason)
}
