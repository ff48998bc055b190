// Package api is the one typed client of the Metabind API: the admin API-key
// endpoints under /app/v1 (JWT) and the key check on the client API under
// /api/v1 (x-api-key).
//
// A client is made for one command, and Options.Timeout bounds the time all its
// calls spend waiting on the API, retries and pages included, or with
// Options.PerCall each call's own, not counting waits for the rate limit
// (budget.go). Admin requests are paced to the server's rate limit (pace.go). GET,
// PUT and DELETE are retried on connection failures and on 408, 429, 502, 503
// and 504; POST never is. The client refuses plain http to non-loopback hosts
// unless told otherwise, never follows a redirect to another origin, reads at
// most 10 MiB of any response, and masks credentials in its debug trace.
package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/google/uuid"
	"golang.org/x/net/http/httpproxy"

	"github.com/metabind/metabind-cli/internal/redact"
)

// Defaults and limits of the transport.
const (
	DefaultTimeout = 30 * time.Second

	dialTimeout          = 10 * time.Second
	tlsHandshakeTimeout  = 10 * time.Second
	maxHeaderWait        = 30 * time.Second
	maxRedirects         = 10
	defaultUserAgent     = "metabind"
	requestIDHeader      = "X-Request-ID"
	idempotencyKeyHeader = "Idempotency-Key"
)

// Options configure a Client.
type Options struct {
	BaseURL   string        // e.g. "https://api.metabind.ai" (no /app/v1 suffix)
	Token     string        // admin JWT; empty allowed (CheckKey needs none)
	UserAgent string        // "metabind/<version>"
	Timeout   time.Duration // time allowed in API calls over the client's life (retries, waits, pages); 0 = 30s
	Debug     io.Writer     // non-nil: redacted request/response trace
	AllowHTTP bool          // permit http:// to a non-loopback host
	// HTTPClient replaces the client's own (tests). nil means a transport with
	// dial, TLS and response-header timeouts and the proxy from the environment.
	// The client works on a copy; its redirect policy is always replaced.
	HTTPClient *http.Client
	// Sleep waits between retries (tests); nil = a real wait that ends early when
	// ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// PerCall makes Timeout the limit of each call on its own (its retries and
	// pages included), not counting waits for the rate limit (budget.go).
	PerCall bool
}

// Client talks to one Metabind API origin. It is safe for concurrent use.
type Client struct {
	rc        *resty.Client
	base      string // validated base URL, no trailing slash
	token     string
	userAgent string
	timeout   time.Duration
	budget    *budget      // what is left of timeout for this command
	perCall   bool         // timeout bounds each call, not the client's life
	pacer     pacer        // waits for the rate limit (pace.go)
	debug     *debugLogger // nil when tracing is off

	sleep       func(ctx context.Context, d time.Duration) error
	now         func() time.Time
	randN       func(n int64) int64 // uniform in [0, n); the retry jitter
	maxAttempts int

	changes changeLog // successful requests that may have changed something (changes.go)
}

// New validates opts and builds a client. It makes no connection. A bad or
// insecure base URL, or a token that cannot be sent in a header, gives a
// *ConfigError.
func New(opts Options) (*Client, error) {
	base, err := validateBaseURL(opts.BaseURL, opts.AllowHTTP)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		return nil, &ConfigError{Message: fmt.Sprintf("invalid timeout %s: it must be positive", timeout)}
	}
	if opts.Token != "" && !validHeaderValue(opts.Token) {
		return nil, &ConfigError{Message: "the token contains characters that cannot be sent in an HTTP header (spaces, line breaks or control characters); check MB_TOKEN, or log in again with the token exactly as issued"}
	}
	ua := strings.TrimSpace(opts.UserAgent)
	if ua == "" || !validHeaderValue(ua) {
		ua = defaultUserAgent
	}

	var hc *http.Client
	if opts.HTTPClient != nil {
		cp := *opts.HTTPClient
		hc = &cp
	} else {
		hc = &http.Client{Transport: newTransport(timeout, proxyFromEnvironment())}
	}
	hc.CheckRedirect = checkRedirect

	c := &Client{
		base:        base,
		token:       opts.Token,
		userAgent:   ua,
		timeout:     timeout,
		budget:      &budget{left: timeout},
		perCall:     opts.PerCall,
		sleep:       opts.Sleep,
		now:         time.Now,
		randN:       rand.Int64N,
		maxAttempts: 3,
	}
	if c.sleep == nil {
		c.sleep = sleepContext
	}
	if opts.Debug != nil {
		c.debug = newDebugLogger(opts.Debug, opts.Token)
	}

	rc := resty.NewWithClient(hc)
	rc.SetLogger(discardLogger{})
	rc.SetDisableWarn(true)
	rc.SetRetryCount(0) // the client retries itself (retry.go)
	rc.SetResponseBodyLimit(maxBodyBytes)
	rc.SetPreRequestHook(c.preRequest)
	c.rc = rc
	return c, nil
}

// BaseURL returns the validated base URL, without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// validateBaseURL checks the base URL before any connection is made.
func validateBaseURL(raw string, allowHTTP bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", &ConfigError{Message: "no API URL is set (use --api-url or MB_API_URL, e.g. https://api.metabind.ai)"}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "" && u.Host == "" && !strings.Contains(raw, "://")) {
		// "127.0.0.1:8787" and "api.example.com:443" parse badly or as a scheme.
		return "", &ConfigError{Message: fmt.Sprintf("invalid API URL %q: it must be an absolute URL starting with https:// (or http:// for a local emulator), e.g. https://api.metabind.ai", raw)}
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", &ConfigError{Message: fmt.Sprintf("invalid API URL %q: it must start with https:// (e.g. https://api.metabind.ai)", redact.URL(raw))}
	}
	if u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return "", &ConfigError{Message: fmt.Sprintf("invalid API URL %q: it has no host", redact.URL(raw))}
	}
	if u.User != nil {
		return "", &ConfigError{Message: fmt.Sprintf("invalid API URL %q: it must not contain a user name or password", u.Redacted())}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", &ConfigError{Message: fmt.Sprintf("invalid API URL %q: the port must be a number from 1 to 65535", redact.URL(raw))}
		}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", &ConfigError{Message: fmt.Sprintf("invalid API URL %q: it must not contain a query or fragment", redact.URL(raw))}
	}
	if u.Scheme == "http" && !allowHTTP && !isLoopbackHost(u.Hostname()) {
		return "", &ConfigError{Message: fmt.Sprintf(
			"refusing to use plain http for %s: credentials would cross the network unencrypted (only localhost, 127.0.0.0/8 and [::1], written exactly so, count as local); use https, or pass --allow-http (or set MB_ALLOW_HTTP=1) if this is a trusted network",
			u.Host)}
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// isLoopbackHost reports whether host (a URL's Hostname) is a loopback host:
// an IP literal in 127.0.0.0/8 (an IPv4-mapped form included) or ::1, or exactly
// "localhost". Only these are trusted with plain http and kept away from a
// proxy. "localhost." (a rooted name, resolved through DNS search rules),
// "LOCALHOST", zoned addresses and names that merely resolve to a loopback
// address are not: nothing guarantees where they lead.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return false
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.As4()[0] == 127
	}
	return ip == netip.IPv6Loopback()
}

// validHeaderValue reports whether s can be sent as a header value unchanged.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 || b == 0x7f || b == ' ' && (i == 0 || i == len(s)-1) {
			return false
		}
	}
	return true
}

// proxyFromEnvironment reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and their
// lower-case forms) now, not once per process as http.ProxyFromEnvironment does.
// A loopback host (isLoopbackHost) never goes through a proxy, whatever the
// environment says; every other host follows HTTP(S)_PROXY and NO_PROXY.
func proxyFromEnvironment() func(*http.Request) (*url.URL, error) {
	proxy := httpproxy.FromEnvironment().ProxyFunc()
	return func(r *http.Request) (*url.URL, error) {
		if isLoopbackHost(r.URL.Hostname()) {
			return nil, nil
		}
		return proxy(r.URL)
	}
}

func newTransport(timeout time.Duration, proxy func(*http.Request) (*url.URL, error)) *http.Transport {
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: min(timeout, maxHeaderWait),
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// checkRedirect follows a redirect only within the origin of the original
// request (same scheme, host and port), so credentials never reach another
// origin and https is never downgraded.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if len(via) >= maxRedirects {
		return &redirectError{from: origin(first), to: origin(req.URL), reason: fmt.Sprintf("stopped after %d redirects", maxRedirects)}
	}
	if origin(req.URL) != origin(first) {
		reason := "credentials are only sent to " + origin(first)
		if first.Scheme == "https" && req.URL.Scheme != "https" {
			reason = "it would downgrade https to plain http"
		}
		return &redirectError{from: origin(first), to: origin(req.URL), reason: reason}
	}
	return nil
}

// origin is scheme://host:port with the default port made explicit.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// Recovery calls (a new key removed after its secret was lost) must be able to
// finish after an interrupt: the process's signal handler asks RecoveryBusy
// before it ends a command that outlived its grace period.
var (
	recoveryActive atomic.Int64
	recoveryLast   atomic.Int64 // UnixNano of the last start or end of a recovery send
)

// RecoveryBusy reports whether a recovery call is being sent, or one started
// or ended within the last within (a retry's wait, or the revoke that follows
// a failed delete).
func RecoveryBusy(within time.Duration) bool {
	if recoveryActive.Load() > 0 {
		return true
	}
	last := recoveryLast.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < within
}

// call describes one logical request; do() may send it several times.
type call struct {
	method string
	path   string // escaped, under the base URL
	query  url.Values
	body   []byte // JSON; nil for none
	admin  bool   // send the JWT
	apiKey string // send as x-api-key (client API)
	// idempotencyKey is sent as Idempotency-Key (creates); the same value on
	// every send of this call.
	idempotencyKey string
	// secrets are masked wherever this call's data is printed or kept.
	secrets []string
	// header holds extra headers (RawRequest), set after the standard ones.
	header http.Header
}

func (cl *call) url(base string) string {
	u := base + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	return u
}

// response is one HTTP answer with its body read.
type response struct {
	status     int
	statusText string // e.g. "502 Bad Gateway"
	header     http.Header
	body       []byte
	readErr    error  // the body could not be read (cut off, over the cap)
	requestID  string // the server's X-Request-ID, else the one sent
}

func (r *response) ok() bool { return r.status >= 200 && r.status <= 299 }

// describe is "HTTP 200, request id …" for messages.
func (r *response) describe() string {
	s := fmt.Sprintf("HTTP %d", r.status)
	if r.requestID != "" {
		s += ", request id " + r.requestID
	}
	return s
}

type attemptKey struct{}

// attemptInfo travels in the request context to the pre-request hook.
type attemptInfo struct {
	attempt   int
	requestID string
	body      []byte
	secrets   []string
}

// send makes one attempt. sent reports whether the request (at least its
// headers) was written to a connection, i.e. whether the server may have acted
// on it. A non-nil response with a nil error is an HTTP answer of any status; a
// non-nil response with an error is a 2xx answer whose body could not be read.
func (c *Client) send(ctx context.Context, cl *call, attempt int) (resp *response, sent bool, err error) {
	if rec, _ := ctx.Value(recoveryKey{}).(bool); rec {
		recoveryActive.Add(1)
		recoveryLast.Store(time.Now().UnixNano())
		defer func() {
			recoveryLast.Store(time.Now().UnixNano())
			recoveryActive.Add(-1)
		}()
	}
	info := &attemptInfo{attempt: attempt, requestID: uuid.NewString(), body: cl.body, secrets: cl.secrets}
	var wrote atomic.Bool
	actx := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
	})
	actx = context.WithValue(actx, attemptKey{}, info)

	req := c.rc.R().SetContext(actx).
		SetHeader("Accept", "application/json").
		SetHeader("User-Agent", c.userAgent).
		SetHeader(requestIDHeader, info.requestID)
	if cl.admin && c.token != "" {
		req.SetHeader("Authorization", "Bearer "+c.token)
	}
	if cl.apiKey != "" {
		req.SetHeader("x-api-key", cl.apiKey)
	}
	if cl.idempotencyKey != "" {
		req.SetHeader(idempotencyKeyHeader, cl.idempotencyKey)
	}
	if cl.body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(cl.body)
	}
	for name, vals := range cl.header {
		req.Header.Del(name)
		for _, v := range vals {
			req.Header.Add(name, v)
		}
	}

	target := cl.url(c.base)
	start := time.Now()
	rr, err := req.Execute(cl.method, target)
	elapsed := time.Since(start)

	var refused *redirectError
	if errors.As(err, &refused) {
		// net/http returns the redirect response, body closed, with the error.
		c.debug.failure(cl.method, target, info, elapsed, err)
		return nil, true, err
	}
	if rr == nil || rr.RawResponse == nil {
		if err == nil {
			err = errors.New("no response")
		}
		c.debug.failure(cl.method, target, info, elapsed, err)
		return nil, wrote.Load(), err
	}
	raw := rr.RawResponse
	resp = &response{
		status:     raw.StatusCode,
		statusText: raw.Status,
		header:     raw.Header,
		body:       rr.Body(),
		requestID:  sanitize(raw.Header.Get(requestIDHeader), maxIDRunes),
	}
	if resp.requestID == "" {
		resp.requestID = info.requestID
	}
	if err != nil {
		resp.body = nil
		resp.readErr = bodyReadError(err)
	}
	c.debug.response(cl.method, target, resp, info, elapsed)
	c.changes.note(cl, resp)
	if resp.readErr != nil && resp.ok() {
		return resp, true, fmt.Errorf("%w (%s)", resp.readErr, resp.describe())
	}
	return resp, true, nil
}

func bodyReadError(err error) error {
	if errors.Is(err, resty.ErrResponseBodyTooLarge) {
		return fmt.Errorf("the server's response is larger than the %d MiB limit; it was not read", maxBodyBytes>>20)
	}
	return fmt.Errorf("the connection broke before the whole response arrived: %w", err)
}

// preRequest runs after resty built the *http.Request and before it is sent.
func (c *Client) preRequest(_ *resty.Client, r *http.Request) error {
	if r.Method == http.MethodPost {
		// net/http silently resends a request on a stale keep-alive connection
		// when it thinks the request is replayable, which an Idempotency-Key
		// header makes it think. Without GetBody it cannot resend a POST, so a
		// create is sent at most once.
		r.GetBody = nil
	}
	if info, ok := r.Context().Value(attemptKey{}).(*attemptInfo); ok {
		c.debug.request(r, info)
	}
	return nil
}

var errCallDeadline = errors.New("the call's deadline passed")

// ctxDone reports whether ctx is finished or its deadline has passed (the timer
// that cancels it may not have run yet).
func ctxDone(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// contextError turns the end of ctx into the error the caller sees: a
// *TimeoutError for the call's own deadline, an error wrapping
// context.Canceled when the caller cancelled.
func (c *Client) contextError(ctx context.Context, cl *call, last error) error {
	<-ctx.Done() // ctxDone may have seen the deadline before the timer fired
	where := cl.method + " " + cl.path
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errCallDeadline):
		te := &TimeoutError{Timeout: c.timeout, Err: fmt.Errorf("%s: %w", where, context.DeadlineExceeded)}
		if last != nil {
			te.last = last.Error()
		}
		return te
	case errors.Is(ctx.Err(), context.Canceled):
		if cause != nil && !errors.Is(cause, context.Canceled) {
			return fmt.Errorf("%s cancelled: %w (%w)", where, context.Canceled, cause)
		}
		return fmt.Errorf("%s cancelled: %w", where, context.Canceled)
	default:
		return fmt.Errorf("%s: %w", where, ctx.Err())
	}
}

// sleepContext waits d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pathSegment escapes one path segment and refuses the empty and dot segments,
// which would change the path's meaning.
func pathSegment(what, s string) (string, error) {
	switch s {
	case "":
		return "", fmt.Errorf("the %s is empty", what)
	case ".", "..":
		return "", fmt.Errorf("invalid %s %q", what, s)
	}
	return url.PathEscape(s), nil
}

// discardLogger silences resty's own logging.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
