package keys

import (
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
)

func TestParseAge(t *testing.T) {
	good := map[string]time.Duration{"90d": 90 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "24h": 24 * time.Hour, "1h30m": 90 * time.Minute, "0.5d": 12 * time.Hour}
	for in, want := range good {
		got, err := ParseAge(in)
		if err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-3d", "0d", "abc", "10", "3y", "1e9d", "0s"} {
		if _, err := ParseAge(in); err == nil {
			t.Errorf("ParseAge(%q) accepted", in)
		}
	}
}

func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"90d", "2w", "24h", "-1d", "", "NaNd", "Infd", "9999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAge(s)
		if err == nil && d <= 0 {
			t.Fatalf("ParseAge(%q) = %v without error", s, d)
		}
	})
}

func TestSelectors(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	day := 24 * time.Hour
	keys := []api.Key{
		{ID: "1", Name: "ios-prod", CreatedAt: now.Add(-400 * day), LastUsed: ago(100 * day)},
		{ID: "2", Name: "ios-beta", CreatedAt: now.Add(-200 * day)},
		{ID: "3", Name: "web", CreatedAt: now.Add(-10 * day), LastUsed: ago(time.Hour)},
		{ID: "4", Name: "new", CreatedAt: now.Add(-time.Hour)},
	}
	cases := []struct {
		s    Selectors
		want string
	}{
		{Selectors{UnusedFor: "90d"}, "12"},
		{Selectors{NeverUsed: true}, "24"},
		{Selectors{UsedSince: "24h"}, "3"},
		{Selectors{CreatedBefore: "2026-01-01"}, "1"},
		{Selectors{CreatedBefore: "2026-06-01"}, "12"},
		{Selectors{NameMatch: "IOS-*"}, "12"},
		{Selectors{NameMatch: "ios-*", NeverUsed: true}, "2"},
		{Selectors{}, "1234"},
	}
	for _, c := range cases {
		if err := c.s.Validate(); err != nil {
			t.Fatalf("%+v: %v", c.s, err)
		}
		got := ""
		for _, k := range c.s.Filter(keys, now) {
			got += k.ID
		}
		if got != c.want {
			t.Errorf("%+v selected %q, want %q", c.s, got, c.want)
		}
	}
	for _, bad := range []Selectors{{UnusedFor: "soon"}, {CreatedBefore: "yesterday"}, {NameMatch: "["}, {NeverUsed: true, UsedSince: "1d"}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
}

// FuzzSelectors feeds arbitrary selector values through validation and matching:
// never a panic, and a value that validates selects consistently.
func FuzzSelectors(f *testing.F) {
	f.Add("90d", "24h", "2026-01-01", "ios-*", true)
	f.Add("", "", "2026-01-01T10:00:00Z", "[a-", false)
	f.Add("1.5w", "-1h", "yesterday", "*\\", false)
	f.Fuzz(func(t *testing.T, unused, since, before, glob string, never bool) {
		s := Selectors{UnusedFor: unused, UsedSince: since, CreatedBefore: before, NameMatch: glob, NeverUsed: never}
		if err := s.Validate(); err != nil {
			return
		}
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		used := now.Add(-48 * time.Hour)
		k := api.Key{Name: "ios-prod", CreatedAt: now.Add(-400 * 24 * time.Hour), LastUsed: &used}
		got := s.Match(k, now)
		if again := s.Match(k, now); got != again {
			t.Fatal("Match is not deterministic")
		}
		if never && got {
			t.Fatal("--never-used selected a used key")
		}
		fresh := api.Key{Name: k.Name, CreatedAt: k.CreatedAt}
		if s.UsedSince != "" && s.Match(fresh, now) {
			t.Fatal("--used-since selected a never-used key")
		}
	})
}
