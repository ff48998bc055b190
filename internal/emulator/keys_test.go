package emulator

import (
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/metabind/metabind-cli/internal/names"
)

// 100k generated keys: all distinct, all 32 Base62 characters, every character
// about equally frequent.
func TestGenerateKey(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	const n = 100_000
	seen := make(map[string]bool, n)
	var counts [256]int
	for i := 0; i < n; i++ {
		k, err := generateKey()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(k) {
			t.Fatalf("key %q", k)
		}
		if seen[k] {
			t.Fatalf("duplicate key after %d", i)
		}
		seen[k] = true
		for j := 0; j < len(k); j++ {
			counts[k[j]]++
		}
		if !keyShapeOK(k) {
			t.Fatalf("a generated key fails the shape check: %q", k)
		}
	}
	// Chi-square over 62 symbols (61 degrees of freedom). A biased generator
	// (e.g. byte % 62 without rejection: the first 8 symbols 25% likelier) scores
	// in the thousands; 200 is beyond the 1e-12 tail of the unbiased one.
	expected := float64(n*generatedKeyLen) / 62
	chi := 0.0
	for _, c := range base62 {
		d := float64(counts[c]) - expected
		chi += d * d / expected
	}
	if chi > 200 || math.IsNaN(chi) {
		t.Fatalf("character distribution is skewed: chi-square %.1f", chi)
	}
}

func TestKeyShape(t *testing.T) {
	cases := map[string]bool{
		strings.Repeat("a", 19):          false,
		strings.Repeat("a", 20):          true,
		strings.Repeat("Z9_-", 32):       true,
		strings.Repeat("a", 129):         false,
		strings.Repeat("a", 30) + ".":    false,
		strings.Repeat("a", 30) + " ":    false,
		strings.Repeat("a", 30) + "é":    false,
		strings.Repeat("a", 30) + "\x00": false,
		"":                               false,
	}
	for s, want := range cases {
		if got := keyShapeOK(s); got != want {
			t.Errorf("keyShapeOK(%q) = %v", s, got)
		}
	}
}

func TestCheckName(t *testing.T) {
	cases := []struct {
		in, name string
		ok       bool
	}{
		{"iOS Production App", "iOS Production App", true},
		{"  padded ", "padded", true},
		{"padded\u00a0", "", false},
		{strings.Repeat("x", 100), strings.Repeat("x", 100), true},
		{strings.Repeat("x", 101), "", false},
		{" " + strings.Repeat("x", 100) + " ", strings.Repeat("x", 100), true},
		{strings.Repeat("日", 100), strings.Repeat("日", 100), true},
		{"emoji 🔑", "emoji 🔑", true},
		{"", "", false},
		{" \n\t ", "", false},
		{"a\x1b[2Jb", "", false},
		{"a\nb", "", false},
		{"a\rb", "", false},
		{"a\x00b", "", false},
		{"a\u0085b", "", false}, // C1 NEL
		{"a\u202eb", "", false}, // right-to-left override
		{"a\u200bb", "", false}, // zero-width space
		{"a\ufeffb", "", false},
		{"bad \xff utf8", "", false},
	}
	for _, c := range cases {
		name, norm, problem := checkName(c.in)
		if (problem == "") != c.ok || name != c.name {
			t.Errorf("checkName(%q) = %q, %q", c.in, name, problem)
		}
		if c.ok && norm != names.Key(name) {
			t.Errorf("norm of %q", c.in)
		}
	}
}

func TestCheckNameNormFoldsLookalikes(t *testing.T) {
	same := [][]string{
		{"Key", "KEY", "key", "kEy"},
		{"K-1", "\u212a-1"}, // Kelvin sign folds with K
		{"ΣΊΣΥΦΟΣ", "σίσυφος", "σίσυφος"},
		{"Ünïcode", "üNÏCODE"},
		{"prod", "ｐｒｏｄ"}, // fullwidth
		{"straße", "STRASSE"},
	}
	norm := func(s string) string {
		_, n, problem := checkName(s)
		if problem != "" {
			t.Fatalf("checkName(%q): %s", s, problem)
		}
		return n
	}
	for _, group := range same {
		for _, s := range group[1:] {
			if norm(s) != norm(group[0]) {
				t.Errorf("%q and %q compare differently", group[0], s)
			}
		}
	}
	if norm("key-1") == norm("key-2") || norm("a b") == norm("ab") {
		t.Error("different names compare equal")
	}
}

func TestKeyDigest(t *testing.T) {
	a := keyDigest([]byte("secret-a"), "the-key-value-000000")
	b := keyDigest([]byte("secret-b"), "the-key-value-000000")
	c := keyDigest([]byte("secret-a"), "the-key-value-000001")
	if a == b || a == c || a != keyDigest([]byte("secret-a"), "the-key-value-000000") {
		t.Fatal("digest does not depend on exactly the secret and the key")
	}
}

func TestCheckNameRejectsSeparatorsAndReplacementChar(t *testing.T) {
	for _, raw := range []string{"p\u2028q", "p\u2029q", "bad\uFFFDname", "prod\u3164", "prod\U000E0020", "pr\u00ADod",
		"pr\u180Eod", "pr\uFFF9od", "pr\u061Cod", "pro\u00A0d", "a\u200Db"} {
		if _, _, problem := checkName(raw); problem == "" {
			t.Errorf("checkName(%q) accepted", raw)
		}
	}
}

func TestCreateRefusesInvalidUnicode(t *testing.T) {
	h := newHarness(t)
	path := keysPath(testOrg, testProject)
	expectError(t, h.raw("POST", path, "{\"name\":\"bad\xffutf\"}", withBearer(h.token)), http.StatusBadRequest, "BAD_REQUEST")
	expectError(t, h.raw("POST", path, `{"name":"lone \ud800 surrogate"}`, withBearer(h.token)), http.StatusUnprocessableEntity, "VALIDATION_FAILED")
	expectError(t, h.raw("POST", path, `{"name":"line\u2028separator"}`, withBearer(h.token)), http.StatusUnprocessableEntity, "VALIDATION_FAILED")
}
