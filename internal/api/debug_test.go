package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/testsupport"
)

// createdSecret is the key value the fake server "generates" on create.
const createdSecret = "mbCREATEDSECRETdistinct0123456789"

func TestDebugTraceRedacts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "session="+testJWT)
		w.Header().Set("X-RateLimit-Remaining", "599")
		w.Header().Set("X-Internal-Trace", "not-allow-listed")
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/v1/"):
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"UNAUTHORIZED","message":"bad key ` + r.Header.Get("x-api-key") + `"}}`))
		case r.URL.Path == "/app/v1/organizations/acme/projects/web/api-keys/html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>" + testJWT + "</html>"))
		case r.URL.Path == "/app/v1/organizations/acme/projects/web/api-keys/echo":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":{"code":"BAD\u001b[2J","message":"token ` + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + ` rejected","details":{"jwt":"` + testJWT + `"}}}`))
		case r.Method == http.MethodPost:
			if !bytes.Contains(body, []byte(testAPIKey)) {
				t.Errorf("create body %s lacks the custom key", body)
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(strings.Replace(keyJSON, `"name":"ci"`, `"name":"ci","key":"`+createdSecret+`","nested":{"token":"`+testJWT+`","list":[{"secret":"`+testAPIKey+`"}]}`, 1)))
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/api-keys"):
			_, _ = w.Write([]byte(`{"data":[` + keyJSON + `],"pagination":{"limit":1}}`))
		default:
			_, _ = w.Write([]byte(keyJSON))
		}
	}))
	defer srv.Close()

	var trace testsupport.SyncBuffer
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Debug = &trace })
	ctx := context.Background()
	var errs []string
	k, err := c.CreateKey(ctx, "acme", "web", CreateKeyRequest{Name: "ci", APIKey: testAPIKey})
	if err != nil || k.Key != createdSecret {
		t.Fatalf("CreateKey = %+v, %v", k, err)
	}
	if _, err := c.ListAllKeys(ctx, "acme", "web", ListOptions{Limit: 1}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetKey(ctx, "acme", "web", keyID); err != nil {
		t.Fatal(err)
	}
	name := "renamed"
	if _, err := c.UpdateKey(ctx, "acme", "web", keyID, UpdateKeyRequest{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteKey(ctx, "acme", "web", keyID); err != nil {
		t.Fatal(err)
	}
	res, err := c.CheckKey(ctx, "acme", "web", testAPIKey)
	if err != nil || res.StatusCode != 401 {
		t.Fatalf("CheckKey = %+v, %v", res, err)
	}
	errs = append(errs, res.Message)
	for _, id := range []string{"html", "echo"} {
		_, err := c.GetKey(ctx, "acme", "web", id)
		if err == nil {
			t.Fatalf("GetKey(%s) succeeded", id)
		}
		errs = append(errs, err.Error())
	}

	out := trace.String()
	assertNoSecrets(t, "debug trace", out)
	if strings.Contains(out, createdSecret) {
		t.Errorf("debug trace shows the created key:\n%s", out)
	}
	for _, e := range errs {
		assertNoSecrets(t, "error", e)
	}
	for _, want := range []string{
		"Authorization: Bearer ****",
		"X-Api-Key: ****",
		"Set-Cookie: ****",
		`"key":"****"`,
		`"apiKey":"****"`,
		`"token":"****"`,
		`"secret":"****"`,
		`"jwt":"****"`,
		"X-Ratelimit-Remaining: 599",
		"User-Agent: metabind/test",
		"X-Request-Id: ",
		"> POST " + srv.URL + "/app/v1/organizations/acme/projects/web/api-keys (attempt 1, request id ",
		"< 201 Created POST ",
		"/tags?limit=1",
		"api-keys?limit=1",
		"< 401 Unauthorized GET ",
		"body: 102 bytes of text/html, not shown",
		`"code":"BAD\u001b[2J"`, // escaped by the JSON re-encoding
	} {
		if !strings.Contains(out, want) {
			t.Errorf("debug trace lacks %q", want)
		}
	}
	if strings.Contains(out, "not-allow-listed") {
		t.Errorf("a header outside the allow-list was shown")
	}
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("the trace carries a raw escape character")
	}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "debug: ") {
			t.Errorf("line %d is not a trace line: %q", i, line)
		}
	}
	// One request line and one response line per request: 7 calls, and the
	// HTML 502 tried 3 times.
	if got := strings.Count(out, "debug: > "); got != 10 {
		t.Errorf("%d request lines, want 10", got)
	}
	if got := strings.Count(out, "debug: < "); got != 10 {
		t.Errorf("%d response lines, want 10", got)
	}
}

func TestDebugTraceRetriesAndFailures(t *testing.T) {
	srv := newScriptServer(t, keyJSON, 503, 200)
	var trace testsupport.SyncBuffer
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Debug = &trace })
	if _, err := c.GetKey(context.Background(), "acme", "web", keyID); err != nil {
		t.Fatal(err)
	}
	out := trace.String()
	for _, want := range []string{"(attempt 1,", "(attempt 2,", "retrying GET /app/v1/organizations/acme/projects/web/api-keys/" + keyID + " in 500ms (attempt 2 of 3)", "< 503 Service Unavailable"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	base := closed.URL
	closed.Close()
	trace.Reset()
	c, _ = newTestClient(t, base, func(o *Options) { o.Debug = &trace })
	_, _ = c.CheckKey(context.Background(), "acme", "web", testAPIKey)
	out = trace.String()
	if !strings.Contains(out, "! GET "+base+"/api/v1/organizations/acme/projects/web/tags?limit=1 failed") {
		t.Errorf("trace lacks the failure line:\n%s", out)
	}
	assertNoSecrets(t, "debug trace", out)
}

func TestMaskJSONTruncates(t *testing.T) {
	big := `{"items":["` + strings.Repeat("é", 5000) + `"],"apiKey":"` + testAPIKey + `"}`
	got := formatBody([]byte(big), "application/json")
	if !strings.Contains(got, "…(truncated)") || len(got) > maxDebugBody+100 {
		t.Errorf("body shown with %d bytes", len(got))
	}
	if strings.Contains(got, testAPIKey) {
		t.Errorf("masked body shows the key")
	}
	if got := formatBody([]byte(`{"a":1} {"b":2}`), "application/json"); !strings.Contains(got, "not shown") {
		t.Errorf("two JSON values shown as JSON: %s", got)
	}
}
