package emulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The client API: read-only, published content only, authenticated with an API
// key in x-api-key, under /api/v1/organizations/{org}/projects/{project}.

// unauthorizedKeyBody is the one reply to a missing, malformed, unknown or
// revoked key, byte for byte, so keys cannot be probed.
var unauthorizedKeyBody = mustEncode(errorBody{Error: apiError{
	Code:    "UNAUTHORIZED",
	Message: "A valid API key is required in the x-api-key header",
}})

func mustEncode(v any) []byte {
	b, err := encodeJSON(v)
	if err != nil {
		panic(err)
	}
	return b
}

// lastUsedTimeout bounds the lastUsed write; past it the request is served
// anyway and the write is abandoned.
const lastUsedTimeout = 2 * time.Second

// maxCachedKeys bounds the verification cache; only keys that verified are
// cached, so it holds at most the active keys in use.
const maxCachedKeys = 1 << 16

// verifiedKey is an active key found by its digest.
type verifiedKey struct {
	id        string
	projectPK int64
	org       string
	project   string
	lastUsed  atomic.Int64 // Unix seconds, 0 = never used, as far as this process knows
}

// keyCache maps digests of active keys to their records. A revoke or delete
// removes the key before the change is acknowledged, and bumps a generation
// number so a lookup that read the database before the change cannot put the
// stale record back afterwards.
//
// The cache is per process; a revocation or deletion made by another process
// (a one-shot command, or a server that should not be running) empties it at
// the next request (store.keyChanged).
type keyCache struct {
	mu       sync.RWMutex
	byDigest map[cacheKey]*verifiedKey
	byID     map[string]cacheKey
	gen      uint64
	max      int
	// pending counts the revocations and deletions in progress per key id:
	// while one is, the key is neither served from nor added to the cache, so
	// from the moment the change commits every request reads it from the
	// database.
	pending map[string]int
}

// cacheKey is a key value's digest within the project it is a key of: the
// same value can be a key of several projects.
type cacheKey struct {
	d            [sha256.Size]byte
	org, project string
}

func newKeyCache(max int) *keyCache {
	return &keyCache{
		byDigest: make(map[cacheKey]*verifiedKey),
		byID:     make(map[string]cacheKey),
		max:      max,
		pending:  make(map[string]int),
	}
}

func (c *keyCache) get(d cacheKey) (*verifiedKey, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.byDigest[d], c.gen
}

// put caches k unless an invalidation happened since gen was read.
func (c *keyCache) put(d cacheKey, k *verifiedKey, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.pending[k.id] > 0 {
		return
	}
	if len(c.byDigest) >= c.max {
		// Drop an arbitrary entry; it is reloaded on its next use.
		for od, ok := range c.byDigest {
			delete(c.byDigest, od)
			delete(c.byID, ok.id)
			break
		}
	}
	c.byDigest[d] = k
	c.byID[k.id] = d
}

func (c *keyCache) invalidate(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.drop(id)
}

// hold drops id from the cache and keeps it out until the returned release is
// called, after the transaction that revokes or deletes the key has ended
// (committed or not). Call it before the transaction begins.
func (c *keyCache) hold(id string) (release func()) {
	c.mu.Lock()
	c.pending[id]++
	c.drop(id)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.pending[id]--; c.pending[id] <= 0 {
			delete(c.pending, id)
		}
		c.drop(id)
	}
}

// clear empties the cache; a lookup that read the database before it cannot
// put its record back afterwards.
func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.byDigest)
	clear(c.byID)
}

func (c *keyCache) drop(id string) {
	c.gen++
	if d, ok := c.byID[id]; ok {
		delete(c.byID, id)
		delete(c.byDigest, d)
	}
}

// verifyKey checks an x-api-key value for a request to org/project: shape (no
// database access for a malformed key), digest lookup, status. Key values are
// unique per project only, so the project's own key of that value is the
// answer; failing that, an active key of another project (the caller answers
// 403). It returns nil for every kind of failure alike.
func (e *Emulator) verifyKey(ctx context.Context, key, org, project string) (*verifiedKey, error) {
	if len(key) > maxKeyHeaderLen || !keyShapeOK(key) {
		return nil, nil
	}
	ck := cacheKey{d: keyDigest(e.secret, key), org: org, project: project}
	// Another process may have revoked or deleted a key since the last request;
	// then nothing cached is trusted.
	changed, err := e.store.keyChanged(ctx)
	if err != nil {
		return nil, err
	}
	if changed {
		e.cache.clear()
	}
	k, gen := e.cache.get(ck)
	if k != nil {
		return k, nil
	}
	k, err = e.lookupKey(ctx, ck)
	if k != nil && k.org == org && k.project == project {
		// Only the hot case is cached: a key used on its own project.
		e.cache.put(ck, k, gen)
	}
	return k, err
}

func (e *Emulator) lookupKey(ctx context.Context, ck cacheKey) (*verifiedKey, error) {
	var (
		k        verifiedKey
		lastUsed sql.NullInt64
	)
	e.keyLookups.Add(1)
	err := e.store.keyByDigest.QueryRowContext(ctx, ck.d[:], ck.org, ck.project).Scan(&k.id, &lastUsed, &k.projectPK, &k.org, &k.project)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if lastUsed.Valid {
		k.lastUsed.Store(lastUsed.Int64)
	}
	return &k, nil
}

// recordUse sets lastUsed to now when the stored value is at least one window
// old. The in-memory copy answers most calls without touching the database; the
// UPDATE itself is conditional, so concurrent callers write at most once. A
// failure is logged and otherwise ignored: it never fails the request.
func (e *Emulator) recordUse(ctx context.Context, k *verifiedKey, requestID string) {
	now := e.now().Unix()
	window := int64((e.cfg.LastUsedResolution + time.Second - 1) / time.Second)
	threshold := now - window // write when last_used <= threshold
	if window == 0 {
		threshold = now - 1
	}
	if last := k.lastUsed.Load(); last != 0 && last > threshold {
		return
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.lastUsedTimeout)
	defer cancel()
	res, err := e.store.touchUsed.ExecContext(wctx, now, k.id, threshold)
	if err != nil {
		e.log.Warn("could not record lastUsed", "request_id", requestID, "key_id", k.id, "error", err.Error())
		return
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		e.lastUsedWrites.Add(1)
	}
	// Whether this call wrote or another already had, the stored value is now
	// within the window.
	for {
		old := k.lastUsed.Load()
		if old >= now || k.lastUsed.CompareAndSwap(old, now) {
			break
		}
	}
}

func (e *Emulator) serveClient(w http.ResponseWriter, r *http.Request, segs []string) {
	if len(segs) < 5 || segs[0] != "organizations" || segs[2] != "projects" {
		writeNotFound(w)
		return
	}
	org, project, rest := segs[1], segs[3], segs[4:]
	info := requestInfo(r)

	var key string
	if vals := r.Header.Values("X-Api-Key"); len(vals) == 1 {
		key = vals[0]
	}
	k, err := e.verifyKey(r.Context(), key, org, project)
	if err != nil {
		e.writeInternal(w, r, "verify key", err)
		return
	}
	if k == nil {
		e.failedAuth(w, r, func() { writeRaw(w, http.StatusUnauthorized, unauthorizedKeyBody) })
		return
	}
	info.keyID = k.id
	if !e.allowCredential(w, "key:"+k.id) {
		return
	}
	if k.org != org || k.project != project {
		// An unknown organization or project is 404, as on the admin API; an
		// existing one that is not the key's is 403.
		_, notFound, err := e.resolveProject(r.Context(), org, project)
		switch {
		case err != nil:
			e.writeInternal(w, r, "resolve project", err)
		case notFound != nil:
			writeError(w, notFound.status, notFound.Code, notFound.Message, nil)
		default:
			writeError(w, http.StatusForbidden, "FORBIDDEN", "This API key belongs to another project", nil)
		}
		return
	}
	if rest[0] == "saved-searches" {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Saved searches are not available in the emulator", nil)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		writeError(w, http.StatusForbidden, "FORBIDDEN", "API keys are read-only", nil)
		return
	default:
		writeMethodNotAllowed(w, r, "GET, HEAD")
		return
	}

	var serve func(http.ResponseWriter, *http.Request, *verifiedKey)
	switch {
	case len(rest) == 1 && rest[0] == "tags":
		serve = e.listTags
	case len(rest) == 1 && rest[0] == "content-types":
		serve = e.listContentTypes
	case len(rest) == 1 && rest[0] == "content":
		serve = e.listContent
	case len(rest) == 2 && rest[0] == "content":
		id := rest[1]
		serve = func(w http.ResponseWriter, r *http.Request, k *verifiedKey) { e.showContent(w, r, k, id) }
	default:
		writeNotFound(w)
		return
	}
	e.recordUse(r.Context(), k, info.id)
	serve(w, r, k)
}

// --- published content ---

type tagView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type contentTypeView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

type contentView struct {
	ID            string          `json:"id"`
	ContentTypeID string          `json:"contentTypeId"`
	Name          string          `json:"name"`
	Status        string          `json:"status"`
	PublishedAt   *string         `json:"publishedAt"`
	Data          json.RawMessage `json:"data"`
}

// pageParams reads limit and lastKey for a client list whose cursor is the last
// row's pk, tagged with kind so one list's cursor is refused by another.
func pageParams(r *http.Request, kind string) (limit int, after int64, herr *httpError) {
	q := r.URL.Query()
	details := make(map[string]string)
	limit, ok := parseLimit(q.Get("limit"))
	if !ok {
		details["limit"] = "must be a whole number from 1 to " + strconv.Itoa(maxPageLimit)
	}
	if lk := q.Get("lastKey"); lk != "" {
		b, err := base64.RawURLEncoding.DecodeString(lk)
		var n int64
		if err == nil && bytes.HasPrefix(b, []byte(kind+":")) {
			n, err = strconv.ParseInt(string(b[len(kind)+1:]), 10, 64)
		}
		if err != nil || !bytes.HasPrefix(b, []byte(kind+":")) || n < 0 {
			details["lastKey"] = "is not a cursor this server issued"
		}
		after = n
	}
	if len(details) > 0 {
		return 0, 0, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "Invalid query parameters: "+describeDetails(details), details)
	}
	return limit, after, nil
}

func pageCursor(kind string, pk int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatInt(pk, 10)))
}

// queryPage serves one page of a client list from the response cache, or runs
// the prepared list query (whose last two parameters are "pk > ?" and
// "LIMIT ?"), encodes the page and caches it. filter names anything else that
// shapes the result, for the cache key.
func queryPage[T any](e *Emulator, w http.ResponseWriter, r *http.Request, kind string, projectPK int64, filter string,
	stmt *sql.Stmt, args []any, scan func(*sql.Rows) (int64, T, error)) {
	limit, after, herr := pageParams(r, kind)
	if herr != nil {
		herr.write(w)
		return
	}
	ck := kind + "\x00" + strconv.FormatInt(projectPK, 10) + "\x00" + filter + "\x00" + strconv.Itoa(limit) + "\x00" + strconv.FormatInt(after, 10)
	if b, ok := e.responses.get(ck); ok {
		writeRaw(w, http.StatusOK, b)
		return
	}
	gen := e.responses.generation()
	rows, err := stmt.QueryContext(r.Context(), append(args, after, limit+1)...)
	if err != nil {
		e.writeInternal(w, r, "list "+kind, err)
		return
	}
	defer rows.Close()
	resp := listResponse[T]{Data: make([]T, 0, limit), Pagination: pagination{Limit: limit}}
	var lastPK int64
	for rows.Next() {
		pk, v, err := scan(rows)
		if err != nil {
			e.writeInternal(w, r, "list "+kind, err)
			return
		}
		if len(resp.Data) == limit {
			resp.Pagination.LastKey = pageCursor(kind, lastPK)
			break
		}
		resp.Data = append(resp.Data, v)
		lastPK = pk
	}
	if err := rows.Err(); err != nil {
		e.writeInternal(w, r, "list "+kind, err)
		return
	}
	b, err := encodeJSON(resp)
	if err != nil {
		e.writeInternal(w, r, "encode "+kind, err)
		return
	}
	e.responses.put(ck, b, gen)
	writeRaw(w, http.StatusOK, b)
}

// responseCache holds encoded client-API responses, so the hot path of the
// client API (a cached key, lastUsed inside its window, a cached page) needs
// no database access. It is safe because published content changes only
// through Seed, which fills a project in the same transaction that creates it
// and only fills gaps afterwards; Seed clears the cache all the same. (A seed
// made by another process into an existing project, which can add rows only
// when the seed set itself changed between versions, is seen after a restart.)
type responseCache struct {
	mu  sync.RWMutex
	m   map[string][]byte
	gen uint64
	max int
}

func newResponseCache(max int) *responseCache {
	return &responseCache{m: make(map[string][]byte), max: max}
}

func (c *responseCache) get(k string) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	b, ok := c.m[k]
	return b, ok
}

func (c *responseCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// put stores b unless the cache was cleared since gen was read.
func (c *responseCache) put(k string, b []byte, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = b
}

func (c *responseCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}

// maxCachedResponses bounds the response cache; when full it starts over.
const maxCachedResponses = 4096

func (e *Emulator) listTags(w http.ResponseWriter, r *http.Request, k *verifiedKey) {
	queryPage(e, w, r, "tags", k.projectPK, "", e.store.listTags, []any{k.projectPK},
		func(rows *sql.Rows) (int64, tagView, error) {
			var pk int64
			var t tagView
			err := rows.Scan(&pk, &t.ID, &t.Name, &t.Slug)
			return pk, t, err
		})
}

func (e *Emulator) listContentTypes(w http.ResponseWriter, r *http.Request, k *verifiedKey) {
	queryPage(e, w, r, "types", k.projectPK, "", e.store.listTypes, []any{k.projectPK},
		func(rows *sql.Rows) (int64, contentTypeView, error) {
			var pk int64
			var t contentTypeView
			err := rows.Scan(&pk, &t.ID, &t.Name, &t.Status)
			return pk, t, err
		})
}

const contentColumns = `c.pk, c.id, t.id, c.name, c.status, c.published_at, c.data`

func scanContent(sc interface{ Scan(...any) error }) (int64, contentView, error) {
	var (
		pk        int64
		v         contentView
		published sql.NullInt64
		data      string
	)
	if err := sc.Scan(&pk, &v.ID, &v.ContentTypeID, &v.Name, &v.Status, &published, &data); err != nil {
		return 0, contentView{}, err
	}
	if published.Valid {
		s := formatTime(published.Int64)
		v.PublishedAt = &s
	}
	v.Data = json.RawMessage(data)
	return pk, v, nil
}

func (e *Emulator) listContent(w http.ResponseWriter, r *http.Request, k *verifiedKey) {
	stmt, args := e.store.listContent, []any{k.projectPK}
	ct := r.URL.Query().Get("contentTypeId")
	if ct != "" {
		stmt, args = e.store.listByType, append(args, ct)
	}
	queryPage(e, w, r, "content", k.projectPK, ct, stmt, args, func(rows *sql.Rows) (int64, contentView, error) { return scanContent(rows) })
}

func (e *Emulator) showContent(w http.ResponseWriter, r *http.Request, k *verifiedKey, id string) {
	id = strings.ToLower(id)
	ck := "item\x00" + strconv.FormatInt(k.projectPK, 10) + "\x00" + id
	if b, ok := e.responses.get(ck); ok {
		writeRaw(w, http.StatusOK, b)
		return
	}
	gen := e.responses.generation()
	_, v, err := scanContent(e.store.contentByID.QueryRowContext(r.Context(), k.projectPK, id))
	if errors.Is(err, sql.ErrNoRows) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Content not found", nil)
		return
	}
	if err != nil {
		e.writeInternal(w, r, "get content", err)
		return
	}
	b, err := encodeJSON(v)
	if err != nil {
		e.writeInternal(w, r, "encode content", err)
		return
	}
	e.responses.put(ck, b, gen)
	writeRaw(w, http.StatusOK, b)
}
