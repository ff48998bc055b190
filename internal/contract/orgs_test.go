package contract

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// The two reads a client uses to check a context (contract section
// "Organizations and projects").

var (
	orgMembers     = []string{"id", "name", "slug", "description", "status", "createdAt", "updatedAt"}
	projectMembers = []string{"id", "organizationId", "name", "slug", "description", "status", "createdAt", "updatedAt"}
)

func orgPath(org string) string { return "/app/v1/organizations/" + url.PathEscape(org) }

func projectPath(org, project string) string {
	return orgPath(org) + "/projects/" + url.PathEscape(project)
}

// checkContextObject checks an Organization or Project object: every member
// the contract lists, strings where it says so, a known status, timestamps,
// and (on the emulator) nothing else.
func checkContextObject(t *testing.T, what string, r *Response, members []string, want map[string]string) {
	t.Helper()
	if !wantJSON(t, what, r, http.StatusOK) {
		return
	}
	obj := decodeObject(t, what, r.Body)
	if obj == nil {
		return
	}
	for _, m := range members {
		raw, ok := obj[m]
		if !ok {
			t.Errorf("%s: no member %q; got %v", what, m, Members(obj))
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil && m != "description" {
			t.Errorf("%s: %s is %s, want a string", what, m, raw)
		}
	}
	if strict() {
		for _, m := range Members(obj) {
			if !slices.Contains(members, m) {
				t.Errorf("%s: member %q is not in the contract", what, m)
			}
		}
	}
	for m, v := range want {
		if got := memberString(obj, m); got != v {
			t.Errorf("%s: %s = %q, want %q", what, m, got, v)
		}
	}
	if st := memberString(obj, "status"); st != "active" && st != "archived" && st != "deleted" {
		t.Errorf("%s: status %q, want active, archived or deleted", what, st)
	}
	if memberString(obj, "name") == "" {
		t.Errorf("%s: empty name", what)
	}
	created := checkTimestamp(t, what+" createdAt", memberString(obj, "createdAt"))
	updated := checkTimestamp(t, what+" updatedAt", memberString(obj, "updatedAt"))
	if !created.IsZero() && !updated.IsZero() && updated.Before(created) {
		t.Errorf("%s: updatedAt %s is before createdAt %s", what, updated, created)
	}
}

func TestGetOrganization(t *testing.T) {
	path := orgPath(target.Org)
	r := admin(t, target, http.MethodGet, path, nil)
	checkContextObject(t, "GET "+path, r, orgMembers, map[string]string{"id": target.Org})
}

func TestGetProject(t *testing.T) {
	path := projectPath(target.Org, target.Project)
	r := admin(t, target, http.MethodGet, path, nil)
	checkContextObject(t, "GET "+path, r, projectMembers, map[string]string{"id": target.Project, "organizationId": target.Org})
}

func TestOrgProjectNotFound(t *testing.T) {
	path := projectPath(target.Org, "no-such-project-"+randomAlnum(t, 8))
	wantError(t, "GET "+path, admin(t, target, http.MethodGet, path, nil), http.StatusNotFound, codeNotFound)

	l := needLocal(t, "a token for an organization that does not exist")
	org := "no-such-org-" + randomAlnum(t, 8)
	tok := l.mintToken(t, org, "owner", "contract-owner")
	for _, p := range []string{orgPath(org), projectPath(org, target.Project)} {
		wantError(t, "GET "+p, mustDo(t, target, adminRequest(tok, http.MethodGet, p, nil)), http.StatusNotFound, codeNotFound)
	}
}

func TestOrgProjectAccess(t *testing.T) {
	paths := []string{orgPath(target.Org), projectPath(target.Org, target.Project)}
	for _, p := range paths {
		wantError(t, "GET "+p+" without a token", mustDo(t, target, adminRequest("", http.MethodGet, p, nil)), http.StatusUnauthorized, codeUnauthorized)
	}

	// An API key is for the client API only.
	k := createKey(t, target, uniqueName(t, "orgs-apikey"))
	for _, p := range paths {
		r := mustDo(t, target, clientRequest(k.Secret, http.MethodGet, p))
		wantError(t, "GET "+p+" with x-api-key", r, http.StatusUnauthorized)
	}

	l := needLocal(t, "tokens for other organizations and roles")
	other := l.mintToken(t, l.otherOrg, "owner", "contract-other")
	for _, p := range paths {
		wantError(t, "GET "+p+" with another organization's token", mustDo(t, target, adminRequest(other, http.MethodGet, p, nil)), http.StatusForbidden, codeForbidden)
	}
	// The other organization's own project is not reachable through this one.
	p := projectPath(target.Org, l.otherOrgProj)
	wantError(t, "GET "+p, admin(t, target, http.MethodGet, p, nil), http.StatusNotFound, codeNotFound)

	// Every role that may read keys may read these.
	for _, role := range []string{"owner", "admin", "developer"} {
		tok := l.mintToken(t, target.Org, role, "contract-"+role)
		for _, p := range paths {
			if r := mustDo(t, target, adminRequest(tok, http.MethodGet, p, nil)); r.StatusCode != http.StatusOK {
				t.Errorf("GET %s as %s: %s", p, role, describe(http.MethodGet, p, r))
			}
		}
	}

	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		wantError(t, m+" "+paths[0], admin(t, target, m, paths[0], nil), http.StatusMethodNotAllowed, codeMethodNotAllowed)
	}
}
