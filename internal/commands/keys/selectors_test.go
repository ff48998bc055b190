package keys

import (
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
)

func TestParseAge(t *testing.T) {
	good := map[string]Age{
		"90d": {Days: 90}, "2w": {Days: 14}, "24h": {Days: 1}, "1h30m": {Rest: 90 * time.Minute},
		"0.5d": {Rest: 12 * time.Hour}, "1.5w": {Days: 10, Rest: 12 * time.Hour}, "49h": {Days: 2, Rest: time.Hour},
		"0d": {}, "0": {}, "0s": {}, " 7d ": {Days: 7},
		// Beyond what a time.Duration holds (about 292 years): whole days.
		"100000d": {Days: 100000}, "20000w": {Days: 140000},
		// Longer than any key can have existed: capped.
		"99999999999d": {Days: maxAgeDays}, "1" + strings.Repeat("0", 400) + "d": {Days: maxAgeDays},
	}
	for in, want := range good {
		got, err := ParseAge(in)
		if err != nil || got != want {
			t.Errorf("ParseAge(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-3d", "-0d", "-1h", "abc", "10", "3y", "1e9d", "Infd", "NaNd", "0x10d", "1_0d", "+3d", ".d"} {
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
		a, err := ParseAge(s)
		if err == nil && (a.Days < 0 || a.Days > maxAgeDays || a.Rest < 0 || a.Rest >= 24*time.Hour) {
			t.Fatalf("ParseAge(%q) = %+v without error", s, a)
		}
		if err == nil {
			// Before never panics and never reaches forward.
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			if a.Before(now).After(now) {
				t.Fatalf("ParseAge(%q).Before(now) is after now", s)
			}
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
		// 0 selects every key; a span longer than a time.Duration selects
		// keys by calendar days.
		{Selectors{UnusedFor: "0d"}, "1234"},
		{Selectors{UnusedFor: "0"}, "1234"},
		{Selectors{UnusedFor: "100000d"}, ""},
		{Selectors{UnusedFor: "150d"}, "2"},
		{Selectors{UnusedFor: "199d"}, "2"},
		{Selectors{UnusedFor: "201d"}, ""},
		{Selectors{UsedSince: "100000d"}, "13"},
		{Selectors{UsedSince: "99d"}, "3"},
		{Selectors{UsedSince: "101d"}, "13"},
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
	for _, bad := range []Selectors{{UnusedFor: "soon"}, {CreatedBefore: "yesterday"}, {NameMatch: "["}, {NeverUsed: true, UsedSince: "1d"}, {UsedSince: "0d"}, {UsedSince: "0"}, {UnusedFor: "-1d"}} {
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
