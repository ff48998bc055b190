package contract

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/metabind/metabind-cli/internal/emulator"
	"github.com/metabind/metabind-cli/internal/testsupport"
)

func TestCreateKey(t *testing.T) {
	t.Parallel()
	tg := *target
	wantCreator := jwtSubject(tg.Token)
	if local != nil {
		wantCreator = "contract-creator-" + randomAlnum(t, 8)
		tg.Token = local.mintToken(t, tg.Org, "developer", wantCreator)
	}
	name := uniqueName(t, "new")
	path := keysPath(&tg)
	r := admin(t, &tg, http.MethodPost, path, mustJSON(t, map[string]any{"name": name}))
	if r.StatusCode == http.StatusCreated {
		registerCleanup(t, &tg, tg.Token, tg.Org, tg.Project, r.Body)
	}
	k := wantKey(t, "POST "+path, r, http.StatusCreated, true)
	if k.ID == "" {
		t.FailNow()
	}
	if !reGeneratedKey.MatchString(k.Secret) {
		t.Errorf("generated key is %d characters; want 32 of [A-Za-z0-9]", len(k.Secret))
	}
	if k.Name != name {
		t.Errorf("name = %q, want %q", k.Name, name)
	}
	if k.ProjectID != tg.Project {
		t.Errorf("projectId = %q, want %q", k.ProjectID, tg.Project)
	}
	if k.Status != "active" {
		t.Errorf("status = %q, want active", k.Status)
	}
	if k.LastUsed != "" {
		t.Errorf("lastUsed = %q for a key never used, want absent or null", k.LastUsed)
	}
	if wantCreator == "" {
		t.Logf("the token's sub claim is unreadable; createdBy (%q) not compared", k.CreatedBy)
	} else if k.CreatedBy != wantCreator {
		t.Errorf("createdBy = %q, want the token's sub %q", k.CreatedBy, wantCreator)
	}

	// show answers the same object, without the secret.
	shown := showKey(t, &tg, k.ID)
	for _, f := range []struct{ name, got, want string }{
		{"id", shown.ID, k.ID}, {"name", shown.Name, k.Name}, {"projectId", shown.ProjectID, k.ProjectID},
		{"status", shown.Status, k.Status}, {"createdBy", shown.CreatedBy, k.CreatedBy},
		{"createdAt", shown.CreatedAt, k.CreatedAt}, {"updatedAt", shown.UpdatedAt, k.UpdatedAt},
	} {
		if f.got != f.want {
			t.Errorf("show: %s = %q, create answered %q", f.name, f.got, f.want)
		}
	}
}

func TestCreateKeyGeneratesDistinctValues(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := range 5 {
		k := createKey(t, target, uniqueName(t, "gen"))
		if !reGeneratedKey.MatchString(k.Secret) {
			t.Errorf("key %d: generated value is not 32 characters of [A-Za-z0-9]", i)
		}
		if seen[k.Secret] {
			t.Errorf("key %d: generated value repeats an earlier one", i)
		}
		seen[k.Secret] = true
	}
}

func TestCreateKeyCustomValue(t *testing.T) {
	t.Parallel()
	base := func(n int) string { return randomAlnum(t, n) }
	tests := []struct {
		name   string
		apiKey any
		want   int
	}{
		{"20 chars, the minimum", base(18) + "_-", http.StatusCreated},
		{"128 chars, the maximum", base(120) + "-_-_" + base(4), http.StatusCreated},
		{"19 chars", base(19), http.StatusUnprocessableEntity},
		{"4 chars", "aaaa", http.StatusUnprocessableEntity},
		{"129 chars", base(129), http.StatusUnprocessableEntity},
		{"exclamation mark", base(24) + "!", http.StatusUnprocessableEntity},
		{"space", base(12) + " " + base(12), http.StatusUnprocessableEntity},
		{"dot", base(12) + "." + base(12), http.StatusUnprocessableEntity},
		{"colon", base(12) + ":" + base(12), http.StatusUnprocessableEntity},
		{"non-ASCII letter", base(12) + "é" + base(12), http.StatusUnprocessableEntity},
		{"control character", base(12) + "\x01" + base(12), http.StatusUnprocessableEntity},
		{"number", json.Number("123456789012345678901234"), http.StatusUnprocessableEntity},
		{"object", map[string]any{"v": base(24)}, http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := uniqueName(t, "custom")
			path := keysPath(target)
			r := admin(t, target, http.MethodPost, path, mustJSON(t, map[string]any{"name": name, "apiKey": tc.apiKey}))
			if r.StatusCode == http.StatusCreated {
				registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
			}
			if tc.want != http.StatusCreated {
				e := wantError(t, "POST "+path, r, tc.want, codeValidation)
				wantDetail(t, "POST "+path, e, "apiKey")
				if s, ok := tc.apiKey.(string); ok && len(s) >= 4 && bytes.Contains(r.Body, []byte(s)) {
					t.Errorf("the error echoes the submitted key value")
				}
				return
			}
			k := wantKey(t, "POST "+path, r, http.StatusCreated, true)
			if k.Secret != tc.apiKey {
				t.Errorf("create answered a key other than the custom value")
			}
			// The custom value works as a key.
			cr := client(t, target, tc.apiKey.(string), http.MethodGet, ClientPath(target.Org, target.Project, "tags")+"?limit=1")
			if cr.StatusCode != http.StatusOK {
				t.Errorf("client API with the custom key: status %d, want 200; body %s", cr.StatusCode, Redact(cr.Body))
			}
		})
	}
}

func TestCreateKeyDuplicateCustomValue(t *testing.T) {
	t.Parallel()
	value := randomAlnum(t, 40)
	first := createKeyIn(t, target, target.Token, target.Org, target.Project,
		map[string]any{"name": uniqueName(t, "holder"), "apiKey": value})

	check := func(t *testing.T, org, project string) {
		path := AdminPath(org, project, "api-keys")
		r := admin(t, target, http.MethodPost, path, mustJSON(t, map[string]any{"name": uniqueName(t, "second"), "apiKey": value}))
		if r.StatusCode == http.StatusCreated {
			registerCleanup(t, target, target.Token, org, project, r.Body)
		}
		wantError(t, "POST "+path+" with a taken custom value", r, http.StatusConflict, codeAlreadyExists)
		for _, leak := range []string{value, first.ID, first.Name} {
			if bytes.Contains(r.Body, []byte(leak)) {
				t.Errorf("the 409 body hints at the key holding the value (it contains its id, name or value)")
			}
		}
	}
	t.Run("same project", func(t *testing.T) { check(t, target.Org, target.Project) })
}

// TestCustomValueHeldElsewhere: key values are unique per project only. A
// value held by a key of another project or organization is accepted like a
// fresh one (201, the same shape), so another organization's admin learns
// nothing from it; each key then works on its own project, and the value is
// still 403 on a project where it is not a key.
func TestCustomValueHeldElsewhere(t *testing.T) {
	t.Parallel()
	l := needLocal(t, "a second project and organization")
	value := randomAlnum(t, 40)
	createKeyIn(t, target, target.Token, target.Org, target.Project, map[string]any{"name": uniqueName(t, "holder"), "apiKey": value})

	// On an existing project where the value is not a key: 403, as for any
	// key of another project.
	wantError(t, "the value on "+l.otherProject+" before it is a key there",
		client(t, target, value, http.MethodGet, ClientPath(target.Org, l.otherProject, "tags")+"?limit=1"), http.StatusForbidden, codeForbidden)

	globexTok := l.mintToken(t, l.otherOrg, "owner", "contract-globex")
	for _, tc := range []struct {
		label, token, org, project string
	}{
		{"other organization", globexTok, l.otherOrg, l.otherOrgProj},
		{"other project", target.Token, target.Org, l.otherProject},
	} {
		t.Run(tc.label, func(t *testing.T) {
			k := createKeyIn(t, target, tc.token, tc.org, tc.project, map[string]any{"name": uniqueName(t, "same value"), "apiKey": value})
			if k.Secret != value {
				t.Fatalf("created a key other than the custom value")
			}
			decodeList(t, "the value on "+tc.project, client(t, target, value, http.MethodGet, ClientPath(tc.org, tc.project, "tags")+"?limit=1"))
		})
	}
	// The first holder keeps working on its own project.
	decodeList(t, "the value on "+target.Project, client(t, target, value, http.MethodGet, clientPath(target, "tags")+"?limit=1"))
}

// TestSecretOnlyInCreateResponse: the "key" member is absent (not null) from
// every response but the create one, and the value appears nowhere else.
func TestSecretOnlyInCreateResponse(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "secret"))
	secret := []byte(k.Secret)
	noSecret := func(what string, r *Response) {
		t.Helper()
		if bytes.Contains(r.Body, secret) {
			t.Errorf("%s: the response holds the key value", what)
		}
	}

	r := admin(t, target, http.MethodGet, keysPath(target, k.ID), nil)
	wantKey(t, "show", r, http.StatusOK, false)
	noSecret("show", r)

	found := false
	pages := walk(t, func(p string) *Response { return admin(t, target, http.MethodGet, p, nil) },
		keysPath(target), map[string][]string{"limit": {"100"}})
	for _, p := range pages {
		for _, it := range p.Items {
			checkKey(t, "list item", it, false)
			if memberString(it, "id") == k.ID {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("list: the new key %s is not listed", k.ID)
	}
	r = mustDo(t, target, adminRequest(target.Token, http.MethodGet, keysPath(target)+"?limit=100", nil))
	noSecret("list", r)

	r = updateKey(t, target, k.ID, map[string]any{"name": uniqueName(t, "renamed")})
	wantKey(t, "rename", r, http.StatusOK, false)
	noSecret("rename", r)

	r = updateKey(t, target, k.ID, map[string]any{"status": "revoked"})
	wantKey(t, "revoke", r, http.StatusOK, false)
	noSecret("revoke", r)

	r = admin(t, target, http.MethodDelete, keysPath(target, k.ID), nil)
	noSecret("delete", r)
}

func TestDuplicateName(t *testing.T) {
	t.Parallel()
	stem := uniqueName(t, "dup")
	createKey(t, target, stem+" Mixed")
	cases := map[string]string{
		"same":             stem + " Mixed",
		"upper case":       strings.ToUpper(stem + " Mixed"),
		"lower case":       strings.ToLower(stem + " Mixed"),
		"padded":           "  " + stem + " Mixed   ",
		"padded and upper": " " + strings.ToUpper(stem+" Mixed") + " ",
	}
	for label, name := range cases {
		t.Run(label, func(t *testing.T) {
			path := keysPath(target)
			r := admin(t, target, http.MethodPost, path, mustJSON(t, map[string]any{"name": name}))
			if r.StatusCode == http.StatusCreated {
				registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
			}
			wantError(t, "POST "+path+" with a taken name", r, http.StatusConflict, nameTakenCodes()...)
		})
	}
	t.Run("non-ASCII letters differ only in case", func(t *testing.T) {
		n := uniqueName(t, "école-ÅSA")
		createKey(t, target, n)
		path := keysPath(target)
		r := admin(t, target, http.MethodPost, path, mustJSON(t, map[string]any{"name": strings.ToUpper(n)}))
		if r.StatusCode == http.StatusCreated {
			registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
		}
		wantError(t, "POST "+path+" with the upper-case form of a taken non-ASCII name", r, http.StatusConflict, nameTakenCodes()...)
	})
	t.Run("same name in another project", func(t *testing.T) {
		l := needLocal(t, "a second project")
		createKeyIn(t, target, target.Token, target.Org, l.otherProject, map[string]any{"name": stem + " Mixed"})
	})
}

// invalidNames are names the contract refuses: 1 to 100 characters after
// trimming, no control characters.
var invalidNames = []struct {
	label string
	name  any
}{
	{"empty", ""},
	{"spaces only", "     "},
	{"101 ASCII characters", strings.Repeat("a", 101)},
	{"101 two-byte characters", strings.Repeat("é", 101)},
	{"NUL", "a\x00b"},
	{"SOH", "a\x01b"},
	{"newline", "line1\nline2"},
	{"carriage return", "a\rb"},
	{"tab inside", "a\tb"},
	{"ANSI escape", "\x1b[2Jclear"},
	{"DEL", "a\x7fb"},
	{"C1 CSI", "a\u009bb"},
	{"number", 42},
	{"null", nil},
	{"array", []string{"a"}},
}

func TestNameValidationOnCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range invalidNames {
		t.Run(tc.label, func(t *testing.T) {
			path := keysPath(target)
			r := admin(t, target, http.MethodPost, path, mustJSON(t, map[string]any{"name": tc.name}))
			if r.StatusCode == http.StatusCreated {
				registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
			}
			e := wantError(t, "POST "+path, r, http.StatusUnprocessableEntity, codeValidation)
			wantDetail(t, "POST "+path, e, "name")
		})
	}
	t.Run("missing", func(t *testing.T) {
		path := keysPath(target)
		r := admin(t, target, http.MethodPost, path, []byte(`{}`))
		e := wantError(t, "POST "+path+" {}", r, http.StatusUnprocessableEntity, codeValidation)
		wantDetail(t, "POST "+path, e, "name")
	})
}

func TestNameValidationOnRename(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "victim"))
	for _, tc := range invalidNames {
		t.Run(tc.label, func(t *testing.T) {
			r := updateKey(t, target, k.ID, map[string]any{"name": tc.name})
			e := wantError(t, "PUT "+k.ID, r, http.StatusUnprocessableEntity, codeValidation)
			wantDetail(t, "PUT "+k.ID, e, "name")
		})
	}
	if got := showKey(t, target, k.ID); got.Name != k.Name {
		t.Errorf("after refused renames the name is %q, want %q", got.Name, k.Name)
	}
}

func TestValidNameEdges(t *testing.T) {
	t.Parallel()
	suffix := randomAlnum(t, 8)
	for _, tc := range []struct{ label, name string }{
		{"100 ASCII characters", "contract " + suffix + strings.Repeat("x", 100-9-len(suffix))},
		{"100 two-byte characters", "contract " + suffix + strings.Repeat("é", 100-9-len(suffix))},
		{"100 characters with padding", "  contract " + suffix + strings.Repeat("p", 100-9-len(suffix)) + "  "},
		{"emoji and quotes", "contract " + suffix + ` "🔑" iOS <Production> & 'App'`},
	} {
		t.Run(tc.label, func(t *testing.T) {
			k := createKey(t, target, tc.name)
			if strings.TrimSpace(k.Name) != strings.TrimSpace(tc.name) {
				t.Errorf("name = %q, want %q (up to the surrounding spaces)", k.Name, strings.TrimSpace(tc.name))
			}
		})
	}
}

func TestUnknownFields(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "target"))
	tests := []struct {
		label, method, path, field string
		body                       map[string]any
	}{
		{"create with an unknown field", http.MethodPost, keysPath(target), "color",
			map[string]any{"name": uniqueName(t, "u1"), "color": "red"}},
		{"create with the response-only field key", http.MethodPost, keysPath(target), "key",
			map[string]any{"name": uniqueName(t, "u2"), "key": randomAlnum(t, 32)}},
		{"create with a field name in the wrong case", http.MethodPost, keysPath(target), "NAME",
			map[string]any{"NAME": uniqueName(t, "u3")}},
		{"create with a read-only field", http.MethodPost, keysPath(target), "status",
			map[string]any{"name": uniqueName(t, "u4"), "status": "active"}},
		{"update with an unknown field", http.MethodPut, keysPath(target, k.ID), "color",
			map[string]any{"color": "red"}},
		{"update with a read-only field", http.MethodPut, keysPath(target, k.ID), "projectId",
			map[string]any{"name": uniqueName(t, "u5"), "projectId": "elsewhere"}},
		{"update with a field name in the wrong case", http.MethodPut, keysPath(target, k.ID), "Status",
			map[string]any{"Status": "revoked"}},
	}
	for _, tc := range tests {
		t.Run(tc.label, func(t *testing.T) {
			r := admin(t, target, tc.method, tc.path, mustJSON(t, tc.body))
			if r.StatusCode == http.StatusCreated {
				registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
			}
			e := wantError(t, tc.method+" "+tc.path, r, http.StatusUnprocessableEntity, codeValidation)
			wantDetail(t, tc.method+" "+tc.path, e, tc.field)
		})
	}
	if got := showKey(t, target, k.ID); got.Status != "active" || got.Name != k.Name {
		t.Errorf("after refused updates the key is %q/%s, want %q/active", got.Name, got.Status, k.Name)
	}
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "target"))
	big := []byte(`{"name":"` + strings.Repeat("a", 1<<20) + `"}`)
	over := []byte(`{"name":"x","pad":"` + strings.Repeat("b", 64<<10) + `"}`)
	type tc struct {
		label       string
		body        []byte
		contentType string
		status      int
		code        string
	}
	tests := []tc{
		{"truncated JSON", []byte(`{"name":`), "application/json", 400, codeBadRequest},
		{"not JSON", []byte(`name=x`), "application/json", 400, codeBadRequest},
		{"empty body", []byte{}, "application/json", 400, codeBadRequest},
		{"trailing data after the object", []byte(`{"name":"x"} {"name":"y"}`), "application/json", 400, codeBadRequest},
		{"JSON as text/plain", []byte(`{"name":"x"}`), "text/plain", 400, codeBadRequest},
		{"form content type", []byte(`name=x`), "application/x-www-form-urlencoded", 400, codeBadRequest},
		{"1 MiB body", big, "application/json", 413, codeTooLarge},
		{"64 KiB + padding", over, "application/json", 413, codeTooLarge},
	}
	for _, method := range []string{http.MethodPost, http.MethodPut} {
		path := keysPath(target)
		if method == http.MethodPut {
			path = keysPath(target, k.ID)
		}
		for _, tc := range tests {
			t.Run(method+" "+tc.label, func(t *testing.T) {
				req := adminRequest(target.Token, method, path, tc.body)
				req.Header.Set("Content-Type", tc.contentType)
				r := mustDo(t, target, req)
				if r.StatusCode == http.StatusCreated {
					registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
				}
				wantError(t, method+" "+path+" ("+tc.label+")", r, tc.status, tc.code)
			})
		}
	}
	t.Run("JSON with a charset parameter is accepted", func(t *testing.T) {
		path := keysPath(target)
		req := adminRequest(target.Token, http.MethodPost, path, mustJSON(t, map[string]any{"name": uniqueName(t, "charset")}))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		r := mustDo(t, target, req)
		if r.StatusCode == http.StatusCreated {
			registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
		}
		wantKey(t, "POST "+path, r, http.StatusCreated, true)
	})
	if got := showKey(t, target, k.ID); got.Name != k.Name || got.Status != "active" {
		t.Errorf("after refused updates the key is %q/%s, want %q/active", got.Name, got.Status, k.Name)
	}
}

func TestKeyNotFound(t *testing.T) {
	t.Parallel()
	unknown := randomUUID(t)
	for _, tc := range []struct {
		label, method, id string
		body              []byte
		codes             []string
	}{
		// show: 404 NOT_FOUND; delete: 404 APIKEY_NOT_FOUND; update: 404 with
		// either code (the contract names none for it). A malformed id
		// answers "as for an unknown one".
		{"show unknown uuid", http.MethodGet, unknown, nil, []string{codeNotFound}},
		{"show non-uuid id", http.MethodGet, "not-a-uuid", nil, []string{codeNotFound}},
		{"show numeric id", http.MethodGet, "12345", nil, []string{codeNotFound}},
		{"show uuid with trailing junk", http.MethodGet, unknown + "x", nil, []string{codeNotFound}},
		{"update unknown uuid", http.MethodPut, unknown, []byte(`{"name":"x"}`), []string{codeNotFound, codeKeyNotFound}},
		{"update non-uuid id", http.MethodPut, "not-a-uuid", []byte(`{"name":"x"}`), []string{codeNotFound, codeKeyNotFound}},
		{"revoke unknown uuid", http.MethodPut, unknown, []byte(`{"status":"revoked"}`), []string{codeNotFound, codeKeyNotFound}},
		{"delete unknown uuid", http.MethodDelete, unknown, nil, []string{codeKeyNotFound}},
		{"delete non-uuid id", http.MethodDelete, "not-a-uuid", nil, []string{codeNotFound, codeKeyNotFound}},
	} {
		t.Run(tc.label, func(t *testing.T) {
			path := keysPath(target, tc.id)
			r := admin(t, target, tc.method, path, tc.body)
			wantError(t, tc.method+" "+path, r, http.StatusNotFound, tc.codes...)
		})
	}
}

func TestRename(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "before"))
	newName := uniqueName(t, "after")
	got := wantKey(t, "rename", updateKey(t, target, k.ID, map[string]any{"name": newName}), http.StatusOK, false)
	if got.ID != k.ID || got.Name != newName || got.Status != "active" || got.CreatedAt != k.CreatedAt || got.CreatedBy != k.CreatedBy {
		t.Errorf("rename answered id %s name %q status %s createdAt %s createdBy %q; want id %s name %q status active createdAt %s createdBy %q",
			got.ID, got.Name, got.Status, got.CreatedAt, got.CreatedBy, k.ID, newName, k.CreatedAt, k.CreatedBy)
	}
	if shown := showKey(t, target, k.ID); shown.Name != newName {
		t.Errorf("show after rename: name %q, want %q", shown.Name, newName)
	}

	t.Run("the old name is free again", func(t *testing.T) {
		createKey(t, target, k.Name)
	})
	t.Run("own name in another case", func(t *testing.T) {
		up := strings.ToUpper(newName)
		got := wantKey(t, "rename to own name upper-cased", updateKey(t, target, k.ID, map[string]any{"name": up}), http.StatusOK, false)
		if got.Name != up {
			t.Errorf("name = %q, want %q", got.Name, up)
		}
	})
	t.Run("onto a taken name", func(t *testing.T) {
		other := createKey(t, target, uniqueName(t, "taken"))
		for _, n := range []string{other.Name, strings.ToLower(other.Name), " " + strings.ToUpper(other.Name) + " "} {
			r := updateKey(t, target, k.ID, map[string]any{"name": n})
			wantError(t, "rename onto a taken name", r, http.StatusConflict, nameTakenCodes()...)
		}
		if shown := showKey(t, target, other.ID); shown.Name != other.Name {
			t.Errorf("the holder of the name changed: %q", shown.Name)
		}
	})
	t.Run("name and status together", func(t *testing.T) {
		k2 := createKey(t, target, uniqueName(t, "both"))
		n := uniqueName(t, "both-renamed")
		got := wantKey(t, "rename and revoke", updateKey(t, target, k2.ID, map[string]any{"name": n, "status": "revoked"}), http.StatusOK, false)
		if got.Name != n || got.Status != "revoked" {
			t.Errorf("got name %q status %s, want %q revoked", got.Name, got.Status, n)
		}
	})
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "revokee"))

	revoked := wantKey(t, "revoke", updateKey(t, target, k.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
	if revoked.Status != "revoked" || revoked.ID != k.ID || revoked.Name != k.Name {
		t.Errorf("revoke answered %s %q %s, want %s %q revoked", revoked.ID, revoked.Name, revoked.Status, k.ID, k.Name)
	}
	if shown := showKey(t, target, k.ID); shown.Status != "revoked" {
		t.Errorf("show after revoke: status %s, want revoked", shown.Status)
	}

	t.Run("revoke again changes nothing", func(t *testing.T) {
		r := updateKey(t, target, k.ID, map[string]any{"status": "revoked"})
		again := wantKey(t, "second revoke", r, http.StatusOK, false)
		if again.Status != "revoked" {
			t.Errorf("status %s, want revoked", again.Status)
		}
		if again.UpdatedAt != revoked.UpdatedAt {
			t.Errorf("updatedAt moved from %s to %s on a repeated revoke", revoked.UpdatedAt, again.UpdatedAt)
		}
	})
	t.Run("revoked to active is refused", func(t *testing.T) {
		r := updateKey(t, target, k.ID, map[string]any{"status": "active"})
		wantError(t, "un-revoke", r, http.StatusUnprocessableEntity, codeInvalidTransition)
		if shown := showKey(t, target, k.ID); shown.Status != "revoked" {
			t.Errorf("after a refused un-revoke the status is %s", shown.Status)
		}
	})
	t.Run("a revoked key can be renamed", func(t *testing.T) {
		n := uniqueName(t, "rotated")
		got := wantKey(t, "rename revoked", updateKey(t, target, k.ID, map[string]any{"name": n}), http.StatusOK, false)
		if got.Name != n || got.Status != "revoked" {
			t.Errorf("got %q %s, want %q revoked", got.Name, got.Status, n)
		}
	})
	t.Run("a revoked key keeps its name", func(t *testing.T) {
		k2 := createKey(t, target, uniqueName(t, "kept"))
		wantKey(t, "revoke", updateKey(t, target, k2.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
		path := keysPath(target)
		r := admin(t, target, http.MethodPost, path, mustJSON(t, map[string]any{"name": k2.Name}))
		if r.StatusCode == http.StatusCreated {
			registerCleanup(t, target, target.Token, target.Org, target.Project, r.Body)
		}
		wantError(t, "create with a revoked key's name", r, http.StatusConflict, nameTakenCodes()...)
	})
}

func TestStatusValidation(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "status"))
	for _, st := range []any{"paused", "REVOKED", "Active", "", " revoked", 1, true, nil} {
		r := updateKey(t, target, k.ID, map[string]any{"status": st})
		what := "PUT status " + string(mustJSON(t, st))
		e := wantError(t, what, r, http.StatusUnprocessableEntity, codeValidation)
		wantDetail(t, what, e, "status")
	}
	if shown := showKey(t, target, k.ID); shown.Status != "active" {
		t.Errorf("after refused status values the status is %s, want active", shown.Status)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	for _, revokeFirst := range []bool{false, true} {
		label := "active key"
		if revokeFirst {
			label = "revoked key"
		}
		t.Run(label, func(t *testing.T) {
			k := createKey(t, target, uniqueName(t, "doomed"))
			if revokeFirst {
				wantKey(t, "revoke", updateKey(t, target, k.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
			}
			path := keysPath(target, k.ID)
			r := admin(t, target, http.MethodDelete, path, nil)
			if wantJSON(t, "DELETE "+path, r, http.StatusOK) {
				obj := decodeObject(t, "DELETE "+path, r.Body)
				if msg := memberString(obj, "message"); msg != "API key successfully deleted" {
					t.Errorf("delete message = %q, want %q", msg, "API key successfully deleted")
				}
				if id := memberString(obj, "id"); id != k.ID {
					t.Errorf("delete id = %q, want %q", id, k.ID)
				}
				if strict() && len(obj) != 2 {
					t.Errorf("delete answered members %v, want message and id only", Members(obj))
				}
			}
			wantError(t, "second DELETE", admin(t, target, http.MethodDelete, path, nil), http.StatusNotFound, codeKeyNotFound)
			wantError(t, "GET after delete", admin(t, target, http.MethodGet, path, nil), http.StatusNotFound, codeNotFound)
			wantError(t, "PUT after delete", updateKey(t, target, k.ID, map[string]any{"status": "revoked"}),
				http.StatusNotFound, codeNotFound, codeKeyNotFound)
			// Deletion is permanent and frees the name.
			createKey(t, target, k.Name)
		})
	}
}

func TestOtherProjectsKeyIsNotFound(t *testing.T) {
	t.Parallel()
	l := needLocal(t, "a second project")
	other := createKeyIn(t, target, target.Token, target.Org, l.otherProject, map[string]any{"name": uniqueName(t, "mobile")})
	path := keysPath(target, other.ID)
	wantError(t, "GET another project's key", admin(t, target, http.MethodGet, path, nil), http.StatusNotFound, codeNotFound)
	wantError(t, "PUT another project's key", admin(t, target, http.MethodPut, path, []byte(`{"status":"revoked"}`)),
		http.StatusNotFound, codeNotFound, codeKeyNotFound)
	wantError(t, "PUT another project's key", admin(t, target, http.MethodPut, path, []byte(`{"name":"stolen"}`)),
		http.StatusNotFound, codeNotFound, codeKeyNotFound)
	wantError(t, "DELETE another project's key", admin(t, target, http.MethodDelete, path, nil), http.StatusNotFound, codeKeyNotFound)

	own := wantKey(t, "show in its own project",
		admin(t, target, http.MethodGet, AdminPath(target.Org, l.otherProject, "api-keys", other.ID), nil), http.StatusOK, false)
	if own.Status != "active" || own.Name != other.Name {
		t.Errorf("the other project's key changed: %q %s", own.Name, own.Status)
	}
	if own.ProjectID != l.otherProject {
		t.Errorf("projectId = %q, want %q", own.ProjectID, l.otherProject)
	}
	for _, p := range walk(t, func(p string) *Response { return admin(t, target, http.MethodGet, p, nil) },
		keysPath(target), map[string][]string{"limit": {"100"}}) {
		for _, it := range p.Items {
			if memberString(it, "id") == other.ID {
				t.Errorf("another project's key is listed in %s", target.Project)
			}
		}
	}
}

// TestUnknownOrgOrProject: an organization or project that does not exist
// is 404 NOT_FOUND. For an unknown organization the token must be one of
// that organization (only the emulator can mint it): with a token of another
// organization the contract's "a token for another org gets 403" applies
// as well, and either answer is accepted.
func TestUnknownOrgOrProject(t *testing.T) {
	t.Parallel()
	missing := "contract-missing-" + strings.ToLower(randomAlnum(t, 10))
	name := mustJSON(t, map[string]any{"name": uniqueName(t, "nowhere")})
	id := randomUUID(t)
	tests := []struct {
		label, method, path string
		body                []byte
	}{
		{"list, unknown project", http.MethodGet, AdminPath(target.Org, missing, "api-keys"), nil},
		{"create, unknown project", http.MethodPost, AdminPath(target.Org, missing, "api-keys"), name},
		{"show, unknown project", http.MethodGet, AdminPath(target.Org, missing, "api-keys", id), nil},
		{"revoke, unknown project", http.MethodPut, AdminPath(target.Org, missing, "api-keys", id), []byte(`{"status":"revoked"}`)},
		{"delete, unknown project", http.MethodDelete, AdminPath(target.Org, missing, "api-keys", id), nil},
	}
	for _, tc := range tests {
		t.Run(tc.label, func(t *testing.T) {
			r := admin(t, target, tc.method, tc.path, tc.body)
			if r.StatusCode == http.StatusCreated {
				t.Errorf("%s %s created a key", tc.method, tc.path)
				return
			}
			wantError(t, tc.method+" "+tc.path, r, http.StatusNotFound, codeNotFound)
		})
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method+", unknown org, token of that org", func(t *testing.T) {
			l := needLocal(t, "a token minted for an organization that does not exist")
			path := AdminPath(missing, target.Project, "api-keys")
			var body []byte
			if method == http.MethodPost {
				body = name
			}
			r := mustDo(t, target, adminRequest(l.mintToken(t, missing, "owner", "contract-ghost"), method, path, body))
			wantError(t, method+" "+path, r, http.StatusNotFound, codeNotFound)
		})
		t.Run(method+", unknown org, token of another org", func(t *testing.T) {
			path := AdminPath(missing, target.Project, "api-keys")
			var body []byte
			if method == http.MethodPost {
				body = name
			}
			r := admin(t, target, method, path, body)
			if r.StatusCode == http.StatusForbidden {
				wantError(t, method+" "+path, r, http.StatusForbidden, codeForbidden)
			} else {
				wantError(t, method+" "+path, r, http.StatusNotFound, codeNotFound)
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	k := createKey(t, target, uniqueName(t, "methods"))
	for _, tc := range []struct {
		method, path string
		allowed      []string
	}{
		{http.MethodPatch, keysPath(target, k.ID), []string{"GET", "PUT", "DELETE"}},
		{http.MethodPost, keysPath(target, k.ID), []string{"GET", "PUT", "DELETE"}},
		{http.MethodPut, keysPath(target), []string{"GET", "POST"}},
		{http.MethodDelete, keysPath(target), []string{"GET", "POST"}},
		{http.MethodPatch, keysPath(target), []string{"GET", "POST"}},
	} {
		t.Run(tc.method+" "+strings.TrimPrefix(tc.path, keysPath(target)), func(t *testing.T) {
			var body []byte
			if tc.method != http.MethodDelete {
				body = []byte(`{"status":"revoked"}`)
			}
			r := admin(t, target, tc.method, tc.path, body)
			wantError(t, tc.method+" "+tc.path, r, http.StatusMethodNotAllowed, codeMethodNotAllowed)
			// RFC 9110 §15.5.6: a 405 response must list the allowed methods.
			allow := strings.ToUpper(strings.Join(r.Header.Values("Allow"), ","))
			for _, m := range tc.allowed {
				if !strings.Contains(allow, m) {
					t.Errorf("Allow header %q does not list %s", allow, m)
				}
			}
		})
	}
	if got := showKey(t, target, k.ID); got.Status != "active" {
		t.Errorf("after refused methods the key is %s, want active", got.Status)
	}
}

// TestTimestampsFollowTheClock runs a key's life on an emulator whose clock
// the test moves, so that every timestamp can be checked exactly: createdAt
// is the creation time; lastUsed is set by use, at most once a minute (the
// default resolution), and moves neither updatedAt nor anything else;
// renames and revocation set updatedAt; a repeated revoke does not.
func TestTimestampsFollowTheClock(t *testing.T) {
	t.Parallel()
	needLocal(t, "an injected clock")
	t0 := time.Now().UTC().Truncate(time.Second)
	clock := testsupport.NewClock(t0)
	d := newDedicated(t, func(c *emulator.Config) {
		c.Now = clock.Now
		c.LastUsedResolution = time.Minute
	})
	tg := d.target
	at := func(offset time.Duration) string { return t0.Add(offset).Format(time.RFC3339) }
	tags := clientPath(tg, "tags") + "?limit=1"

	created := createKey(t, tg, uniqueName(t, "clocked"))
	check := func(label string, createdAt, updatedAt, lastUsed string) {
		t.Helper()
		got := showKey(t, tg, created.ID)
		if got.CreatedAt != createdAt || got.UpdatedAt != updatedAt || got.LastUsed != lastUsed {
			t.Errorf("%s: createdAt %s updatedAt %s lastUsed %q; want %s %s %q",
				label, got.CreatedAt, got.UpdatedAt, got.LastUsed, createdAt, updatedAt, lastUsed)
		}
	}
	if created.CreatedAt != at(0) || created.UpdatedAt != at(0) {
		t.Errorf("create: createdAt %s updatedAt %s, want both %s", created.CreatedAt, created.UpdatedAt, at(0))
	}
	call := func(label string, offset time.Duration) {
		t.Helper()
		clock.Set(t0.Add(offset))
		decodeList(t, label, client(t, tg, created.Secret, http.MethodGet, tags))
	}

	call("first use", 90*time.Second)
	check("after the first use", at(0), at(0), at(90*time.Second))
	call("use 10 s later", 100*time.Second)
	check("within the resolution", at(0), at(0), at(90*time.Second))
	call("use 70 s after the recorded one", 160*time.Second)
	check("past the resolution", at(0), at(0), at(160*time.Second))

	clock.Set(t0.Add(200 * time.Second))
	wantKey(t, "rename", updateKey(t, tg, created.ID, map[string]any{"name": uniqueName(t, "renamed")}), http.StatusOK, false)
	check("after the rename", at(0), at(200*time.Second), at(160*time.Second))

	clock.Set(t0.Add(260 * time.Second))
	wantKey(t, "revoke", updateKey(t, tg, created.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
	check("after the revoke", at(0), at(260*time.Second), at(160*time.Second))

	clock.Set(t0.Add(320 * time.Second))
	wantKey(t, "revoke again", updateKey(t, tg, created.ID, map[string]any{"status": "revoked"}), http.StatusOK, false)
	check("after revoking again", at(0), at(260*time.Second), at(160*time.Second))

	clock.Set(t0.Add(400 * time.Second))
	wantError(t, "use after revoke", client(t, tg, created.Secret, http.MethodGet, tags), http.StatusUnauthorized, codeUnauthorized)
	check("after a refused use", at(0), at(260*time.Second), at(160*time.Second))
}
