package keys

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
)

func names(keys []api.Key) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Name
	}
	return strings.Join(out, ",")
}

// --sort takes JSON field names and the earlier spellings; --order reverses
// any of them; a never-used key sorts as the oldest use.
func TestSortKeys(t *testing.T) {
	day := func(d int) *time.Time { v := time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC); return &v }
	base := []api.Key{
		{Name: "b", Status: "revoked", CreatedAt: *day(2), UpdatedAt: *day(9), LastUsed: day(5)},
		{Name: "C", Status: "active", CreatedAt: *day(3), UpdatedAt: *day(7)},
		{Name: "a", Status: "active", CreatedAt: *day(1), UpdatedAt: *day(8), LastUsed: day(6)},
	}
	for _, tc := range []struct{ sort, order, want string }{
		{"name", "", "a,b,C"},
		{"name", "desc", "C,b,a"},
		{"createdAt", "", "C,b,a"},
		{"created", "asc", "a,b,C"},
		{"lastUsed", "", "a,b,C"},
		{"last-used", "desc", "a,b,C"},
		{"lastUsed", "asc", "C,b,a"},
		{"updatedAt", "asc", "C,a,b"},
		{"status", "", "C,a,b"},
	} {
		field, ok := sortField(tc.sort)
		if !ok {
			t.Fatalf("--sort %s not accepted", tc.sort)
		}
		keys := append([]api.Key{}, base...)
		sortKeys(keys, field, tc.order)
		if got := names(keys); got != tc.want {
			t.Errorf("--sort %s --order %q: %s, want %s", tc.sort, tc.order, got, tc.want)
		}
	}
}

func TestListSortOrderFlags(t *testing.T) {
	var got *ListOptions
	build := func(f *cmdutil.Factory) *cobra.Command {
		return NewCmdList(f, func(_ context.Context, o *ListOptions) error { got = o; return nil })
	}
	for args, want := range map[string]string{"--sort lastUsed": "lastUsed", "--sort last-used --order asc": "lastUsed", "--sort created": "createdAt", "--sort createdAt --order desc": "createdAt", "--sort NAME": "name"} {
		got = nil
		if err := parse(t, build, false, strings.Fields(args)...); err != nil || got == nil || got.Sort != want {
			t.Errorf("%s: %v %+v", args, err, got)
		}
	}
	for _, args := range []string{"--order asc", "--sort name --order up", "--sort size"} {
		got = nil
		err := parse(t, build, false, strings.Fields(args)...)
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage || got != nil {
			t.Errorf("%s: want a usage error, got %v", args, err)
		}
	}
}

// A confirmation for many keys names the first ten and the count of the rest.
func TestConfirmList(t *testing.T) {
	var keys []api.Key
	for i := range 398 {
		keys = append(keys, api.Key{Name: fmt.Sprintf("k%d", i), ID: fmt.Sprintf("%08d-0000", i)})
	}
	got := confirmList(keys)
	if !strings.HasPrefix(got, `"k0" (00000000), "k1" (00000001)`) || !strings.Contains(got, `"k9" (00000009) and 388 more (--dry-run lists them all)`) ||
		strings.Contains(got, "k10") || len(got) > 400 {
		t.Errorf("398 keys: %q", got)
	}
	if got := confirmList(keys[:2]); got != `"k0" (00000000), "k1" (00000001)` {
		t.Errorf("2 keys: %q", got)
	}
	if q := revokeQuestion(keys); !strings.HasPrefix(q, "Revoke 398 keys: ") || len(q) > 500 {
		t.Errorf("revoke question: %q", q)
	}
}
