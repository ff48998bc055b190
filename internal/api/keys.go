package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Key is a Metabind API key as the admin API returns it.
type Key struct {
	ID        string     `json:"id" yaml:"id"`
	ProjectID string     `json:"projectId" yaml:"projectId"`
	Name      string     `json:"name" yaml:"name"`
	Key       string     `json:"key,omitempty" yaml:"key,omitempty"` // secret, create response only
	Status    string     `json:"status" yaml:"status"`               // "active" | "revoked"
	LastUsed  *time.Time `json:"lastUsed" yaml:"lastUsed"`           // nil = never used (null in JSON)
	CreatedBy string     `json:"createdBy" yaml:"createdBy"`
	CreatedAt time.Time  `json:"createdAt" yaml:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt" yaml:"updatedAt"`
}

// ListOptions select a page of keys.
type ListOptions struct {
	Status  string // "active", "revoked" or "" for both
	Limit   int    // page size; 0 = the server's default (ListAllKeys: 100)
	LastKey string // cursor from the previous page's NextKey
	Page    int    // page number, for servers that paginate by page
}

// KeyPage is one page of a key list.
type KeyPage struct {
	Keys    []Key  // never nil
	NextKey string // cursor of the next page; "" on the last page (or in page style)
	// Page style: the page number, the number of pages (sent, or derived from
	// total and limit) and the total number of keys; 0 when not sent.
	Page, Pages, Total int
	// RequestID is the response's X-Request-ID (else the one the client sent).
	RequestID string
}

// CreateKeyRequest is the body of a create. APIKey is an optional custom value.
type CreateKeyRequest struct {
	Name   string `json:"name"`
	APIKey string `json:"apiKey,omitempty"`
}

// UpdateKeyRequest is the body of an update; nil fields are left unchanged.
// Status "revoked" revokes the key.
type UpdateKeyRequest struct {
	Name   *string `json:"name,omitempty"`
	Status *string `json:"status,omitempty"`
}

// defaultListAllLimit is the page size ListAllKeys asks for when none is given
// (the API's maximum).
const defaultListAllLimit = 100

// orgPath is "/organizations/{org}", escaped; the API prefix comes first.
func orgPath(org string) (string, error) {
	o, err := pathSegment("organization id", org)
	if err != nil {
		return "", err
	}
	return "/organizations/" + o, nil
}

// projectPath is "/organizations/{org}/projects/{project}", escaped.
func projectPath(org, project string) (string, error) {
	o, err := orgPath(org)
	if err != nil {
		return "", err
	}
	p, err := pathSegment("project id", project)
	if err != nil {
		return "", err
	}
	return o + "/projects/" + p, nil
}

func keysPath(org, project string) (string, error) {
	p, err := projectPath(org, project)
	if err != nil {
		return "", err
	}
	return "/app/v1" + p + "/api-keys", nil
}

func keyPath(org, project, id string) (string, error) {
	base, err := keysPath(org, project)
	if err != nil {
		return "", err
	}
	k, err := pathSegment("key id", id)
	if err != nil {
		return "", err
	}
	return base + "/" + k, nil
}

// ListKeys fetches one page of the project's keys.
func (c *Client) ListKeys(ctx context.Context, org, project string, o ListOptions) (*KeyPage, error) {
	path, err := keysPath(org, project)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	return c.listPage(ctx, path, o)
}

func (c *Client) listPage(ctx context.Context, path string, o ListOptions) (*KeyPage, error) {
	q := url.Values{}
	if o.Status != "" {
		q.Set("status", o.Status)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.LastKey != "" {
		q.Set("lastKey", o.LastKey)
	}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	resp, err := c.do(ctx, &call{method: http.MethodGet, path: path, query: q, admin: true})
	if err != nil {
		return nil, err
	}
	page, err := decodeKeyPage(resp)
	if page != nil {
		page.RequestID = resp.requestID
	}
	return page, err
}

// ListAllKeys follows the pagination (the lastKey cursor or page/pages) to the
// end, under one deadline for all pages, and calls progress (when non-nil)
// with the number of keys fetched after each page. A key that shows up on two
// pages (the list changed meanwhile) is kept once.
func (c *Client) ListAllKeys(ctx context.Context, org, project string, o ListOptions, progress func(fetched int)) ([]Key, error) {
	path, err := keysPath(org, project)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()

	if o.Limit <= 0 {
		o.Limit = defaultListAllLimit
	}
	all := []Key{}
	seenKeys := map[string]bool{}
	seenCursors := map[string]bool{}
	if o.LastKey != "" {
		seenCursors[o.LastKey] = true
	}
	for pages := 1; ; pages++ {
		pctx := ctx
		if c.perCall {
			pctx = context.WithValue(ctx, callBudgetKey{}, &budget{left: c.timeout}) // each page its own limit
		}
		page, err := c.listPage(pctx, path, o)
		if err != nil {
			if pages > 1 {
				return nil, fmt.Errorf("listing keys, page %d: %w", pages, err)
			}
			return nil, err
		}
		for _, k := range page.Keys {
			if k.ID != "" {
				if seenKeys[k.ID] {
					continue
				}
				seenKeys[k.ID] = true
			}
			all = append(all, k)
		}
		if progress != nil {
			progress(len(all))
		}

		switch {
		case page.NextKey != "":
			if seenCursors[page.NextKey] {
				return nil, fmt.Errorf("listing keys: the server sent the same page cursor twice (after page %d); stopping to avoid an endless loop", pages)
			}
			seenCursors[page.NextKey] = true
			o.LastKey, o.Page = page.NextKey, 0
		case page.Pages > 0:
			current := max(o.Page, 1)
			if page.Page > 0 && page.Page != current {
				return nil, fmt.Errorf("listing keys: asked for page %d but the server sent page %d; stopping to avoid an endless loop", current, page.Page)
			}
			if current >= page.Pages {
				return all, nil
			}
			o.Page, o.LastKey = current+1, ""
		default:
			return all, nil
		}
	}
}

// GetKey fetches one key by id.
func (c *Client) GetKey(ctx context.Context, org, project, id string) (*Key, error) {
	path, err := keyPath(org, project, id)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.do(ctx, &call{method: http.MethodGet, path: path, admin: true})
	if err != nil {
		return nil, err
	}
	return decodeKey(resp)
}

// CreateKey creates a key; the returned Key carries the secret in Key. It is
// sent once and never retried: when the outcome cannot be known the error is
// an *OutcomeUnknownError, and the caller should look the key up by name.
func (c *Client) CreateKey(ctx context.Context, org, project string, r CreateKeyRequest) (*Key, error) {
	path, err := keysPath(org, project)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encoding the create request: %w", err)
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	cl := &call{
		method:         http.MethodPost,
		path:           path,
		body:           body,
		admin:          true,
		idempotencyKey: uuid.NewString(),
	}
	if r.APIKey != "" {
		cl.secrets = []string{r.APIKey}
	}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	k, err := decodeKey(resp)
	if err != nil {
		// The server said yes but its answer is unusable: the key likely exists.
		return nil, &OutcomeUnknownError{Method: cl.method, Path: cl.path, Err: err}
	}
	return k, nil
}

// UpdateKey renames and/or revokes a key and returns it as updated.
func (c *Client) UpdateKey(ctx context.Context, org, project, id string, r UpdateKeyRequest) (*Key, error) {
	if r.Name == nil && r.Status == nil {
		return nil, errors.New("nothing to update: give a new name or status")
	}
	path, err := keyPath(org, project, id)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encoding the update request: %w", err)
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.do(ctx, &call{method: http.MethodPut, path: path, body: body, admin: true})
	if err != nil {
		return nil, err
	}
	return decodeKey(resp)
}

// DeleteKey deletes a key permanently. A 200 with a body and a 204 without are
// both success; so is a 404 on a retry after an attempt that may have deleted it.
func (c *Client) DeleteKey(ctx context.Context, org, project, id string) error {
	path, err := keyPath(org, project, id)
	if err != nil {
		return err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	_, err = c.do(ctx, &call{method: http.MethodDelete, path: path, admin: true})
	return err
}
