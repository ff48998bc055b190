package output

import (
	"fmt"
	"io"
	"testing"
	"time"
)

func benchKeys(n int) []sampleKey {
	keys := make([]sampleKey, n)
	for i := range keys {
		used := now.Add(-time.Duration(i) * time.Minute)
		keys[i] = sampleKey{
			ID: fmt.Sprintf("%08x-6f0e-4c1f-9f5e-3b1c2d4e5f60", i), ProjectID: "web",
			Name: fmt.Sprintf("service key %d", i), Status: "active", LastUsed: &used,
			CreatedBy: "ada@example.com", CreatedAt: now.Add(-40 * day), UpdatedAt: now,
		}
	}
	return keys
}

func BenchmarkWriteTable(b *testing.B) {
	rows := keyRows(benchKeys(10_000), true)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteTable(io.Discard, keyHeaders, rows, TableOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	keys := benchKeys(10_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, keys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteYAML(b *testing.B) {
	keys := benchKeys(1_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteYAML(io.Discard, keys); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSanitize(b *testing.B) {
	for _, s := range []string{"iOS Production App", "🚀 Launch café", "evil\x1b[2Jname\n"} {
		b.Run(fmt.Sprintf("%q", s), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Sanitize(s)
			}
		})
	}
}
