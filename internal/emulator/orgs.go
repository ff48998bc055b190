package emulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The organization and project reads a client uses to check a context:
//
//	GET /app/v1/organizations/{org}
//	GET /app/v1/organizations/{org}/projects/{project}
//
// Any member of the organization may read them (a token whose org claim is
// the organization, whatever its role); a token for another organization is
// 403 FORBIDDEN, an unknown organization or project 404 NOT_FOUND. The
// emulator has no way to archive or delete either, so status is always
// "active", the slug is the id and updatedAt is createdAt.

// orgView is the API's Organization object.
type orgView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description"`
	Status      string `json:"status"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

// projectView is the API's Project object.
type projectView struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	Name           string `json:"name"`
	Slug           string `json:"slug"`
	Description    string `json:"description"`
	Status         string `json:"status"`
	CreatedAt      string `json:"createdAt"`
	UpdatedAt      string `json:"updatedAt"`
}

// serveOrgs answers the organization read, GET /app/v1/organizations/{org},
// and the project read, .../projects/{project}.
func (e *Emulator) serveOrgs(w http.ResponseWriter, r *http.Request) {
	org, project := r.PathValue("org"), r.PathValue("project")
	claims, ok := e.admitAdmin(w, r)
	if !ok {
		return
	}
	if claims.Org != org {
		writeError(w, http.StatusForbidden, "FORBIDDEN", "This token is not valid for this organization", nil)
		return
	}
	ctx := r.Context()
	if project == "" {
		v, found, err := e.store.org(ctx, org)
		switch {
		case err != nil:
			e.writeInternal(w, r, "read organization", err)
		case !found:
			writeError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Organization %q not found", org), nil)
		default:
			writeJSON(w, http.StatusOK, v)
		}
		return
	}
	v, found, err := e.store.project(ctx, org, project)
	if err != nil {
		e.writeInternal(w, r, "read project", err)
		return
	}
	if !found {
		_, herr, err := e.resolveProject(ctx, org, project)
		switch {
		case err != nil:
			e.writeInternal(w, r, "resolve project", err)
		case herr != nil:
			herr.write(w)
		default: // created between the two reads
			writeError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Project %q not found in organization %q", project, org), nil)
		}
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *store) org(ctx context.Context, id string) (orgView, bool, error) {
	var v orgView
	var created int64
	found, err := s.readOne(ctx, `SELECT id, name, created_at FROM orgs WHERE id = ?`, []any{id}, &v.ID, &v.Name, &created)
	if !found || err != nil {
		return orgView{}, false, err
	}
	v.Slug, v.Status, v.CreatedAt, v.UpdatedAt = fixedFields(v.ID, created)
	return v, true, nil
}

func (s *store) project(ctx context.Context, org, id string) (projectView, bool, error) {
	var v projectView
	var created int64
	found, err := s.readOne(ctx, `SELECT id, org_id, name, created_at FROM projects WHERE org_id = ? AND id = ?`, []any{org, id},
		&v.ID, &v.OrganizationID, &v.Name, &created)
	if !found || err != nil {
		return projectView{}, false, err
	}
	v.Slug, v.Status, v.CreatedAt, v.UpdatedAt = fixedFields(v.ID, created)
	return v, true, nil
}

// readOne scans the one row query returns into dest; found is false when
// there is none.
func (s *store) readOne(ctx context.Context, query string, args []any, dest ...any) (found bool, err error) {
	err = s.r.QueryRowContext(ctx, query, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// fixedFields are what the emulator cannot change of an organization or
// project: the slug is the id, the status "active", and updatedAt createdAt.
func fixedFields(id string, created int64) (slug, status, createdAt, updatedAt string) {
	t := formatTime(created)
	return id, "active", t, t
}

// seedName is the readable name seed gives an organization or project: its
// id with '-', '_' and '.' as spaces and each word capitalised ("acme-corp" →
// "Acme Corp").
func seedName(id string) string {
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[n:]
	}
	if len(words) == 0 {
		return id
	}
	return strings.Join(words, " ")
}
