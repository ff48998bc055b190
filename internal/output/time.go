package output

import (
	"fmt"
	"math"
	"time"
)

const (
	day   = 24 * time.Hour
	month = 30 * day  // a display month
	year  = 365 * day // a display year
)

// RelativeTime describes t as seen from now, the way gh does. Each count is
// truncated (90 minutes is "about 1 hour"), and the same words serve the past
// ("… ago") and the future ("in …"):
//
//	less than 1 minute either way  just now
//	1 to 2 minutes                 1 minute ago        in 1 minute
//	2 to 60 minutes                N minutes ago       in N minutes
//	1 to 2 hours                   about 1 hour ago    in about 1 hour
//	2 to 24 hours                  N hours ago         in N hours
//	1 to 2 days                    1 day ago           in 1 day
//	2 to 30 days                   N days ago          in N days
//	30 to 60 days                  about 1 month ago   in about 1 month
//	60 to 365 days                 N months ago        in N months (30-day months)
//	1 to 2 years                   about 1 year ago    in about 1 year
//	2 years and more               N years ago         in N years (365-day years)
//
// A time a few seconds ahead of now (clock skew between client and server) is
// therefore "just now", not "in 0 minutes".
func RelativeTime(now, t time.Time) string {
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var phrase string
	switch {
	case d < time.Minute:
		return "just now"
	case d < 2*time.Minute:
		phrase = "1 minute"
	case d < time.Hour:
		phrase = fmt.Sprintf("%d minutes", d/time.Minute)
	case d < 2*time.Hour:
		phrase = "about 1 hour"
	case d < day:
		phrase = fmt.Sprintf("%d hours", d/time.Hour)
	case d < 2*day:
		phrase = "1 day"
	case d < month:
		phrase = fmt.Sprintf("%d days", d/day)
	case d < 2*month:
		phrase = "about 1 month"
	case d < year:
		phrase = fmt.Sprintf("%d months", d/month)
	case d < 2*year:
		phrase = "about 1 year"
	default:
		phrase = fmt.Sprintf("%d years", d/year)
	}
	if future {
		return "in " + phrase
	}
	return phrase + " ago"
}

// Duration gives the magnitude of d in a short form for sentences such as
// "expires in 2h" and "expired 3 days ago": "45s", "45m", "2h", "1 day",
// "3 days". The count is truncated to the largest unit that fits; the sign is
// ignored (the caller words the direction). Durations under a second are "0s".
func Duration(d time.Duration) string {
	if d == math.MinInt64 || d == math.MaxInt64 {
		return "over 290 years" // time.Time.Sub saturates there
	}
	if d < 0 {
		d = -d
	}
	switch {
	case d >= 2*year:
		return fmt.Sprintf("%d years", d/year)
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < day:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d < 2*day:
		return "1 day"
	default:
		return fmt.Sprintf("%d days", d/day)
	}
}

// FormatTime renders a time for display. A nil or zero t is "never" (a key that
// was never used). With relative set (output to a terminal) the result is
// RelativeTime(now, *t); otherwise it is RFC 3339 in UTC to the second, e.g.
// "2026-11-26T10:00:00Z", which scripts can parse and sort.
func FormatTime(t *time.Time, now time.Time, relative bool) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	if relative {
		return RelativeTime(now, *t)
	}
	return t.UTC().Format(time.RFC3339)
}
