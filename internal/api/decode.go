package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/metabind/metabind-cli/internal/textsafe"
)

// maxBodyBytes caps every response body the client reads.
const maxBodyBytes = 10 << 20

// Caps on the length of server strings kept in errors and results.
const (
	maxMessageRunes = 1000
	maxCodeRunes    = 100
	maxIDRunes      = 200
)

// sanitize makes a server's string fit for a one-line message: line breaks and
// tabs become spaces, anything else a terminal would act on or not show is
// escaped (textsafe.Line), and the result is cut to max characters.
func sanitize(s string, max int) string { return textsafe.Line(s, max) }

// mediaType returns the response's media type without parameters ("" when
// absent), sanitized for messages.
func mediaType(h http.Header) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		ct = mt
	}
	return sanitize(ct, 100)
}

func statusLine(status int) string {
	s := "HTTP " + strconv.Itoa(status)
	if t := http.StatusText(status); t != "" {
		s += " " + t
	}
	return s
}

// errorBody is what the client understood of an error response body.
type errorBody struct {
	code, message string
	details       map[string]any
	retryAfter    time.Duration
	hasRetryAfter bool
}

// parseErrorBody reads the error envelope {"error":{"code","message","details"}}
// and tolerates the flatter shapes {"code","message"}, {"message"} and
// {"error":"text","message":…}. ok is false when body is not a JSON object.
// Strings are returned raw; the caller sanitizes them.
func parseErrorBody(body []byte) (eb errorBody, ok bool) {
	var top map[string]json.RawMessage
	if err := unmarshalUseNumber(body, &top); err != nil || top == nil {
		return eb, false
	}
	fill := func(m map[string]json.RawMessage) {
		if eb.code == "" {
			eb.code = scalarString(m["code"])
		}
		if eb.message == "" {
			eb.message = scalarString(m["message"])
		}
		if eb.details == nil {
			var d map[string]any
			if raw, ok := m["details"]; ok && unmarshalUseNumber(raw, &d) == nil {
				eb.details = d
			}
		}
		if !eb.hasRetryAfter {
			eb.retryAfter, eb.hasRetryAfter = secondsValue(m["retryAfter"])
			if !eb.hasRetryAfter && eb.details != nil {
				if v, ok := eb.details["retryAfter"]; ok {
					raw, _ := json.Marshal(v)
					eb.retryAfter, eb.hasRetryAfter = secondsValue(raw)
				}
			}
		}
	}
	if raw, ok := top["error"]; ok {
		var inner map[string]json.RawMessage
		if unmarshalUseNumber(raw, &inner) == nil && inner != nil {
			fill(inner)
		}
	}
	fill(top)
	if eb.message == "" {
		// {"error": "Not Found"} — a bare string as the error.
		eb.message = scalarString(top["error"])
	}
	return eb, true
}

func unmarshalUseNumber(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// scalarString returns a JSON string's value, or a number's text; "" otherwise.
func scalarString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// secondsValue reads a wait in seconds from a JSON number or numeric string.
func secondsValue(raw json.RawMessage) (time.Duration, bool) {
	s := scalarString(raw)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > float64(math.MaxInt64/int64(time.Second)) {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// errorFromBody builds the *Error for a non-2xx answer. It never includes a
// non-JSON body in the message.
func errorFromBody(status int, contentType string, body []byte) (*Error, errorBody) {
	e := &Error{StatusCode: status}
	trimmed := bytes.TrimSpace(body)
	eb, isJSON := parseErrorBody(trimmed)
	switch {
	case len(trimmed) == 0:
		e.Message = statusLine(status) + " (the response was empty)"
	case !isJSON:
		what := "the response was not JSON"
		if ct := sanitize(contentType, 100); ct != "" {
			what += ": " + ct
		}
		e.Message = statusLine(status) + " (" + what + ")"
	default:
		e.Code = sanitize(eb.code, maxCodeRunes)
		e.Message = sanitize(eb.message, maxMessageRunes)
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
		if e.Message == "" {
			e.Message = statusLine(status)
		}
		if len(eb.details) > 0 {
			if d, ok := sanitizeValue(eb.details, 0).(map[string]any); ok {
				e.Details = d
			}
		}
	}
	if eb.hasRetryAfter {
		e.RetryAfter = eb.retryAfter
	}
	return e, eb
}

// sanitizeValue sanitizes every string (and map key) in a decoded JSON value.
func sanitizeValue(v any, depth int) any {
	if depth > 32 {
		return "…"
	}
	switch t := v.(type) {
	case string:
		return sanitize(t, maxMessageRunes)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[sanitize(k, maxCodeRunes)] = sanitizeValue(x, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = sanitizeValue(x, depth+1)
		}
		return out
	default:
		return v
	}
}

// decodeError explains why a success body could not be used, without quoting it
// and without the JSON decoder's Go wording; the decoder's error stays wrapped.
func decodeError(resp *response, err error) error {
	var (
		se  *json.SyntaxError
		ute *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimSpace(resp.body))):
		return &decodeProblem{fmt.Sprintf("the server's response was cut off before its end (%s)", resp.describe()), err}
	case errors.As(err, &se):
		what := "the server's response is not valid JSON"
		if ct := mediaType(resp.header); ct != "" {
			what += " (" + ct + ")"
		}
		return &decodeProblem{fmt.Sprintf("%s (%s): it breaks off at byte %d", what, resp.describe(), se.Offset), err}
	case errors.As(err, &ute):
		where := "a value"
		if f := ute.Field; f != "" {
			where = fmt.Sprintf("the field %q", f[strings.LastIndex(f, ".")+1:])
		}
		got := map[string]string{"array": "a list", "object": "an object", "bool": "true or false", "string": "text"}[ute.Value]
		if got == "" {
			got = "a " + ute.Value // number, and the number kinds of json
		}
		return &decodeProblem{fmt.Sprintf("the server's response has an unexpected shape (%s): %s is %s where %s was expected",
			resp.describe(), where, got, jsonKind(ute.Type)), err}
	default:
		msg := fmt.Sprintf("the server's response has an unexpected shape (%s)", resp.describe())
		if detail := err.Error(); !strings.HasPrefix(detail, "json: ") {
			msg += ": " + detail // the client's own words, e.g. a timestamp it cannot read
		}
		return &decodeProblem{msg, err}
	}
}

// decodeProblem is a success body the client could not use.
type decodeProblem struct {
	msg string
	err error
}

func (e *decodeProblem) Error() string { return e.msg }
func (e *decodeProblem) Unwrap() error { return e.err }

// jsonKind names the JSON a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	}
	return "another kind of value"
}

// decodeObject decodes a success body that holds one object, bare or wrapped
// as {"data": {...}, "meta": {...}}. Unknown fields are ignored.
func decodeObject(resp *response, v any) error {
	body := bytes.TrimSpace(resp.body)
	if len(body) == 0 {
		return fmt.Errorf("the server sent an empty response (%s)", resp.describe())
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return decodeError(resp, err)
	}
	if top == nil {
		return fmt.Errorf("the server sent null instead of an object (%s)", resp.describe())
	}
	if data, ok := top["data"]; ok {
		if d := bytes.TrimSpace(data); len(d) > 0 && d[0] == '{' {
			body = d
		}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return decodeError(resp, err)
	}
	return nil
}

func decodeKey(resp *response) (*Key, error) {
	var k Key
	if err := decodeObject(resp, &k); err != nil {
		return nil, err
	}
	if k.ID == "" {
		return nil, fmt.Errorf("the server's response holds no API key (no id; %s)", resp.describe())
	}
	return &k, nil
}

// pageInfo is the pagination metadata of a list response, in either style.
type pageInfo struct {
	Limit   flexInt `json:"limit"`
	LastKey cursor  `json:"lastKey"`
	Page    flexInt `json:"page"`
	Pages   flexInt `json:"pages"`
	Total   flexInt `json:"total"`
}

func (p *pageInfo) merge(o *pageInfo) {
	if o == nil {
		return
	}
	if p.Limit == 0 {
		p.Limit = o.Limit
	}
	if p.LastKey == "" {
		p.LastKey = o.LastKey
	}
	if p.Page == 0 {
		p.Page = o.Page
	}
	if p.Pages == 0 {
		p.Pages = o.Pages
	}
	if p.Total == 0 {
		p.Total = o.Total
	}
}

// errNoDataArray is listEnvelope's answer to an object without a "data" array.
var errNoDataArray = errors.New(`no "data" array`)

// listEnvelope splits a list response into its items and its pagination: a
// bare array, or {"data": [...]} with the pagination fields under pagination,
// meta.pagination or at the top level (first found wins, field by field).
// items is the JSON array (nil for "data": null); a body that is not JSON is
// the json error, an object without a data array errNoDataArray. Pages is
// derived from total and limit when the server sends neither a cursor nor a
// page count.
func listEnvelope(body []byte) (items json.RawMessage, info pageInfo, err error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		return body, info, nil
	}
	var env struct {
		Data       json.RawMessage `json:"data"`
		Pagination *pageInfo       `json:"pagination"`
		Meta       json.RawMessage `json:"meta"`
		pageInfo
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, info, err
	}
	data := bytes.TrimSpace(env.Data)
	switch {
	case len(data) > 0 && data[0] == '[':
		items = data
	case string(data) == "null":
	default:
		return nil, info, errNoDataArray
	}
	info.merge(env.Pagination)
	var meta struct {
		Pagination *pageInfo `json:"pagination"`
	}
	if len(env.Meta) > 0 && json.Unmarshal(env.Meta, &meta) == nil {
		info.merge(meta.Pagination)
	}
	info.merge(&env.pageInfo)
	if info.LastKey == "" && info.Pages == 0 && info.Total > 0 && info.Limit > 0 {
		info.Pages = flexInt((int64(info.Total) + int64(info.Limit) - 1) / int64(info.Limit))
	}
	return items, info, nil
}

// decodeKeyPage decodes a list response of keys (see listEnvelope).
func decodeKeyPage(resp *response) (*KeyPage, error) {
	if len(bytes.TrimSpace(resp.body)) == 0 {
		return nil, fmt.Errorf("the server sent an empty response (%s)", resp.describe())
	}
	items, info, err := listEnvelope(resp.body)
	if errors.Is(err, errNoDataArray) {
		return nil, fmt.Errorf("the server's list response has no \"data\" array (%s)", resp.describe())
	}
	if err != nil {
		return nil, decodeError(resp, err)
	}
	page := &KeyPage{Keys: []Key{}}
	if items != nil {
		if err := json.Unmarshal(items, &page.Keys); err != nil {
			return nil, decodeError(resp, err)
		}
	}
	if page.Keys == nil {
		page.Keys = []Key{}
	}
	page.NextKey = string(info.LastKey)
	page.Page, page.Pages, page.Total = int(info.Page), int(info.Pages), int(info.Total)
	return page, nil
}

// flexInt is a pagination number sent as a JSON number or a numeric string.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" || s == `""` {
		*n = 0
		return nil
	}
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
		return fmt.Errorf("pagination value %q is not a count", sanitize(s, 40))
	}
	*n = flexInt(f)
	return nil
}

// cursor is an opaque pagination cursor: a JSON string, or any other JSON
// value, kept as its compact text and sent back verbatim.
type cursor string

func (c *cursor) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*c = ""
		return nil
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		*c = cursor(s)
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	*c = cursor(buf.String())
	return nil
}

// UnmarshalJSON decodes a key leniently: timestamps may carry fractional
// seconds or no zone (read as UTC), and an empty or null lastUsed means never
// used.
func (k *Key) UnmarshalJSON(b []byte) error {
	type keyFields Key
	var aux struct {
		keyFields
		LastUsed  json.RawMessage `json:"lastUsed"`
		CreatedAt json.RawMessage `json:"createdAt"`
		UpdatedAt json.RawMessage `json:"updatedAt"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	out := Key(aux.keyFields)
	var err error
	if out.LastUsed, err = parseTimestamp("lastUsed", aux.LastUsed); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *time.Time
	}{{"createdAt", aux.CreatedAt, &out.CreatedAt}, {"updatedAt", aux.UpdatedAt, &out.UpdatedAt}} {
		t, err := parseTimestamp(f.name, f.raw)
		if err != nil {
			return err
		}
		if t != nil {
			*f.dst = *t
		}
	}
	*k = out
	return nil
}

var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

func parseTimestamp(field string, raw json.RawMessage) (*time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("field %s: want an ISO 8601 timestamp string", field)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, fmt.Errorf("field %s: %q is not an ISO 8601 timestamp", field, sanitize(s, 60))
}
