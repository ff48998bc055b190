package cmdutil

import "testing"

func TestIDShape(t *testing.T) {
	for _, c := range []struct {
		in           string
		full, prefix bool
	}{
		{"3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f", true, false},
		{"3F0C9A52-6D1E-4C8E-9A47-1B2F3C4D5E6F", true, false},
		{"3f0c", false, true},
		{"3F0c9", false, true},
		{"3f0c9a52-", false, true},
		{"3f0c9a52-6d", false, true},
		{"3f0", false, false},                                   // too short
		{"3f0c9a52-6d1e-4c8e-9a47-1b2f3c4d5e6f0", false, false}, // too long
		{"3f0c9a526d1e", false, false},                          // a hyphen missing
		{"3f0g", false, false},                                  // not hex
		{"-3f0c", false, false},
		{"", false, false},
		{"ios-prod", false, false},
	} {
		full, prefix := IDShape(c.in)
		if full != c.full || prefix != c.prefix {
			t.Errorf("IDShape(%q) = %v, %v; want %v, %v", c.in, full, prefix, c.full, c.prefix)
		}
	}
}
