package keys

import (
	"fmt"
	"path"
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

	unusedFor     time.Duration
	usedSince     time.Duration
	createdBefore time.Time
}

// AddFlags registers the selector flags.
func (s *Selectors) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&s.UnusedFor, "unused-for", "", "keys not used for at least this long (e.g. 90d, 12h, 2w); never-used keys count by their age")
	fs.BoolVar(&s.NeverUsed, "never-used", false, "keys that have never been used")
	fs.StringVar(&s.UsedSince, "used-since", "", "keys used within this long (e.g. 24h, 7d)")
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
	if s.UnusedFor != "" {
		last := k.CreatedAt
		if k.LastUsed != nil {
			last = *k.LastUsed
		}
		if now.Sub(last) < s.unusedFor {
			return false
		}
	}
	if s.UsedSince != "" && (k.LastUsed == nil || now.Sub(*k.LastUsed) > s.usedSince) {
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

// ParseAge parses a duration with day and week units as well as Go's own:
// "90d", "2w", "36h", "1h30m". It must be positive.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	unit := s[len(s)-1]
	if unit == 'd' || unit == 'w' {
		n, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || !(n > 0) || n > 36500 {
			return 0, fmt.Errorf("%q is not a duration: use e.g. 90d, 2w, 24h or 30m", s)
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		return time.Duration(n * float64(day)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration: use e.g. 90d, 2w, 24h or 30m", s)
	}
	return d, nil
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
