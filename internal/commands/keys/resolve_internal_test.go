package keys

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/api"
	"github.com/metabind/metabind-cli/internal/cmdutil"
)

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"ios-prod", "ios-prod", 3, 0},
		{"ios-prd", "ios-prod", 3, 1},
		{"ios-pord", "ios-prod", 3, 1},
		{"kitten", "sitting", 3, 3},
		{"ios-rpdo", "ios-prod", 3, 2}, // two swaps
		{"kitten", "sitting", 2, 3},    // over the limit: limit+1
		{"a", "abcdefgh", 2, 3},
		{"ünï", "uni", 3, 2}, // runes, not bytes
		{"wbe", "web", 3, 1}, // a swap of neighbours is one edit
		{"ab", "ba", 0, 1},
		{"", "ab", 3, 2},
	}
	for _, c := range cases {
		if got := editDistance(c.a, c.b, c.limit); got != c.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}

func TestSimilarNames(t *testing.T) {
	names := []string{"ios-prod", "iOS Production App", "web", "android-prod", "ios-beta", "IOS-PROD-old", "billing\x1b[31m"}
	all := make([]api.Key, len(names))
	for i, n := range names {
		all[i] = api.Key{ID: "0000000" + string(rune('a'+i)) + "-0000-0000-0000-000000000000", Name: n}
	}
	r := &resolver{scope: cmdutil.Scope{Org: "acme", Project: "web"}, all: all, fetched: true}
	cases := []struct {
		arg  string
		want []string
	}{
		// Names that start with it, then contain it, at most three, shortest first.
		{"ios", []string{"ios-beta", "ios-prod", "IOS-PROD-old"}},
		{"IOS-PROD-", []string{"IOS-PROD-old", "ios-prod"}},
		{"production", []string{"iOS Production App"}},
		// Typos: within a small edit distance.
		{"ios-prd", []string{"ios-prod"}},
		{"androd-prod", []string{"android-prod"}},
		{"wbe", []string{"web"}},
		// Full-width and case variants compare as names do.
		{"ＷＥＢ", nil}, // an exact name match would have resolved; here: not a miss
		{"zzz", nil},
		{"x", nil},      // too short to suggest from
		{"id:ios", nil}, // an id form: no names offered
	}
	for _, c := range cases {
		ref, err := parseRef(c.arg)
		if err != nil {
			t.Fatalf("parseRef(%q): %v", c.arg, err)
		}
		if c.arg == "ＷＥＢ" {
			continue
		}
		got := r.similar(ref)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("similar(%q) = %q, want %q", c.arg, got, c.want)
		}
	}
}

func TestNotFoundHint(t *testing.T) {
	all := []api.Key{
		{ID: "f90f21f2-0000-4000-8000-000000000001", Name: "ios-prod"},
		{ID: "f90f21f2-0000-4000-8000-000000000002", Name: "iOS Production App"},
		{ID: "f90f21f2-0000-4000-8000-000000000003", Name: "ios\x1b[2Jevil"},
		{ID: "f90f21f2-0000-4000-8000-000000000004", Name: "customKey_0123456789x"},
	}
	r := &resolver{scope: cmdutil.Scope{Org: "acme", Project: "web"}, all: all, fetched: true}
	hint := func(arg string) (string, string) {
		t.Helper()
		ref, err := parseRef(arg)
		if err != nil {
			t.Fatal(err)
		}
		var ce *cmdutil.Error
		if !errors.As(r.notFound(ref), &ce) || ce.Code != cmdutil.ExitNotFound {
			t.Fatalf("notFound(%q) is not exit 5", arg)
		}
		return ce.Error(), ce.Hint
	}
	_, h := hint("ios")
	if !strings.HasPrefix(h, `did you mean "ios-prod", "ios\x1b[2Jevil", "iOS Production App"?`) || !strings.Contains(h, "metabind keys list") {
		t.Errorf("hint for ios: %q", h)
	}
	if strings.Contains(h, "\x1b") {
		t.Errorf("a control character reached the hint: %q", h)
	}
	// A long argument is not shown, and no name spells it out either.
	msg, h := hint("customKey_0123456789")
	if strings.Contains(msg+h, "customKey") {
		t.Errorf("a long argument was echoed through a suggestion: %q / %q", msg, h)
	}
}

// A full id the API answered 404 for keeps the answer's status and request id,
// in the text and in the JSON error; one found missing from a listing names
// the id alone.
func TestIDNotFoundKeepsTheAPIAnswer(t *testing.T) {
	const id = "11111111-2222-3333-4444-555555555555"
	scope := cmdutil.Scope{Org: "acme", Project: "web"}
	err := idNotFound(id, scope, &api.Error{StatusCode: 404, Code: "NOT_FOUND", Message: "API key not found", RequestID: "req-42"})
	if got := cmdutil.ExitCode(err); got != cmdutil.ExitNotFound {
		t.Errorf("exit %d, want 5", got)
	}
	want := "no API key has the id " + id + " in project web (HTTP 404, request id req-42)"
	if err.Error() != want {
		t.Errorf("message %q\nwant %q", err.Error(), want)
	}
	var b strings.Builder
	cmdutil.WriteJSONError(&b, err, cmdutil.ExitCode(err), time.Time{}, nil)
	var doc struct {
		Error struct {
			Code, Message, RequestID string
			Status, ExitCode         int
		}
	}
	if jerr := json.Unmarshal([]byte(b.String()), &doc); jerr != nil {
		t.Fatalf("JSON error %q: %v", b.String(), jerr)
	}
	if e := doc.Error; e.Status != 404 || e.RequestID != "req-42" || e.ExitCode != 5 || e.Code != "NOT_FOUND" || e.Message != want {
		t.Errorf("JSON error %s", b.String())
	}
	if text := cmdutil.FormatError(err, time.Time{}, nil); !strings.Contains(text, want) || !strings.Contains(text, "metabind keys list") {
		t.Errorf("text %q", text)
	}

	listed := idNotFound(id, scope, nil)
	if listed.Error() != "no API key has the id "+id+" in project web" || cmdutil.ExitCode(listed) != cmdutil.ExitNotFound {
		t.Errorf("listed: %q, exit %d", listed.Error(), cmdutil.ExitCode(listed))
	}
	var ae *api.Error
	if errors.As(listed, &ae) {
		t.Errorf("no request was made, yet the error holds an API answer: %v", ae)
	}
}
