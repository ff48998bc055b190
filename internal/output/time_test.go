package output

import (
	"testing"
	"time"
)

func TestRelativeTime(t *testing.T) {
	cases := []struct {
		offset time.Duration // t = now - offset
		want   string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{-59 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{119 * time.Second, "1 minute ago"},
		{2 * time.Minute, "2 minutes ago"},
		{59*time.Minute + 59*time.Second, "59 minutes ago"},
		{time.Hour, "about 1 hour ago"},
		{119 * time.Minute, "about 1 hour ago"},
		{2 * time.Hour, "2 hours ago"},
		{3*time.Hour + 12*time.Minute, "3 hours ago"},
		{23*time.Hour + 59*time.Minute, "23 hours ago"},
		{24 * time.Hour, "1 day ago"},
		{47 * time.Hour, "1 day ago"},
		{48 * time.Hour, "2 days ago"},
		{29 * day, "29 days ago"},
		{30 * day, "about 1 month ago"},
		{59 * day, "about 1 month ago"},
		{60 * day, "2 months ago"},
		{364 * day, "12 months ago"},
		{365 * day, "about 1 year ago"},
		{729 * day, "about 1 year ago"},
		{730 * day, "2 years ago"},
		{3651 * day, "10 years ago"},
		{-time.Minute, "in 1 minute"},
		{-5 * time.Minute, "in 5 minutes"},
		{-90 * time.Minute, "in about 1 hour"},
		{-2 * time.Hour, "in 2 hours"},
		{-36 * time.Hour, "in 1 day"},
		{-3 * day, "in 3 days"},
		{-45 * day, "in about 1 month"},
		{-90 * day, "in 3 months"},
		{-400 * day, "in about 1 year"},
		{-800 * day, "in 2 years"},
	}
	for _, c := range cases {
		if got := RelativeTime(now, now.Add(-c.offset)); got != c.want {
			t.Errorf("RelativeTime(now, now-%v) = %q, want %q", c.offset, got, c.want)
		}
	}
}

func TestRelativeTimeIgnoresZones(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	if got := RelativeTime(now, now.Add(-3*time.Hour).In(tokyo)); got != "3 hours ago" {
		t.Errorf("got %q, want 3 hours ago", got)
	}
}

func TestDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{3 * 365 * 24 * time.Hour, "3 years"},
		{time.Duration(1<<63 - 1), "over 290 years"}, // a token that expires in the year 3000
		{999 * time.Millisecond, "0s"},
		{45 * time.Second, "45s"},
		{time.Minute, "1m"},
		{45*time.Minute + 30*time.Second, "45m"},
		{time.Hour, "1h"},
		{2*time.Hour + 59*time.Minute, "2h"},
		{23 * time.Hour, "23h"},
		{24 * time.Hour, "1 day"},
		{47 * time.Hour, "1 day"},
		{3 * day, "3 days"},
		{400 * day, "400 days"},
		{-2 * time.Hour, "2h"},
		{-3*day - time.Hour, "3 days"},
	}
	for _, c := range cases {
		if got := Duration(c.d); got != c.want {
			t.Errorf("Duration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	used := now.Add(-3*time.Hour - 500*time.Millisecond).In(tokyo)
	var zero time.Time
	cases := []struct {
		name     string
		t        *time.Time
		relative bool
		want     string
	}{
		{"nil relative", nil, true, "never"},
		{"nil absolute", nil, false, "never"},
		{"zero", &zero, false, "never"},
		{"relative", &used, true, "3 hours ago"},
		{"absolute is UTC to the second", &used, false, "2026-11-26T06:59:59Z"},
		{"absolute whole", &now, false, "2026-11-26T10:00:00Z"},
	}
	for _, c := range cases {
		if got := FormatTime(c.t, now, c.relative); got != c.want {
			t.Errorf("%s: FormatTime = %q, want %q", c.name, got, c.want)
		}
	}
}
