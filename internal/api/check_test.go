package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckKey(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		header   map[string]string
		body     string
		want     CheckResult
		hits     int
	}{
		{name: "works", statuses: []int{200}, body: `{"data":[],"pagination":{"limit":1}}`, want: CheckResult{StatusCode: 200}, hits: 1},
		{name: "rejected", statuses: []int{401}, body: `{"error":{"code":"UNAUTHORIZED","message":"Invalid API key"}}`,
			want: CheckResult{StatusCode: 401, Code: "UNAUTHORIZED", Message: "Invalid API key"}, hits: 1},
		{name: "other project", statuses: []int{403}, body: `{"error":{"code":"FORBIDDEN","message":"key belongs to another project"}}`,
			want: CheckResult{StatusCode: 403, Code: "FORBIDDEN", Message: "key belongs to another project"}, hits: 1},
		{name: "retried", statuses: []int{503, 503, 200}, body: `{"data":[]}`, want: CheckResult{StatusCode: 200}, hits: 3},
		{name: "unavailable", statuses: []int{503}, body: `{"error":{"code":"UNAVAILABLE","message":"down"}}`,
			want: CheckResult{StatusCode: 503, Code: "UNAVAILABLE", Message: "down"}, hits: 3},
		{name: "rate limited for an hour", statuses: []int{429}, header: map[string]string{"Retry-After": "3600"},
			body: `{"error":{"code":"RATE_LIMITED","message":"slow down"}}`,
			want: CheckResult{StatusCode: 429, Code: "RATE_LIMITED", Message: "slow down", RetryAfter: time.Hour}, hits: 1},
		{name: "echoed key is masked", statuses: []int{401}, body: `{"error":{"code":"UNAUTHORIZED","message":"unknown key ` + testAPIKey + `"}}`,
			want: CheckResult{StatusCode: 401, Code: "UNAUTHORIZED", Message: "unknown key ****"}, hits: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(hits.Add(1)) - 1
				if r.URL.Path != "/api/v1/organizations/acme/projects/web/tags" || r.URL.RawQuery != "limit=1" || r.Method != http.MethodGet {
					t.Errorf("request %s %s", r.Method, r.URL)
				}
				if got := r.Header.Get("x-api-key"); got != testAPIKey {
					t.Errorf("x-api-key = %q", got)
				}
				if got := r.Header.Get("Authorization"); got != "" {
					t.Errorf("the admin token was sent with a key check: %q", got)
				}
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("X-Request-ID", "rid-check")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.statuses[min(n, len(tt.statuses)-1)])
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv.URL) // the client has a token; it must not be used
			res, err := c.CheckKey(context.Background(), "acme", "web", testAPIKey)
			if err != nil {
				t.Fatalf("CheckKey: %v", err)
			}
			want := tt.want
			want.RequestID = "rid-check"
			if *res != want {
				t.Errorf("result = %+v, want %+v", *res, want)
			}
			if res.OK() != (want.StatusCode == 200) {
				t.Errorf("OK() = %v", res.OK())
			}
			if n := int(hits.Load()); n != tt.hits {
				t.Errorf("%d hits, want %d", n, tt.hits)
			}
		})
	}
}

func TestCheckKeyErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	c, _ := newTestClient(t, base)
	res, err := c.CheckKey(context.Background(), "acme", "web", testAPIKey)
	if err == nil || res != nil {
		t.Errorf("unreachable server: %+v, %v; want an error", res, err)
	} else {
		assertNoSecrets(t, "error", err.Error())
	}

	for _, key := range []string{"", testAPIKey + "\n", " " + testAPIKey} {
		_, err := c.CheckKey(context.Background(), "acme", "web", key)
		if err == nil {
			t.Errorf("CheckKey(%q) accepted", key)
			continue
		}
		assertNoSecrets(t, "error", err.Error())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.CheckKey(ctx, "acme", "web", testAPIKey); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled check: %v", err)
	}
}
