package keys

import (
	"errors"
	"fmt"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
)

// Selectors pick keys by use, age and name; `keys list` and `keys revoke` share them.
type Selectors struct {
	UnusedFor     string
	NeverUsed     bool
	UsedSince     string
	CreatedBefore string
	NameMatch     string

	unusedFor     Age
	usedSince     Age
	createdBefore time.Time
}

// AddFlags registers the selector flags.
func (s *Selectors) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.UnusedFor, "unused-for", "", "keys not used for at least this long (e.g. 90d, 12h, 2w; 0d selects them all); never-used keys count by their age")
	fs.BoolVar(&s.NeverUsed, "never-used", false, "keys that have never been used")
	fs.StringVar(&s.UsedSince, "used-since", "", "keys used within this long (e.g. 24h, 7d; more than 0)")
	fs.StringVar(&s.CreatedBefore, "created-before", "", "keys created before this date (2026-01-01 or RFC 3339)")
	fs.StringVar(&s.NameMatch, "name-match", "", "keys whose name matches this glob, case-insensitively (e.g. 'ios-*')")
}

// Active reports whether any selector is set.
func (s *Selectors) Active() bool {
	return s.UnusedFor != "" || s.NeverUsed || s.UsedSince != "" || s.CreatedBefore != "" || s.NameMatch != ""
}

// Validate parses the selector values; errors are usage errors.
func (s *Selectors) Validate() error {
	var err error
	if s.UnusedFor != "" {
		if s.unusedFor, err = ParseAge(s.UnusedFor); err != nil {
			return cmdutil.FlagErrorf("invalid --unused-for: %v", err)
		}
	}
	if s.UsedSince != "" {
		if s.usedSince, err = ParseAge(s.UsedSince); err != nil {
			return cmdutil.FlagErrorf("invalid --used-since: %v", err)
		}
		if s.usedSince.IsZero() {
			return cmdutil.FlagErrorf("--used-since %s selects no key: none was used after now", strings.TrimSpace(s.UsedSince)).
				WithHint("give a time span greater than 0, e.g. --used-since 24h")
		}
	}
	if s.NeverUsed && s.UsedSince != "" {
		return cmdutil.FlagErrorf("--never-used and --used-since select disjoint keys; use one of them")
	}
	if s.CreatedBefore != "" {
		if s.createdBefore, err = parseDate(s.CreatedBefore); err != nil {
			return cmdutil.FlagErrorf("invalid --created-before: %v", err)
		}
	}
	if s.NameMatch != "" {
		if _, err := path.Match(strings.ToLower(s.NameMatch), ""); err != nil {
			return cmdutil.FlagErrorf("invalid --name-match pattern %q: use * ? and [...] globs", s.NameMatch)
		}
	}
	return nil
}

// Match reports whether k is selected at time now. Selectors combine with AND.
func (s *Selectors) Match(k api.Key, now time.Time) bool {
	if s.NeverUsed && k.LastUsed != nil {
		return false
	}
	if s.UnusedFor != "" && !s.unusedFor.IsZero() {
		// 0 selects every key, even one whose last use a skewed clock put
		// after now.
		last := k.CreatedAt
		if k.LastUsed != nil {
			last = *k.LastUsed
		}
		if last.After(s.unusedFor.Before(now)) {
			return false
		}
	}
	if s.UsedSince != "" && (k.LastUsed == nil || k.LastUsed.Before(s.usedSince.Before(now))) {
		return false
	}
	if s.CreatedBefore != "" && !k.CreatedAt.Before(s.createdBefore) {
		return false
	}
	if s.NameMatch != "" {
		ok, _ := path.Match(strings.ToLower(s.NameMatch), strings.ToLower(k.Name))
		if !ok {
			return false
		}
	}
	return true
}

// Filter returns the selected keys, in order.
func (s *Selectors) Filter(keys []api.Key, now time.Time) []api.Key {
	out := make([]api.Key, 0, len(keys))
	for _, k := range keys {
		if s.Match(k, now) {
			out = append(out, k)
		}
	}
	return out
}

// Age is how far back a selector reaches: whole calendar days, counted with
// time.AddDate so that any number of days works (a time.Duration ends at about
// 292 years), plus a remainder shorter than a day's multiple.
type Age struct {
	Days int
	Rest time.Duration
}

// maxAgeDays caps the days an Age counts: about 27,000 years, before any key
// was made, so a longer span selects the same keys.
const maxAgeDays = 10_000_000

// IsZero reports whether a is no time at all.
func (a Age) IsZero() bool { return a.Days == 0 && a.Rest == 0 }

// Before returns the time a reaches back to from now.
func (a Age) Before(now time.Time) time.Time {
	return now.UTC().AddDate(0, 0, -a.Days).Add(-a.Rest)
}

// decimal is the number before a d or w unit: digits, with a fraction.
var decimal = regexp.MustCompile(`^([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// ParseAge parses a time span with day and week units as well as Go's own:
// "90d", "2w", "36h", "1h30m", "0d". It must not be negative; spans longer
// than maxAgeDays count as maxAgeDays.
func ParseAge(s string) (Age, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Age{}, fmt.Errorf("empty duration")
	}
	bad := fmt.Errorf("%q is not a duration: use e.g. 90d, 2w, 24h or 30m", s)
	unit := s[len(s)-1]
	if unit == 'd' || unit == 'w' {
		num := s[:len(s)-1]
		if !decimal.MatchString(num) {
			return Age{}, bad
		}
		n, err := strconv.ParseFloat(num, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return Age{}, bad
		}
		if unit == 'w' {
			n *= 7
		}
		if n >= maxAgeDays { // out-of-range values (+Inf) included
			return Age{Days: maxAgeDays}, nil
		}
		whole := math.Floor(n)
		return Age{Days: int(whole), Rest: time.Duration((n - whole) * float64(24*time.Hour))}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || strings.HasPrefix(s, "-") {
		return Age{}, bad
	}
	return Age{Days: int(d / (24 * time.Hour)), Rest: d % (24 * time.Hour)}, nil
}

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: use 2026-01-01 or 2026-01-01T10:00:00Z", s)
}
