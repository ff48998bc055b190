package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkVerifyKey measures the key-verification path: shape check, HMAC
// digest, then the cache (hit) or the database (miss).
func BenchmarkVerifyKey(b *testing.B) {
	h := newHarness(b)
	k := h.create("bench")
	ctx := context.Background()
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if vk, err := h.e.verifyKey(ctx, k.Key, testOrg, testProject); vk == nil || err != nil {
				b.Fatal("not verified")
			}
		}
	})
	// The same hit without the per-request check for changes made by another
	// process (PRAGMA data_version on a connection of its own): the
	// difference is that check's cost.
	b.Run("cached-nowatch", func(b *testing.B) {
		w := h.e.store.changes
		h.e.store.changes = nil
		defer func() { h.e.store.changes = w }()
		b.ReportAllocs()
		for b.Loop() {
			if vk, err := h.e.verifyKey(ctx, k.Key, testOrg, testProject); vk == nil || err != nil {
				b.Fatal("not verified")
			}
		}
	})
	// The same hit with the check for changes made unthrottled, on every
	// call: what a check costs.
	b.Run("cached-checkeach", func(b *testing.B) {
		w := h.e.store.changes
		every := w.every
		w.every = 0
		defer func() { w.every = every }()
		b.ReportAllocs()
		for b.Loop() {
			if vk, err := h.e.verifyKey(ctx, k.Key, testOrg, testProject); vk == nil || err != nil {
				b.Fatal("not verified")
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.e.cache.invalidate(k.ID)
			if vk, err := h.e.verifyKey(ctx, k.Key, testOrg, testProject); vk == nil || err != nil {
				b.Fatal("not verified")
			}
		}
	})
	b.Run("unknown", func(b *testing.B) {
		b.ReportAllocs()
		unknown := alterLast(k.Key)
		for b.Loop() {
			if vk, _ := h.e.verifyKey(ctx, unknown, testOrg, testProject); vk != nil {
				b.Fatal("verified an unknown key")
			}
		}
	})
	b.Run("malformed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if vk, _ := h.e.verifyKey(ctx, "short", testOrg, testProject); vk != nil {
				b.Fatal("verified a malformed key")
			}
		}
	})
}

// BenchmarkClientTags measures a whole authenticated client-API call
// (GET /tags?limit=1, the CLI's key check) through the handler, with lastUsed
// recording on at the default resolution and rate limits at their defaults.
func BenchmarkClientTags(b *testing.B) {
	for _, tc := range []struct {
		parallel, watch bool
	}{{false, true}, {true, true}, {false, false}, {true, false}} {
		b.Run(fmt.Sprintf("parallel=%v/watch=%v", tc.parallel, tc.watch), func(b *testing.B) {
			parallel := tc.parallel
			h := newHarness(b, func(c *Config) { c.RateLimit = 1 << 30; c.FailedAuthLimit = 100 })
			if !tc.watch {
				w := h.e.store.changes
				h.e.store.changes = nil
				defer func() { h.e.store.changes = w }()
			}
			k := h.create("bench")
			path := clientPath(testOrg, testProject, "tags?limit=1")
			call := func() {
				r := httptest.NewRequest("GET", path, nil)
				r.Header.Set("X-Api-Key", k.Key)
				w := httptest.NewRecorder()
				h.e.Handler().ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Errorf("status %d", w.Code)
				}
			}
			b.ReportAllocs()
			if parallel {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						call()
					}
				})
				return
			}
			for b.Loop() {
				call()
			}
		})
	}
}
