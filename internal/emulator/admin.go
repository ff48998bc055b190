package emulator

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// The admin API: /app/v1/organizations/{org}/projects/{project}/api-keys[/{id}],
// authenticated with an emulator-signed bearer JWT.

const (
	defaultPageLimit = 20
	maxPageLimit     = 100
)

var (
	errNameTaken     = errors.New("name taken")
	errKeyTaken      = errors.New("key value taken")
	errKeyNotFound   = errors.New("key not found")
	errBadTransition = errors.New("revoked keys stay revoked")
	errNameIsKey     = errors.New("name is a key value")
)

// nameIsKeyDetail is the 422 detail for a name that is a key value. It never
// repeats the name: that would print a secret.
// projectRef names a project that exists.
type projectRef struct {
	pk           int64
	org, project string
}

// keyRecord is a key as stored, without its digest.
type keyRecord struct {
	ID        string
	ProjectID string
	Name      string
	NameNorm  string
	Status    string
	LastUsed  sql.NullInt64
	CreatedBy string
	CreatedAt int64
	UpdatedAt int64
}

// keyView is the API's key object. Key is set only in the create response.
type keyView struct {
	ID        string  `json:"id"`
	ProjectID string  `json:"projectId"`
	Name      string  `json:"name"`
	Key       string  `json:"key,omitempty"`
	Status    string  `json:"status"`
	LastUsed  *string `json:"lastUsed"`
	CreatedBy string  `json:"createdBy"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
}

func (k keyRecord) view() keyView {
	v := keyView{
		ID:        k.ID,
		ProjectID: k.ProjectID,
		Name:      k.Name,
		Status:    k.Status,
		CreatedBy: k.CreatedBy,
		CreatedAt: formatTime(k.CreatedAt),
		UpdatedAt: formatTime(k.UpdatedAt),
	}
	if k.LastUsed.Valid {
		s := formatTime(k.LastUsed.Int64)
		v.LastUsed = &s
	}
	return v
}

type pagination struct {
	Limit   int    `json:"limit"`
	LastKey string `json:"lastKey,omitempty"`
}

type listResponse[T any] struct {
	Data       []T        `json:"data"`
	Pagination pagination `json:"pagination"`
}

// adminProject wraps a handler of the key routes with what each of them does
// first: the bearer token, its rate limit, its role and organization, and the
// project named by the path.
func (e *Emulator) adminProject(next func(http.ResponseWriter, *http.Request, projectRef, tokenClaims)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org, project := r.PathValue("org"), r.PathValue("project")
		claims, ok := e.admitAdmin(w, r)
		if !ok {
			return
		}
		if !apiKeyRoles[claims.Role] {
			writeError(w, http.StatusForbidden, "FORBIDDEN", fmt.Sprintf("The role %q does not have the apiKeys permission", claims.Role), nil)
			return
		}
		if claims.Org != org {
			writeError(w, http.StatusForbidden, "FORBIDDEN", "This token is not valid for this organization", nil)
			return
		}
		proj, herr, err := e.resolveProject(r.Context(), org, project)
		if err != nil {
			e.writeInternal(w, r, "resolve project", err)
			return
		}
		if herr != nil {
			herr.write(w)
			return
		}
		next(w, r, proj, claims)
	}
}

// adminKey is adminProject for the routes of one key: an id that is not a
// UUID names no key.
func (e *Emulator) adminKey(next func(http.ResponseWriter, *http.Request, projectRef, string, tokenClaims)) http.HandlerFunc {
	return e.adminProject(func(w http.ResponseWriter, r *http.Request, proj projectRef, c tokenClaims) {
		id, ok := canonicalUUID(r.PathValue("id"))
		if !ok {
			writeError(w, http.StatusNotFound, "NOT_FOUND", "API key not found", nil)
			return
		}
		requestInfo(r).keyID = id
		next(w, r, proj, id, c)
	})
}

// admitAdmin is what every admin route does first: it checks the bearer
// token, records who is calling, and spends from the token's rate-limit
// bucket (every authenticated request does, refused or not). When it returns
// false it has answered (401 or 429).
func (e *Emulator) admitAdmin(w http.ResponseWriter, r *http.Request) (tokenClaims, bool) {
	claims, token, ok := e.authenticateAdmin(w, r)
	if !ok {
		return tokenClaims{}, false
	}
	requestInfo(r).actor = claims.Subject
	if !e.allowCredential(w, tokenBucketKey(token)) {
		return tokenClaims{}, false
	}
	return claims, true
}

// authenticateAdmin checks the bearer token and answers 401 (or 429) itself
// when it does not verify.
func (e *Emulator) authenticateAdmin(w http.ResponseWriter, r *http.Request) (tokenClaims, string, bool) {
	fail := func(msg string) {
		e.failedAuth(w, r, func() {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metabind-emulator", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", msg, nil)
		})
	}
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 {
		fail("Authentication required: send Authorization: Bearer <token>")
		return tokenClaims{}, "", false
	}
	if len(vals) > 1 {
		fail("Send exactly one Authorization header")
		return tokenClaims{}, "", false
	}
	scheme, token, found := strings.Cut(vals[0], " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		fail("Authentication required: send Authorization: Bearer <token>")
		return tokenClaims{}, "", false
	}
	claims, err := parseToken(e.secret, token, e.now())
	if err != nil {
		msg := "The token is invalid"
		if errors.Is(err, errTokenExpired) {
			msg = "The token has expired"
		}
		fail(msg)
		return tokenClaims{}, "", false
	}
	return claims, token, true
}

// resolveProject finds org/project, or answers 404 saying which of them does
// not exist; err is a database failure.
func (e *Emulator) resolveProject(ctx context.Context, org, project string) (projectRef, *httpError, error) {
	pk, ok, err := e.store.projectPK(ctx, org, project)
	if err != nil {
		return projectRef{}, nil, err
	}
	if ok {
		return projectRef{pk: pk, org: org, project: project}, nil, nil
	}
	orgExists, err := e.OrgExists(ctx, org)
	if err != nil {
		return projectRef{}, nil, err
	}
	if !orgExists {
		return projectRef{}, newHTTPError(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Organization %q not found", org), nil), nil
	}
	return projectRef{}, newHTTPError(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Project %q not found in organization %q", project, org), nil), nil
}

// canonicalUUID accepts only the 36-character hyphenated form (any case) and
// returns it in lower case.
func canonicalUUID(s string) (string, bool) {
	if len(s) != 36 {
		return "", false
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

func (e *Emulator) meta(r *http.Request, proj projectRef, c tokenClaims) auditMeta {
	info := requestInfo(r)
	return auditMeta{actor: c.Subject, org: proj.org, project: proj.project, requestID: info.id, remote: info.remote}
}

// --- request bodies ---

// readJSONBody reads a JSON object body: 400 for a wrong content type, an empty
// or malformed body; 413 over 64 KiB; 422 for JSON that is not an object or
// repeats a field.
func readJSONBody(r *http.Request) (map[string]json.RawMessage, *httpError) {
	cts := r.Header.Values("Content-Type")
	ct := ""
	if len(cts) == 1 {
		ct = cts[0]
	}
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return nil, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "Content-Type must be application/json", nil)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "The request body must be UTF-8 JSON", nil)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, newHTTPError(http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", fmt.Sprintf("The request body exceeds %d bytes", maxBodyBytes), nil)
		}
		return nil, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "The request body could not be read", nil)
	}
	return parseJSONObject(body)
}

// parseJSONObject decodes body as one JSON object, keeping each field raw.
func parseJSONObject(body []byte) (map[string]json.RawMessage, *httpError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "The request body is empty; send a JSON object", nil)
	}
	if !utf8.Valid(body) {
		return nil, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "The request body is not valid UTF-8", nil)
	}
	if !json.Valid(body) {
		return nil, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "The request body is not valid JSON", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '{' {
		return nil, newHTTPError(http.StatusUnprocessableEntity, "VALIDATION_FAILED", "The request body must be a JSON object",
			map[string]string{"body": "must be a JSON object"})
	}
	obj := make(map[string]json.RawMessage)
	details := make(map[string]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "The request body is not valid JSON", nil)
		}
		field, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, newHTTPError(http.StatusBadRequest, "BAD_REQUEST", "The request body is not valid JSON", nil)
		}
		if _, dup := obj[field]; dup {
			details[field] = "appears more than once"
		}
		obj[field] = raw
	}
	if len(details) > 0 {
		return nil, validationFailed(details)
	}
	return obj, nil
}

func validationFailed(details map[string]string) *httpError {
	return newHTTPError(http.StatusUnprocessableEntity, "VALIDATION_FAILED", "The request is invalid: "+describeDetails(details), details)
}

func describeDetails(details map[string]string) string {
	fields := make([]string, 0, len(details))
	for f := range details {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		parts = append(parts, f+" "+details[f])
	}
	return strings.Join(parts, "; ")
}

// jsonString decodes a field that must be a JSON string.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

type createRequest struct {
	name, norm string
	apiKey     string // "" = generate
}

const customKeyRule = "must be 20 to 128 characters of A-Z, a-z, 0-9, '_' and '-'"

func decodeCreate(obj map[string]json.RawMessage) (createRequest, *httpError) {
	var req createRequest
	details := make(map[string]string)
	for f := range obj {
		if f != "name" && f != "apiKey" {
			details[f] = "is not a known field"
		}
	}
	if raw, ok := obj["name"]; !ok {
		details["name"] = "is required"
	} else if s, ok := jsonString(raw); !ok {
		details["name"] = "must be a string"
	} else if name, norm, problem := checkName(s); problem != "" {
		details["name"] = problem
	} else {
		req.name, req.norm = name, norm
	}
	if raw, ok := obj["apiKey"]; ok {
		if s, ok := jsonString(raw); !ok {
			details["apiKey"] = "must be a string"
		} else if !keyShapeOK(s) {
			details["apiKey"] = customKeyRule
		} else {
			req.apiKey = s
		}
	}
	if len(details) > 0 {
		return createRequest{}, validationFailed(details)
	}
	return req, nil
}

type updateRequest struct {
	name, norm *string
	status     *string
}

func decodeUpdate(obj map[string]json.RawMessage) (updateRequest, *httpError) {
	var req updateRequest
	details := make(map[string]string)
	for f := range obj {
		if f != "name" && f != "status" {
			details[f] = "is not a known field"
		}
	}
	if raw, ok := obj["name"]; ok {
		if s, ok := jsonString(raw); !ok {
			details["name"] = "must be a string"
		} else if name, norm, problem := checkName(s); problem != "" {
			details["name"] = problem
		} else {
			req.name, req.norm = &name, &norm
		}
	}
	if raw, ok := obj["status"]; ok {
		if s, ok := jsonString(raw); !ok || (s != "active" && s != "revoked") {
			details["status"] = `must be "active" or "revoked"`
		} else {
			req.status = &s
		}
	}
	_, hasName := obj["name"]
	_, hasStatus := obj["status"]
	if !hasName && !hasStatus && len(details) == 0 {
		details["body"] = "must set name, status or both"
	}
	if len(details) > 0 {
		return updateRequest{}, validationFailed(details)
	}
	return req, nil
}

// --- handlers ---

func (e *Emulator) listKeysHandler(w http.ResponseWriter, r *http.Request, proj projectRef) {
	q := r.URL.Query()
	details := make(map[string]string)
	limit, ok := parseLimit(q.Get("limit"))
	if !ok {
		details["limit"] = fmt.Sprintf("must be a whole number from 1 to %d", maxPageLimit)
	}
	status := q.Get("status")
	if status != "" && status != "active" && status != "revoked" {
		details["status"] = `must be "active" or "revoked"`
	}
	var after *keyCursor
	if lk := q.Get("lastKey"); lk != "" {
		c, ok := decodeKeyCursor(lk)
		if !ok {
			details["lastKey"] = "is not a cursor this server issued"
		}
		after = &c
	}
	if len(details) > 0 {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "Invalid query parameters: "+describeDetails(details), details)
		return
	}
	keys, next, err := e.listKeys(r.Context(), proj, status, limit, after)
	if err != nil {
		e.writeInternal(w, r, "list keys", err)
		return
	}
	resp := listResponse[keyView]{Data: make([]keyView, 0, len(keys)), Pagination: pagination{Limit: limit, LastKey: next}}
	for _, k := range keys {
		resp.Data = append(resp.Data, k.view())
	}
	writeJSON(w, http.StatusOK, resp)
}

func parseLimit(s string) (int, bool) {
	if s == "" {
		return defaultPageLimit, true
	}
	if len(s) > 4 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPageLimit {
		return 0, false
	}
	return n, true
}

func (e *Emulator) createKeyHandler(w http.ResponseWriter, r *http.Request, proj projectRef, c tokenClaims) {
	obj, herr := readJSONBody(r)
	if herr != nil {
		herr.write(w)
		return
	}
	req, herr := decodeCreate(obj)
	if herr != nil {
		herr.write(w)
		return
	}
	rec, key, err := e.createKey(r.Context(), proj, req, e.meta(r, proj, c))
	switch {
	case errors.Is(err, errNameIsKey):
		validationFailed(map[string]string{"name": nameIsKeyDetail}).write(w)
		return
	case errors.Is(err, errNameTaken):
		writeError(w, http.StatusConflict, "APIKEY_NAME_ALREADY_EXISTS", fmt.Sprintf("An API key named %q already exists in this project", req.name),
			map[string]string{"name": "is already used by another key in this project"})
		return
	case errors.Is(err, errKeyTaken):
		writeError(w, http.StatusConflict, "ALREADY_EXISTS", "This key value cannot be used; choose another", nil)
		return
	case err != nil:
		e.writeInternal(w, r, "create key", err)
		return
	}
	requestInfo(r).keyID = rec.ID
	v := rec.view()
	v.Key = key
	writeJSON(w, http.StatusCreated, v)
}

func (e *Emulator) showKeyHandler(w http.ResponseWriter, r *http.Request, proj projectRef, id string) {
	rec, err := getKey(r.Context(), e.store.r, proj, id)
	if errors.Is(err, errKeyNotFound) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "API key not found", nil)
		return
	}
	if err != nil {
		e.writeInternal(w, r, "get key", err)
		return
	}
	writeJSON(w, http.StatusOK, rec.view())
}

func (e *Emulator) updateKeyHandler(w http.ResponseWriter, r *http.Request, proj projectRef, id string, c tokenClaims) {
	obj, herr := readJSONBody(r)
	if herr != nil {
		herr.write(w)
		return
	}
	req, herr := decodeUpdate(obj)
	if herr != nil {
		herr.write(w)
		return
	}
	rec, err := e.updateKey(r.Context(), proj, id, req, e.meta(r, proj, c))
	switch {
	case errors.Is(err, errNameIsKey):
		validationFailed(map[string]string{"name": nameIsKeyDetail}).write(w)
	case errors.Is(err, errKeyNotFound):
		writeError(w, http.StatusNotFound, "APIKEY_NOT_FOUND", "API key not found", nil)
	case errors.Is(err, errBadTransition):
		writeError(w, http.StatusUnprocessableEntity, "INVALID_STATUS_TRANSITION", "A revoked key cannot be made active again; create a new key",
			map[string]string{"status": "cannot change from revoked to active"})
	case errors.Is(err, errNameTaken):
		writeError(w, http.StatusConflict, "APIKEY_NAME_ALREADY_EXISTS", fmt.Sprintf("An API key named %q already exists in this project", *req.name),
			map[string]string{"name": "is already used by another key in this project"})
	case err != nil:
		e.writeInternal(w, r, "update key", err)
	default:
		writeJSON(w, http.StatusOK, rec.view())
	}
}

func (e *Emulator) deleteKeyHandler(w http.ResponseWriter, r *http.Request, proj projectRef, id string, c tokenClaims) {
	err := e.deleteKey(r.Context(), proj, id, e.meta(r, proj, c))
	switch {
	case errors.Is(err, errKeyNotFound):
		writeError(w, http.StatusNotFound, "APIKEY_NOT_FOUND", "API key not found", nil)
	case err != nil:
		e.writeInternal(w, r, "delete key", err)
	default:
		writeJSON(w, http.StatusOK, struct {
			Message string `json:"message"`
			ID      string `json:"id"`
		}{"API key successfully deleted", id})
	}
}
