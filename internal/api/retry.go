package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/metabind/metabind-cli/internal/redact"
)

// Retry policy.
const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 8 * time.Second
	// maxRetryAfter is the longest wait the server may ask for before the
	// client gives up at once with a *RetryLaterError.
	maxRetryAfter = 60 * time.Second
)

// retryableStatus reports whether an HTTP status is worth another attempt of
// an idempotent request.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// idempotent reports whether the method may be sent again automatically.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// retryableTransportError reports whether a failure without a response may be
// transient. Refused redirects, unknown hosts and certificate problems are not.
func retryableTransportError(err error) bool {
	var re *redirectError
	if errors.As(err, &re) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	if plainHTTPAnswer(err) {
		return false // the same URL will get the same answer
	}
	var (
		verifyErr   *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &verifyErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr),
		errors.As(err, &invalidErr), errors.As(err, &recordErr):
		return false
	}
	return true
}

// backoff is the wait before attempt n+1 after n failed attempts: full jitter,
// uniform in [0, min(cap, base·2^(n-1))].
func (c *Client) backoff(n int) time.Duration {
	return jitter(n, c.randN)
}

func jitter(n int, randN func(int64) int64) time.Duration {
	if n < 1 {
		n = 1
	}
	ceiling := backoffCap
	if n <= 16 { // 500ms·2^15 is far above the cap; avoids overflow
		ceiling = min(backoffCap, backoffBase<<(n-1))
	}
	return time.Duration(randN(int64(ceiling) + 1))
}

// maxDelaySeconds is the largest number of seconds a time.Duration holds.
const maxDelaySeconds = math.MaxInt64 / int64(time.Second)

// maxWait stands for a wait too long for a time.Duration: a number of seconds
// that overflows is still a clear "not now", far above the cap.
const maxWait = time.Duration(math.MaxInt64)

// parseRetryAfter reads a Retry-After value: delta-seconds or an HTTP-date.
// ok is false for an empty, negative, malformed or past value; the caller then
// uses its own backoff. A number of seconds too large to hold is maxWait.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		return digitSeconds(v), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d = t.Sub(now)
	if d <= 0 {
		return 0, false
	}
	return d, true
}

// parseRateLimitReset reads X-RateLimit-Reset, a Unix time in seconds.
func parseRateLimitReset(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if !isDigits(v) {
		return 0, false
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs > now.Unix()+maxDelaySeconds {
		return maxWait, true // beyond any date a time.Duration reaches
	}
	d := time.Unix(secs, 0).Sub(now)
	if d <= 0 {
		return 0, false
	}
	return d, true
}

// digitSeconds turns a string of digits into seconds, maxWait when it overflows.
func digitSeconds(v string) time.Duration {
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || secs > maxDelaySeconds {
		return maxWait
	}
	return time.Duration(secs) * time.Second
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// serverWait is the wait the server asked for: Retry-After, else (for a 429
// only) X-RateLimit-Reset, else a retryAfter field in the error body. A server
// may send X-RateLimit-Reset on every answer, meaning "the bucket is full again
// then"; it says nothing about when a 5xx will pass.
func serverWait(h http.Header, body errorBody, now time.Time, status int) (time.Duration, bool) {
	if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		return d, true
	}
	if status == http.StatusTooManyRequests {
		if d, ok := parseRateLimitReset(h.Get("X-RateLimit-Reset"), now); ok {
			return d, true
		}
	}
	if body.hasRetryAfter {
		return body.retryAfter, true
	}
	return 0, false
}

// do sends cl until it gets an answer worth returning, retrying idempotent
// requests on transient failures. It returns:
//   - a 2xx response and a nil error;
//   - for any other final status, the response and an error (*Error,
//     *RetryLaterError, or for POST 5xx *OutcomeUnknownError);
//   - for everything else (transport failures, deadline, cancellation) a nil
//     response and an error.
func (c *Client) do(ctx context.Context, cl *call) (*response, error) {
	var (
		lastErr      error
		lastResp     *response
		maybeApplied bool // an earlier attempt may have taken effect
	)
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return nil, c.contextError(ctx, cl, lastErr)
		}
		if err := c.pace(ctx, cl); err != nil {
			if ctx.Err() != nil {
				return nil, c.contextError(ctx, cl, lastErr)
			}
			return nil, err
		}
		actx, release := c.attemptContext(ctx)
		resp, sent, err := c.send(actx, cl, attempt)
		var cerr error // the call's or the attempt's time ran out, or it was cancelled
		if err != nil && ctxDone(actx) {
			cerr = c.contextError(actx, cl, lastErr)
		}
		release()
		if resp != nil && cl.admin {
			c.pacer.observe(resp.header, resp.status, c.now())
		}

		var (
			wait       time.Duration
			fromServer bool
			rateLimit  bool // the wait is for the rate limit: not charged to the call
			apiErr     *Error
		)
		switch {
		case cerr != nil:
			if cl.method == http.MethodPost && sent {
				return nil, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: cerr}
			}
			return nil, cerr

		case err != nil && resp != nil:
			// A success whose body could not be read: not retried (the server
			// answered), and for a create the outcome is unknown.
			if cl.method == http.MethodPost {
				return nil, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: err}
			}
			return nil, err

		case err != nil:
			terr := &transportError{method: cl.method, url: c.base + cl.path, attempts: attempt, err: err}
			if cl.method == http.MethodPost {
				if sent {
					return nil, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: terr}
				}
				return nil, terr
			}
			if !idempotent(cl.method) || !retryableTransportError(err) {
				return nil, terr
			}
			if sent {
				maybeApplied = true
			}
			lastErr, lastResp = terr, nil
			wait = c.backoff(attempt)

		case resp.ok():
			return resp, nil

		case cl.method == http.MethodDelete && resp.status == http.StatusNotFound && maybeApplied:
			c.debug.note(cl.secrets, "%s %s: HTTP 404 after an attempt that may have succeeded; treating the resource as deleted", cl.method, cl.path)
			return resp, nil

		default:
			var body errorBody
			apiErr, body = c.apiError(cl, resp)
			if cl.method == http.MethodPost {
				if d, ok := serverWait(resp.header, body, c.now(), resp.status); ok && retryableStatus(resp.status) {
					apiErr.RetryAfter = d // not retried, but the caller can say when to try again
				}
				if resp.status >= 500 {
					return resp, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: apiErr}
				}
				return resp, apiErr
			}
			if !idempotent(cl.method) || !retryableStatus(resp.status) {
				return resp, apiErr
			}
			if resp.status >= 500 {
				maybeApplied = true
			}
			if d, ok := serverWait(resp.header, body, c.now(), resp.status); ok {
				apiErr.RetryAfter = d
				if d > maxRetryAfter {
					return resp, c.retryLater(d, apiErr)
				}
				wait, fromServer = d, true
			} else {
				wait = c.backoff(attempt)
			}
			rateLimit = resp.status == http.StatusTooManyRequests
			lastErr, lastResp = apiErr, resp
		}

		if attempt >= c.maxAttempts {
			return lastResp, lastErr
		}
		if dl, ok := ctx.Deadline(); ok && wait >= time.Until(dl) || !rateLimit && !spendWait(ctx, wait) {
			// Waiting would only end in a timeout; report what the server said.
			if fromServer {
				return lastResp, c.retryLater(wait, apiErr)
			}
			return lastResp, lastErr
		}
		c.debug.retry(cl, attempt+1, c.maxAttempts, wait, lastErr)
		if rateLimit {
			notifyWait(ctx, WaitNotice{Wait: wait, Refused: true})
		}
		serr := c.sleep(ctx, wait)
		if ctx.Err() != nil {
			return nil, c.contextError(ctx, cl, lastErr)
		}
		if serr != nil {
			return nil, serr
		}
	}
}

func (c *Client) retryLater(d time.Duration, apiErr *Error) *RetryLaterError {
	return &RetryLaterError{After: d, Err: apiErr, At: c.now().Add(d)}
}

// apiError builds the *Error for a non-2xx response and masks the call's
// secrets in it.
func (c *Client) apiError(cl *call, resp *response) (*Error, errorBody) {
	var (
		e  *Error
		eb errorBody
	)
	if resp.readErr != nil {
		e = &Error{StatusCode: resp.status, Message: statusLine(resp.status) + " (" + resp.readErr.Error() + ")"}
	} else {
		e, eb = errorFromBody(resp.status, mediaType(resp.header), resp.body)
	}
	e.RequestID = resp.requestID
	e.Method = cl.method
	e.Path = cl.path
	secrets := append([]string{c.token}, cl.secrets...)
	e.Code = redact.Values(e.Code, secrets)
	e.Message = redact.Values(e.Message, secrets)
	if e.Details != nil {
		if d, ok := redact.ValuesIn(e.Details, secrets).(map[string]any); ok {
			e.Details = d
		}
	}
	return e, eb
}
