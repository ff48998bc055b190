package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// benchPage is one page of n keys in the emulator's shape.
func benchPage(n, offset int, lastKey string) []byte {
	keys := make([]map[string]any, n)
	for i := range keys {
		keys[i] = map[string]any{
			"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", offset+i), "projectId": "web",
			"name": fmt.Sprintf("bulk-key-%05d", offset+i), "status": "active",
			"lastUsed": "2026-11-20T10:00:00Z", "createdBy": "alice",
			"createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
		}
	}
	page := map[string]any{"data": keys, "pagination": map[string]any{"limit": n}}
	if lastKey != "" {
		page["pagination"].(map[string]any)["lastKey"] = lastKey
	}
	b, _ := json.Marshal(page)
	return b
}

// BenchmarkDecodeKeyPage measures decoding one full page (100 keys).
func BenchmarkDecodeKeyPage(b *testing.B) {
	body := benchPage(100, 0, "next")
	resp := &response{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: body}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		page, err := decodeKeyPage(resp)
		if err != nil || len(page.Keys) != 100 {
			b.Fatalf("%v %d", err, len(page.Keys))
		}
	}
}

// BenchmarkListAllKeys measures following the pagination over 1,000 keys (ten
// pages) from a loopback server, decoding included.
func BenchmarkListAllKeys(b *testing.B) {
	const total, per = 1000, 100
	pages := make(map[string][]byte)
	for i := 0; i < total; i += per {
		next := ""
		if i+per < total {
			next = strconv.Itoa(i + per)
		}
		cur := ""
		if i > 0 {
			cur = strconv.Itoa(i)
		}
		pages[cur] = benchPage(per, i, next)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(pages[r.URL.Query().Get("lastKey")])
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, Token: "t", UserAgent: "bench", Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		keys, err := c.ListAllKeys(context.Background(), "acme", "web", ListOptions{Limit: per}, nil)
		if err != nil || len(keys) != total {
			b.Fatalf("%v %d", err, len(keys))
		}
	}
}
