package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Organization is the API's Organization object (GET
// /app/v1/organizations/{org}); fields the client does not know are ignored.
type Organization struct {
	ID          string     `json:"id" yaml:"id"`
	Name        string     `json:"name" yaml:"name"`
	Slug        string     `json:"slug" yaml:"slug"`
	Description string     `json:"description" yaml:"description"`
	Status      string     `json:"status" yaml:"status"` // "active", "archived" or "deleted"
	CreatedAt   *time.Time `json:"createdAt" yaml:"createdAt"`
	UpdatedAt   *time.Time `json:"updatedAt" yaml:"updatedAt"`
}

// Project is the API's Project object (GET
// /app/v1/organizations/{org}/projects/{project}).
type Project struct {
	ID             string     `json:"id" yaml:"id"`
	OrganizationID string     `json:"organizationId" yaml:"organizationId"`
	Name           string     `json:"name" yaml:"name"`
	Slug           string     `json:"slug" yaml:"slug"`
	Description    string     `json:"description" yaml:"description"`
	Status         string     `json:"status" yaml:"status"` // "active", "archived" or "deleted"
	CreatedAt      *time.Time `json:"createdAt" yaml:"createdAt"`
	UpdatedAt      *time.Time `json:"updatedAt" yaml:"updatedAt"`
}

// GetOrganization fetches the organization org. A token for another
// organization is a 403 *Error, an unknown organization a 404.
func (c *Client) GetOrganization(ctx context.Context, org string) (*Organization, error) {
	path, err := orgPath(org)
	if err != nil {
		return nil, err
	}
	var v Organization
	if err := c.getObject(ctx, "/app/v1"+path, "organization", &v, func() bool { return v.ID != "" }); err != nil {
		return nil, err
	}
	return &v, nil
}

// GetProject fetches the project org/project. An unknown organization or
// project is a 404 *Error.
func (c *Client) GetProject(ctx context.Context, org, project string) (*Project, error) {
	path, err := projectPath(org, project)
	if err != nil {
		return nil, err
	}
	var v Project
	if err := c.getObject(ctx, "/app/v1"+path, "project", &v, func() bool { return v.ID != "" }); err != nil {
		return nil, err
	}
	return &v, nil
}

// getObject GETs one admin object at path into v; hasID says whether the
// decoded object carries its id (what names it in the error when not).
func (c *Client) getObject(ctx context.Context, path, what string, v any, hasID func() bool) error {
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.do(ctx, &call{method: http.MethodGet, path: path, admin: true})
	if err != nil {
		return err
	}
	if err := decodeObject(resp, v); err != nil {
		return err
	}
	if !hasID() {
		return fmt.Errorf("the server's response holds no %s (no id; %s)", what, resp.describe())
	}
	return nil
}

// parseStamps reads an object's createdAt and updatedAt leniently (see
// parseTimestamp).
func parseStamps(rawCreated, rawUpdated json.RawMessage) (created, updated *time.Time, err error) {
	if created, err = parseTimestamp("createdAt", rawCreated); err != nil {
		return nil, nil, err
	}
	if updated, err = parseTimestamp("updatedAt", rawUpdated); err != nil {
		return nil, nil, err
	}
	return created, updated, nil
}

// UnmarshalJSON reads the timestamps leniently, as for keys.
func (o *Organization) UnmarshalJSON(b []byte) error {
	type fields Organization
	var aux struct {
		fields
		CreatedAt json.RawMessage `json:"createdAt"`
		UpdatedAt json.RawMessage `json:"updatedAt"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	out := Organization(aux.fields)
	var err error
	if out.CreatedAt, out.UpdatedAt, err = parseStamps(aux.CreatedAt, aux.UpdatedAt); err != nil {
		return err
	}
	*o = out
	return nil
}

// UnmarshalJSON reads the timestamps leniently, as for keys.
func (p *Project) UnmarshalJSON(b []byte) error {
	type fields Project
	var aux struct {
		fields
		CreatedAt json.RawMessage `json:"createdAt"`
		UpdatedAt json.RawMessage `json:"updatedAt"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	out := Project(aux.fields)
	var err error
	if out.CreatedAt, out.UpdatedAt, err = parseStamps(aux.CreatedAt, aux.UpdatedAt); err != nil {
		return err
	}
	*p = out
	return nil
}
