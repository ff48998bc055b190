package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// CheckResult is the client API's answer to a key check. Any HTTP answer is a
// result; only transport failures, the deadline and cancellation are errors.
type CheckResult struct {
	StatusCode int
	RequestID  string
	Code       string // the error envelope's code (e.g. UNAUTHORIZED), "" on success
	Message    string // the server's message, sanitized, "" on success
	// RetryAfter is the wait the server asked for on 429/503, 0 otherwise.
	RetryAfter time.Duration
}

// OK reports whether the key was accepted (a 2xx answer).
func (r *CheckResult) OK() bool { return r.StatusCode >= 200 && r.StatusCode <= 299 }

// CheckKey asks the client API whether apiKey works for the project, with the
// cheapest read (GET /api/v1/organizations/{org}/projects/{project}/tags?limit=1).
// The key goes in x-api-key; the admin token is never sent.
func (c *Client) CheckKey(ctx context.Context, org, project, apiKey string) (*CheckResult, error) {
	if apiKey == "" {
		return nil, errors.New("no API key to check")
	}
	if !validHeaderValue(apiKey) {
		return nil, errors.New("the API key contains characters that cannot be sent in an HTTP header (spaces, line breaks or control characters)")
	}
	p, err := projectPath(org, project)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.do(ctx, &call{
		method:  http.MethodGet,
		path:    "/api/v1" + p + "/tags",
		query:   url.Values{"limit": {"1"}},
		apiKey:  apiKey,
		secrets: []string{apiKey},
	})
	if resp == nil {
		return nil, err
	}
	res := &CheckResult{StatusCode: resp.status, RequestID: resp.requestID}
	if !resp.ok() {
		var ae *Error
		if errors.As(err, &ae) {
			res.Code, res.Message, res.RetryAfter = ae.Code, ae.Message, ae.RetryAfter
		}
	}
	return res, nil
}
