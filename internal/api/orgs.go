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
	o, err := pathSegment("organization id", org)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.do(ctx, &call{method: http.MethodGet, path: "/app/v1/organizations/" + o, admin: true})
	if err != nil {
		return nil, err
	}
	var v Organization
	if err := decodeObject(resp, &v); err != nil {
		return nil, err
	}
	if v.ID == "" {
		return nil, fmt.Errorf("the server's response holds no organization (no id; %s)", resp.describe())
	}
	return &v, nil
}

// GetProject fetches the project org/project. An unknown organization or
// project is a 404 *Error.
func (c *Client) GetProject(ctx context.Context, org, project string) (*Project, error) {
	o, err := pathSegment("organization id", org)
	if err != nil {
		return nil, err
	}
	p, err := pathSegment("project id", project)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, err := c.do(ctx, &call{method: http.MethodGet, path: "/app/v1/organizations/" + o + "/projects/" + p, admin: true})
	if err != nil {
		return nil, err
	}
	var v Project
	if err := decodeObject(resp, &v); err != nil {
		return nil, err
	}
	if v.ID == "" {
		return nil, fmt.Errorf("the server's response holds no project (no id; %s)", resp.describe())
	}
	return &v, nil
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
	if out.CreatedAt, err = parseTimestamp("createdAt", aux.CreatedAt); err != nil {
		return err
	}
	if out.UpdatedAt, err = parseTimestamp("updatedAt", aux.UpdatedAt); err != nil {
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
	if out.CreatedAt, err = parseTimestamp("createdAt", aux.CreatedAt); err != nil {
		return err
	}
	if out.UpdatedAt, err = parseTimestamp("updatedAt", aux.UpdatedAt); err != nil {
		return err
	}
	*p = out
	return nil
}
