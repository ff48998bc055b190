package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/textsafe"
)

func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{
		"", "0", "2", "60", "61", "3600", "-1", "+5", "1.5", " 7 ", "soon", "99999999999999999999",
		"9223372036854775807", "9223372036", "9223372037",
		"Sun, 01 Jun 2025 12:00:05 GMT", "Sunday, 01-Jun-25 12:01:30 GMT", "Sun Jun  1 12:00:05 2025",
		"Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Sun, 01 Jun 2025 12:00:05 XYZ",
		"\x00", "１２", "1e3",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, fixedNow)
		if d < 0 || (!ok && d != 0) {
			t.Errorf("parseRetryAfter(%q) = %s, %v", v, d, ok)
		}
		if ok && isDigits(strings.TrimSpace(v)) && d%time.Second != 0 && d != maxWait {
			t.Errorf("parseRetryAfter(%q) = %s: not whole seconds", v, d)
		}
		d, ok = parseRateLimitReset(v, fixedNow)
		if d < 0 || (ok && d == 0) || (!ok && d != 0) {
			t.Errorf("parseRateLimitReset(%q) = %s, %v", v, d, ok)
		}
		h := http.Header{}
		h.Set("Retry-After", v)
		h.Set("X-RateLimit-Reset", v)
		if d, _ := serverWait(h, errorBody{}, fixedNow, http.StatusTooManyRequests); d < 0 {
			t.Errorf("serverWait(%q) = %s", v, d)
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	seeds := []struct {
		status int
		ct     string
		body   string
	}{
		{409, "application/json", `{"error":{"code":"APIKEY_NAME_ALREADY_EXISTS","message":"taken","details":{"name":"x"}}}`},
		{404, "application/json", `{"code":"NOT_FOUND","message":"missing"}`},
		{403, "application/json", `{"message":"forbidden"}`},
		{401, "application/json", `{"error":"Unauthorized"}`},
		{429, "application/json", `{"error":{"code":"RATE_LIMITED","details":{"retryAfter":"1e400"}},"retryAfter":-3}`},
		{502, "text/html", "<html><body>Bad Gateway</body></html>"},
		{503, "", ""},
		{500, "application/json", `{"error":{"code":["x"],"message":{"nested":true},"details":[1,2]}}`},
		{500, "application/json", `{"error":{"message":"\u001b[2J\r\n\u202e"}}`},
		{400, "application/json", `{"error":`},
		{400, "application/json", `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`},
		{422, "application/json", `{"error":{"details":{"a":{"b":{"c":{"d":"\u0000"}}}}}} trailing`},
		{0, "x", "null"},
		{-1, "", `"string"`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		e, _ := errorFromBody(status, contentType, body)
		if e == nil || e.StatusCode != status {
			t.Fatalf("errorFromBody = %+v", e)
		}
		if e.Message == "" {
			t.Errorf("empty message for status %d body %q", status, body)
		}
		for _, s := range []string{e.Code, e.Message} {
			if textsafe.Escape(s) != s {
				t.Errorf("unescaped control or invisible character in %q", s)
			}
		}
		_ = e.Error()

		// The success decoders and the debug masker must not panic either.
		resp := &response{status: 200, header: http.Header{"Content-Type": {contentType}}, body: body, requestID: "r"}
		_, _ = decodeKey(resp)
		_, _ = decodeKeyPage(resp)
		if s, ok := maskJSON(body); ok && strings.ContainsAny(s, "\n") {
			t.Errorf("masked JSON spans lines: %q", s)
		}
	})
}

// A debug line is one line, with anything a terminal would act on or not
// show escaped (the one rule of package textsafe).
func TestDebugLineEscapes(t *testing.T) {
	var buf strings.Builder
	d := newDebugLogger(&buf, "")
	d.line(nil, "%s", "a\x1b[2Jb\nc\td\x7fe\u0085f\u202eg\u2028h\u3164")
	want := "debug: " + `a\x1b[2Jb\nc\td\x7fe\u0085f\u202eg\u2028h\u3164` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("debug line = %q, want %q", got, want)
	}
}
