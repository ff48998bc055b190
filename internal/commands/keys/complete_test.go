package keys

import (
	"slices"
	"testing"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
)

func TestKeyCandidates(t *testing.T) {
	keys := []api.Key{
		{ID: "k1", Name: "iOS Production", Status: "active"},
		{ID: "k2", Name: "Twin", Status: "active"},
		{ID: "k3", Name: "twin", Status: "revoked"},
		{ID: "k4", Name: "bad\x1b[31m", Status: "active"},
		{ID: "k5", Name: "ﬁle", Status: "active"}, // U+FB01: the same name as "file" to the API
		{ID: "k6", Name: "file", Status: "active"},
	}
	for _, tc := range []struct {
		toComplete string
		want       []cobra.Completion
	}{
		{"ios", []cobra.Completion{"iOS Production\tk1 (active)"}},
		{"IOS P", []cobra.Completion{"iOS Production\tk1 (active)"}},
		// Names shared by two keys (ignoring case) would not resolve: ids only.
		{"tw", nil},
		{"k", []cobra.Completion{"k1\tiOS Production (active)", "k2\tTwin (active)", "k3\ttwin (revoked)", "k4\tbad\\x1b[31m (active)", "k5\tﬁle (active)", "k6\tfile (active)"}},
		{"zzz", nil},
		{"fi", nil},
	} {
		got := keyCandidates(keys, tc.toComplete)
		if !slices.Equal(got, tc.want) {
			t.Errorf("keyCandidates(%q) = %q, want %q", tc.toComplete, got, tc.want)
		}
	}
}
