package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/metabind/metabind-cli/internal/redact"
)

// Environment variables that point the suite at a running server instead of
// the in-process emulator.
const (
	EnvURL     = "MB_CONTRACT_URL"     // base URL without the /app/v1 suffix
	EnvToken   = "MB_CONTRACT_TOKEN"   // admin JWT with the apiKeys permission
	EnvOrg     = "MB_CONTRACT_ORG"     // organization the token belongs to
	EnvProject = "MB_CONTRACT_PROJECT" // scratch project: keys are created and deleted there
)

// maxResponseBytes caps what Do reads from a response body.
const maxResponseBytes = 4 << 20

// maxRateLimitWait bounds how long Do waits out 429s for one request.
const maxRateLimitWait = 3 * time.Minute

// Target is a Metabind API server under test.
type Target struct {
	BaseURL string // scheme://host[:port], no trailing slash, no /app/v1
	Org     string // organization the Token belongs to
	Project string // project the keys are created in
	Token   string // admin JWT (owner, admin or developer)
	Client  *http.Client
	// Remote is true when the target is a server named by the environment
	// rather than the in-process emulator.
	Remote bool
	// RetryRateLimited makes Do wait out a 429 (Retry-After up to a minute)
	// and resend, for at most three minutes in all. Set for remote targets,
	// whose rate limits the suite does not control; never set for the
	// emulator.
	RetryRateLimited bool
}

// RemoteFromEnv reads the remote target from the environment. ok is false
// when neither MB_CONTRACT_URL nor MB_CONTRACT_TOKEN is set; setting only some
// of the four variables is an error that names the missing ones.
func RemoteFromEnv(getenv func(string) string) (t *Target, ok bool, err error) {
	rawURL, token := strings.TrimSpace(getenv(EnvURL)), strings.TrimSpace(getenv(EnvToken))
	org, project := strings.TrimSpace(getenv(EnvOrg)), strings.TrimSpace(getenv(EnvProject))
	if rawURL == "" && token == "" {
		return nil, false, nil
	}
	var missing []string
	for _, v := range []struct{ name, value string }{
		{EnvURL, rawURL}, {EnvToken, token}, {EnvOrg, org}, {EnvProject, project},
	} {
		if v.value == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return nil, false, fmt.Errorf("remote contract target: %s must be set too", strings.Join(missing, ", "))
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", EnvURL, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, false, fmt.Errorf("%s: want an http(s) URL such as https://api.metabind.ai, got %q", EnvURL, rawURL)
	}
	if p := strings.TrimSuffix(u.Path, "/"); p != "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, false, fmt.Errorf("%s: give the base URL only (no path such as /app/v1, no query), got %q", EnvURL, rawURL)
	}
	return &Target{
		BaseURL:          u.Scheme + "://" + u.Host,
		Org:              org,
		Project:          project,
		Token:            token,
		Client:           &http.Client{Timeout: 30 * time.Second},
		Remote:           true,
		RetryRateLimited: true,
	}, true, nil
}

// AdminPath is the path of an admin API resource of a project, each segment
// path-escaped: AdminPath("acme", "web", "api-keys", id).
func AdminPath(org, project string, elem ...string) string {
	return scopedPath("/app/v1", org, project, elem)
}

// ClientPath is the path of a client API resource of a project.
func ClientPath(org, project string, elem ...string) string {
	return scopedPath("/api/v1", org, project, elem)
}

func scopedPath(prefix, org, project string, elem []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString("/organizations/")
	b.WriteString(url.PathEscape(org))
	b.WriteString("/projects/")
	b.WriteString(url.PathEscape(project))
	for _, e := range elem {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(e))
	}
	return b.String()
}

// Request is one HTTP request to the target.
type Request struct {
	Method string
	Path   string // escaped path, optionally with "?query"
	// Header is sent as given: names are not canonicalized, so a test can
	// send "X-API-KEY" literally.
	Header http.Header
	Body   []byte // nil = no body
}

// Response is a fully read HTTP response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do sends r and reads the whole response (up to 4 MiB).
func (t *Target) Do(ctx context.Context, r Request) (*Response, error) {
	deadline := time.Now().Add(maxRateLimitWait)
	for {
		resp, err := t.do(ctx, r)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || !t.RetryRateLimited {
			return resp, err
		}
		wait := time.Second
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		// Jitter spreads the retries of concurrent tests over the refill.
		wait += rand.N(time.Second)
		if wait > time.Minute+time.Second || time.Now().Add(wait).After(deadline) {
			return resp, nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

func (t *Target) do(ctx context.Context, r Request) (*Response, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, t.BaseURL+r.Path, body)
	if err != nil {
		return nil, err
	}
	if r.Header != nil {
		req.Header = r.Header.Clone()
	}
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %w", r.Method, r.Path, err)
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("%s %s: response body over %d bytes", r.Method, r.Path, maxResponseBytes)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// APIError is the content of the contract's error envelope
// {"error":{"code","message","details"}}.
type APIError struct {
	Code    string
	Message string
	Details map[string]any // nil when absent
	// Extra names members of the "error" object beyond code, message and
	// details, sorted.
	Extra []string
}

// ParseError decodes an error envelope strictly: a JSON object whose only
// member is "error", an object with a non-empty string "code", a non-empty
// string "message" and, optionally, an object "details".
func ParseError(body []byte) (APIError, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return APIError{}, errors.New("body is not a JSON object")
	}
	raw, ok := top["error"]
	if !ok || len(top) != 1 {
		return APIError{}, fmt.Errorf(`want exactly one top-level member "error", got %v`, Members(top))
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(raw, &inner); err != nil || inner == nil {
		return APIError{}, errors.New(`"error" is not a JSON object`)
	}
	var e APIError
	for _, f := range []struct {
		name string
		dst  *string
	}{{"code", &e.Code}, {"message", &e.Message}} {
		v, ok := inner[f.name]
		if !ok {
			return APIError{}, fmt.Errorf(`"error.%s" is missing`, f.name)
		}
		if err := json.Unmarshal(v, f.dst); err != nil || *f.dst == "" || string(v) == "null" {
			return APIError{}, fmt.Errorf(`"error.%s" is not a non-empty string: %s`, f.name, v)
		}
	}
	if v, ok := inner["details"]; ok {
		if err := json.Unmarshal(v, &e.Details); err != nil || e.Details == nil {
			return APIError{}, fmt.Errorf(`"error.details" is not a JSON object: %s`, v)
		}
	}
	for name := range inner {
		switch name {
		case "code", "message", "details":
		default:
			e.Extra = append(e.Extra, name)
		}
	}
	sort.Strings(e.Extra)
	return e, nil
}

// Members lists the member names of a decoded JSON object, sorted.
func Members(obj map[string]json.RawMessage) []string {
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Redact renders a response body for a failure message: the values of
// credential members (key, apiKey, token, secret, jwt…; redact.Fields) are
// masked, and the result is cut to about 600 bytes. Secrets must not reach
// test logs.
func Redact(body []byte) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	s := ""
	if err := dec.Decode(&v); err == nil {
		out, _ := json.Marshal(redact.Fields(v))
		s = string(out)
	} else {
		s = strconv.QuoteToASCII(string(body))
	}
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
