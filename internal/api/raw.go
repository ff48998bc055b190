package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RawRequest is one request of `metabind api`: any method and path of the
// API, sent through the same transport, retries, time budget, redirect rules
// and redacting debug log as every typed call.
type RawRequest struct {
	Method string
	// Path is the escaped path under the base URL ("/app/v1/…"), optionally
	// with a query. An absolute URL is accepted only for the client's own
	// origin (see ResolvePath).
	Path  string
	Query url.Values // added to the path's query
	Body  []byte     // JSON body; nil for none
	// Header holds extra request headers. Credentials cannot be given here:
	// the admin token or APIKey is sent by the client.
	Header http.Header
	// APIKey, when set, is sent as x-api-key (the client API) and the admin
	// token is not sent.
	APIKey string
}

// RawResponse is the API's answer to a RawRequest.
type RawResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	RequestID  string // the response's X-Request-ID, else the one sent
}

// forbiddenRawHeaders are headers a RawRequest may not set: credentials (they
// would have come from the command line) and what the transport owns.
var forbiddenRawHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "X-Api-Key": true, "Cookie": true,
	"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true,
	"X-Request-Id": true,
}

// ForbiddenHeader reports whether a RawRequest may not set the header name.
func ForbiddenHeader(name string) bool { return forbiddenRawHeaders[http.CanonicalHeaderKey(name)] }

// ResolvePath turns what a user typed into a path under the client's base
// URL: "app/v1/x" and "/app/v1/x" are paths; an absolute URL must name the
// base URL's origin (and lie under its path), else it is refused, so the
// credential never goes to another host.
func (c *Client) ResolvePath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return "", errors.New("the path is empty")
	}
	lower := strings.ToLower(p)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") || strings.HasPrefix(p, "//") {
		u, err := url.Parse(p)
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("invalid URL %q", sanitize(p, 200))
		}
		base, _ := url.Parse(c.base)
		if u.Scheme == "" {
			u.Scheme = base.Scheme
		}
		if origin(u) != origin(base) {
			return "", fmt.Errorf("refusing to send the credential to %s: metabind api talks only to the API at %s (--api-url)", origin(u), origin(base))
		}
		if u.User != nil {
			return "", errors.New("the URL must not contain a user name or password")
		}
		path := u.EscapedPath()
		if bp := base.EscapedPath(); bp != "" && bp != "/" {
			if path != bp && !strings.HasPrefix(path, bp+"/") {
				return "", fmt.Errorf("the URL is outside the API's base path %s", bp)
			}
			path = strings.TrimPrefix(path, bp)
		}
		if u.RawQuery != "" {
			path += "?" + u.RawQuery
		}
		p = path
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p, nil
}

// Raw sends r once through the client (retried as every call is: GET, PUT and
// DELETE on transient failures, never POST or PATCH). A 2xx answer is a
// response and a nil error; any other answer is the response and an *Error
// (so exit codes follow the status); a failure without an answer is an error.
func (c *Client) Raw(ctx context.Context, r RawRequest) (*RawResponse, error) {
	cl, err := c.rawCall(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.do(ctx, cl)
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		err = fmt.Errorf("%s %s: the outcome is unknown; the request may have taken effect: %w", cl.method, cl.path, ou.Err)
	}
	if resp == nil {
		return nil, err
	}
	return &RawResponse{StatusCode: resp.status, Header: resp.header, Body: resp.body, RequestID: resp.requestID}, err
}

func (c *Client) rawCall(r RawRequest) (*call, error) {
	method := strings.ToUpper(strings.TrimSpace(r.Method))
	if method == "" {
		method = http.MethodGet
	}
	path, rawQuery, _ := strings.Cut(r.Path, "?")
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("the path %q must start with /", sanitize(path, 200))
	}
	if _, err := url.PathUnescape(path); err != nil {
		return nil, fmt.Errorf("the path %q is not validly escaped", sanitize(path, 200))
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("the query %q is not valid", sanitize(rawQuery, 200))
	}
	for k, vs := range r.Query {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	for name, vals := range r.Header {
		if ForbiddenHeader(name) {
			return nil, fmt.Errorf("the header %s cannot be set here", http.CanonicalHeaderKey(name))
		}
		for _, v := range vals {
			if !validHeaderValue(v) {
				return nil, fmt.Errorf("the value of header %s holds characters that cannot be sent", http.CanonicalHeaderKey(name))
			}
		}
	}
	cl := &call{method: method, path: path, query: q, body: r.Body, header: r.Header, admin: r.APIKey == ""}
	if r.APIKey != "" {
		if !validHeaderValue(r.APIKey) {
			return nil, errors.New("the API key contains characters that cannot be sent in an HTTP header (spaces, line breaks or control characters)")
		}
		cl.apiKey = r.APIKey
		cl.secrets = []string{r.APIKey}
	}
	return cl, nil
}

// maxRawPages bounds RawPages, in case a server keeps sending new cursors.
const maxRawPages = 10000

// RawPages sends the GET r and follows the contract's pagination, either
// style: the lastKey cursor (pagination.lastKey, sent back as ?lastKey=) or
// page/pages (?page=N+1 while page < pages). It returns the items of every
// page's data array, in order, and the last response. A response that is not
// a list is an error.
func (c *Client) RawPages(ctx context.Context, r RawRequest) ([]json.RawMessage, *RawResponse, error) {
	if m := strings.ToUpper(r.Method); m != "" && m != http.MethodGet {
		return nil, nil, fmt.Errorf("only GET requests can be paginated, not %s", m)
	}
	q := url.Values{}
	for k, vs := range r.Query {
		q[k] = append([]string(nil), vs...)
	}
	var (
		items []json.RawMessage
		last  *RawResponse
		seen  = map[string]bool{}
	)
	for n := 1; ; n++ {
		r.Query = q
		resp, err := c.Raw(ctx, r)
		if err != nil {
			if n > 1 {
				err = fmt.Errorf("page %d: %w", n, err)
			}
			return nil, resp, err
		}
		last = resp
		page, err := rawListPage(resp.Body)
		if err != nil {
			return nil, resp, fmt.Errorf("cannot paginate: %v (HTTP %d, request id %s)", err, resp.StatusCode, resp.RequestID)
		}
		items = append(items, page.items...)
		switch {
		case n >= maxRawPages:
			return nil, resp, fmt.Errorf("stopped after %d pages", maxRawPages)
		case page.nextKey != "":
			if seen[page.nextKey] {
				return nil, resp, fmt.Errorf("the server sent the same page cursor twice (after page %d); stopping to avoid an endless loop", n)
			}
			seen[page.nextKey] = true
			q.Del("page")
			q.Set("lastKey", page.nextKey)
		case page.pages > 0:
			current := 1
			if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
				current = v
			}
			if page.page > 0 && page.page != current {
				return nil, resp, fmt.Errorf("asked for page %d but the server sent page %d; stopping to avoid an endless loop", current, page.page)
			}
			if current >= page.pages {
				return items, last, nil
			}
			q.Del("lastKey")
			q.Set("page", strconv.Itoa(current+1))
		default:
			return items, last, nil
		}
	}
}

type rawPage struct {
	items       []json.RawMessage
	nextKey     string
	page, pages int
}

// rawListPage reads a list body (see listEnvelope) into its items.
func rawListPage(body []byte) (rawPage, error) {
	var p rawPage
	items, info, err := listEnvelope(body)
	if errors.Is(err, errNoDataArray) {
		return p, errors.New(`the response has no "data" array`)
	}
	if err != nil {
		return p, errors.New("the response is not a JSON list")
	}
	if items != nil {
		if err := json.Unmarshal(items, &p.items); err != nil {
			if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
				return p, errors.New("the response is not valid JSON")
			}
			return p, errors.New("the response's data is not a valid array")
		}
	}
	p.nextKey, p.page, p.pages = string(info.LastKey), int(info.Page), int(info.Pages)
	return p, nil
}
