package keys

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRotatedName(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("x", 3600))
	if got := rotatedName("ci", now, 1); got != "ci (rotated 2026-11-26T09:00:00Z)" {
		t.Fatalf("got %q", got)
	}
	long := strings.Repeat("é", 100)
	got := rotatedName(long, now, 1)
	if n := utf8.RuneCountInString(got); n != 100 {
		t.Fatalf("rotated name is %d characters, want 100: %q", n, got)
	}
	if !strings.HasSuffix(got, "… (rotated 2026-11-26T09:00:00Z)") {
		t.Fatalf("got %q", got)
	}
	if got := rotatedName("ci", now, 2); got != "ci (rotated 2026-11-26T09:00:00Z #2)" {
		t.Fatalf("second rotation in the same second: %q", got)
	}
	if n := utf8.RuneCountInString(rotatedName(long, now, 3)); n != 100 {
		t.Fatalf("counted rotated name is %d characters", n)
	}
	if _, err := checkName("name", got); err != nil {
		t.Fatalf("the rotated name breaks the name rules: %v", err)
	}
}

// The new key is created under a parked name while its secret is delivered:
// within the name limit, valid, and never the old key's name.
func TestParkedNewName(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	if got := parkedName("ci", "new", now, 1); got != "ci (new 2026-11-26T09:00:00Z)" {
		t.Fatalf("got %q", got)
	}
	long := strings.Repeat("x", 100)
	got := parkedName(long, "new", now, 2)
	if n := utf8.RuneCountInString(got); n != 100 {
		t.Fatalf("parked name is %d characters, want 100: %q", n, got)
	}
	if !strings.HasSuffix(got, "… (new 2026-11-26T09:00:00Z #2)") || equalFoldTrim(got, long) {
		t.Fatalf("got %q", got)
	}
	if _, err := checkName("name", got); err != nil {
		t.Fatalf("the parked name breaks the name rules: %v", err)
	}
}
