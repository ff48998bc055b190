package contract

import (
	"net/http"
	"strings"
	"testing"
)

// invisibleNames hold characters that show as nothing, or as a plain space,
// so that two different names look the same in a list. The emulator refuses
// them by one rule (package names): general categories Cc, Cf, Co, Cn, Zl and
// Zp, default-ignorable code points, Hangul fillers, white space other than
// U+0020.
var invisibleNames = []struct{ label, name string }{
	{"Hangul filler U+3164", "prod\u3164"},
	{"halfwidth Hangul filler U+FFA0", "pr\uFFA0od"},
	{"tag space U+E0020", "prod\U000E0020"},
	{"soft hyphen U+00AD", "pr\u00ADod"},
	{"Mongolian vowel separator U+180E", "pr\u180Eod"},
	{"interlinear annotation anchor U+FFF9", "pr\uFFF9od"},
	{"Arabic letter mark U+061C", "pr\u061Cod"},
	{"zero-width joiner U+200D", "pr\u200Dod"},
	{"variation selector U+FE0F", "prod\uFE0F"},
	{"no-break space U+00A0", "pr\u00A0od"},
	{"ideographic space U+3000", "pr\u3000od"},
	{"line separator U+2028", "pr\u2028od"},
	{"paragraph separator U+2029", "pr\u2029od"},
	{"private use U+E000", "pr\uE000od"},
	{"unassigned U+0378", "pr\u0378od"},
}

// TestInvisibleNamesRefused: create and rename refuse names with invisible
// characters with 422 naming the field, and the message does not repeat the
// name.
func TestInvisibleNamesRefused(t *testing.T) {
	t.Parallel()
	if !strict() {
		t.Skip("the emulator's rule for invisible characters; the API documents none")
	}
	k := createKey(t, target, uniqueName(t, "visible"))
	for _, tc := range invisibleNames {
		t.Run(tc.label, func(t *testing.T) {
			name := uniqueName(t, "x") + " " + tc.name
			path := keysPath(target)
			r := admin(t, target, http.MethodPost, path, mustJSON(t, map[string]any{"name": name}))
			if r.StatusCode == http.StatusCreated {
				registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
			}
			e := wantError(t, "POST "+path, r, http.StatusUnprocessableEntity, codeValidation)
			wantDetail(t, "POST "+path, e, "name")
			if strings.Contains(string(r.Body), tc.name) || !strings.Contains(e.Message, "U+") {
				t.Errorf("POST: message %q should name the code point and not repeat the name", e.Message)
			}
			r = updateKey(t, target, k.ID, map[string]any{"name": name})
			e = wantError(t, "PUT "+k.ID, r, http.StatusUnprocessableEntity, codeValidation)
			wantDetail(t, "PUT "+k.ID, e, "name")
			if strings.Contains(string(r.Body), tc.name) {
				t.Errorf("PUT: the body repeats the name: %s", r.Body)
			}
		})
	}
	if got := showKey(t, target, k.ID); got.Name != k.Name {
		t.Errorf("after refused renames the name is %q, want %q", got.Name, k.Name)
	}
}

// TestLookalikeNamesConflict: names are compared after NFKC and case folding,
// so a fullwidth or ligature spelling of an existing name is a conflict, on
// create and on rename.
func TestLookalikeNamesConflict(t *testing.T) {
	t.Parallel()
	if !strict() {
		t.Skip("the emulator compares names by NFKC and case folding; the API documents only case")
	}
	suffix := strings.ToLower(randomAlnum(t, 8))
	base := "file " + suffix
	createKey(t, target, base)
	other := createKey(t, target, uniqueName(t, "other"))
	// Fullwidth digits and letters, the "fi" ligature, upper case: NFKC and
	// case folding make each the same name.
	fullwidth := strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r - '!' + '！'
		}
		return r
	}, suffix)
	for _, alike := range []string{"ﬁle " + suffix, "FILE " + strings.ToUpper(suffix), "file " + fullwidth} {
		path := keysPath(target)
		r := admin(t, target, http.MethodPost, path, mustJSON(t, map[string]any{"name": alike}))
		if r.StatusCode == http.StatusCreated {
			registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
		}
		wantError(t, "POST "+alike, r, http.StatusConflict, nameTakenCodes()...)
		r = updateKey(t, target, other.ID, map[string]any{"name": alike})
		wantError(t, "PUT "+alike, r, http.StatusConflict, nameTakenCodes()...)
	}
}

// TestNameThatIsAKeyValue: a name equal to the value of a key of the project
// (generated or custom, or the custom value being created) is refused with
// 422 naming the field, on create and on rename, and the answer never holds
// the value.
func TestNameThatIsAKeyValue(t *testing.T) {
	t.Parallel()
	if !strict() {
		t.Skip("the emulator's rule; the API documents none")
	}
	generated := createKey(t, target, uniqueName(t, "generated"))
	custom := randomAlnum(t, 40)
	createKeyIn(t, target, target.Token, target.Org, target.Project, map[string]any{"name": uniqueName(t, "custom"), "apiKey": custom})
	victim := createKey(t, target, uniqueName(t, "victim"))
	fresh := randomAlnum(t, 40)
	path := keysPath(target)
	for _, tc := range []struct {
		label string
		body  map[string]any
		value string
	}{
		{"generated value as name", map[string]any{"name": generated.Secret}, generated.Secret},
		{"custom value as name", map[string]any{"name": custom}, custom},
		{"custom value with spaces around", map[string]any{"name": "  " + custom + " "}, custom},
		{"the value being created", map[string]any{"name": fresh, "apiKey": fresh}, fresh},
	} {
		t.Run(tc.label, func(t *testing.T) {
			r := admin(t, target, http.MethodPost, path, mustJSON(t, tc.body))
			if r.StatusCode == http.StatusCreated {
				registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
			}
			e := wantError(t, "POST", r, http.StatusUnprocessableEntity, codeValidation)
			wantDetail(t, "POST", e, "name")
			if strings.Contains(string(r.Body), tc.value) {
				t.Errorf("POST: the answer holds the key value")
			}
			if _, isCreate := tc.body["apiKey"]; isCreate {
				return
			}
			r = updateKey(t, target, victim.ID, map[string]any{"name": tc.body["name"]})
			e = wantError(t, "PUT", r, http.StatusUnprocessableEntity, codeValidation)
			wantDetail(t, "PUT", e, "name")
			if strings.Contains(string(r.Body), tc.value) {
				t.Errorf("PUT: the answer holds the key value")
			}
		})
	}
	if got := showKey(t, target, victim.ID); got.Name != victim.Name {
		t.Errorf("after refused renames the name is %q", got.Name)
	}
}
