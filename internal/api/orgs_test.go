package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGetOrganizationAndProject(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.EscapedPath())
		if r.Header.Get("Authorization") != "Bearer tok-123456789" {
			t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/app/v1/organizations/acme":
			_, _ = w.Write([]byte(`{"id":"acme","name":"Acme","slug":"acme","description":null,"status":"active","createdAt":"2025-03-20T10:00:00Z","updatedAt":"2025-03-21T10:00:00.5Z","settings":{}}`))
		case "/app/v1/organizations/acme/projects/web":
			_, _ = w.Write([]byte(`{"data":{"id":"web","organizationId":"acme","name":"Web","status":"archived","createdAt":"2025-03-20T10:00:00Z"}}`))
		default:
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"error":{"code":"NOT_FOUND","message":"Project \"x\" not found"}}`))
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, func(o *Options) { o.Token = "tok-123456789" })
	ctx := context.Background()

	o, err := c.GetOrganization(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "acme" || o.Name != "Acme" || o.Status != "active" || o.Description != "" || o.UpdatedAt == nil || o.UpdatedAt.Nanosecond() == 0 {
		t.Errorf("organization = %+v", o)
	}
	p, err := c.GetProject(ctx, "acme", "web")
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "web" || p.OrganizationID != "acme" || p.Name != "Web" || p.Status != "archived" || p.CreatedAt == nil || p.UpdatedAt != nil {
		t.Errorf("project = %+v", p)
	}
	_, err = c.GetProject(ctx, "acme", "x/y")
	if !IsNotFound(err) {
		t.Errorf("unknown project: err = %v, want a 404", err)
	}
	if got := paths[len(paths)-1]; got != "/app/v1/organizations/acme/projects/x%2Fy" {
		t.Errorf("path = %q, want the project id escaped as one segment", got)
	}
	if _, err := c.GetOrganization(ctx, ".."); err == nil {
		t.Error("GetOrganization(\"..\") sent a request")
	}
}
