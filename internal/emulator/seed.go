package emulator

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/metabind/metabind-cli/internal/names"
)

// SeedResult reports what Seed found or made. The counts are what the project
// holds from the seed set after the call, so they are the same on every run.
type SeedResult struct {
	Org, Project   string
	OrgCreated     bool
	ProjectCreated bool
	Tags           int
	ContentTypes   int
	Published      int
	Drafts         int
}

// MaxSeedKeys bounds SeedKeys.
const MaxSeedKeys = 1_000_000

const maxIDLen = 64

// ValidID reports whether s can be an organization or project id: 1 to 64
// characters of [A-Za-z0-9._-], not starting with a dot.
func ValidID(s string) bool {
	if s == "" || len(s) > maxIDLen || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

type seedTag struct{ slug, name string }

type seedType struct{ slug, name, status string }

type seedContent struct {
	slug, typeSlug, name, status string
	data                         map[string]any
}

var (
	seedTags = []seedTag{
		{"news", "News"}, {"featured", "Featured"}, {"ios", "iOS"}, {"android", "Android"},
	}
	seedTypes = []seedType{
		{"article", "Article", "published"},
		{"product", "Product", "published"},
		{"landing-page", "Landing Page", "draft"},
	}
	seedContents = []seedContent{
		{"welcome", "article", "Welcome to Metabind", "published", map[string]any{"title": "Welcome to Metabind", "body": "Content served by the local emulator.", "tags": []string{"news", "featured"}}},
		{"release-notes", "article", "Release notes 1.0", "published", map[string]any{"title": "Release notes 1.0", "body": "Everything new in 1.0.", "tags": []string{"news"}}},
		{"travel-mug", "product", "Travel mug", "published", map[string]any{"title": "Travel mug", "price": 18.5, "currency": "EUR", "tags": []string{"ios", "android"}}},
		{"desk-lamp", "product", "Desk lamp", "published", map[string]any{"title": "Desk lamp", "price": 42, "currency": "EUR", "tags": []string{"featured"}}},
		{"upcoming-launch", "article", "Upcoming launch", "draft", map[string]any{"title": "Upcoming launch", "body": "Not published yet."}},
		{"unreleased-gadget", "product", "Unreleased gadget", "draft", map[string]any{"title": "Unreleased gadget", "price": 99, "currency": "EUR"}},
	}
)

// Seed makes sure org and project exist and hold a few tags, content types, and
// published and draft content. It is idempotent, reuses an existing org or
// project, and never creates API keys.
func (e *Emulator) Seed(ctx context.Context, org, project string) (SeedResult, error) {
	if !ValidID(org) {
		return SeedResult{}, fmt.Errorf("invalid organization id %q: use 1 to %d characters of A-Z, a-z, 0-9, '.', '_' and '-'", org, maxIDLen)
	}
	if !ValidID(project) {
		return SeedResult{}, fmt.Errorf("invalid project id %q: use 1 to %d characters of A-Z, a-z, 0-9, '.', '_' and '-'", project, maxIDLen)
	}
	res := SeedResult{Org: org, Project: project}
	now := e.now().Unix()
	err := e.store.writeTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, org, seedName(org), now)
		if err != nil {
			return fmt.Errorf("seed organization: %w", err)
		}
		res.OrgCreated = affected(r) > 0
		r, err = tx.ExecContext(ctx, `INSERT INTO projects (org_id, id, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (org_id, id) DO NOTHING`, org, project, seedName(project), now)
		if err != nil {
			return fmt.Errorf("seed project: %w", err)
		}
		res.ProjectCreated = affected(r) > 0
		var pk int64
		if err := tx.QueryRowContext(ctx, `SELECT pk FROM projects WHERE org_id = ? AND id = ?`, org, project).Scan(&pk); err != nil {
			return fmt.Errorf("seed project: %w", err)
		}
		for _, t := range seedTags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO tags (project_pk, id, name, slug) VALUES (?, ?, ?, ?) ON CONFLICT (project_pk, slug) DO NOTHING`,
				pk, uuid.NewString(), t.name, t.slug); err != nil {
				return fmt.Errorf("seed tags: %w", err)
			}
		}
		for _, t := range seedTypes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO content_types (project_pk, id, slug, name, status) VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_pk, slug) DO NOTHING`,
				pk, uuid.NewString(), t.slug, t.name, t.status); err != nil {
				return fmt.Errorf("seed content types: %w", err)
			}
		}
		for _, c := range seedContents {
			data, err := json.Marshal(c.data)
			if err != nil {
				return err
			}
			var published any
			if c.status == "published" {
				published = now
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO content (project_pk, id, slug, content_type_pk, name, status, published_at, data)
				SELECT ?, ?, ?, t.pk, ?, ?, ?, ? FROM content_types t WHERE t.project_pk = ? AND t.slug = ?
				ON CONFLICT (project_pk, slug) DO NOTHING`,
				pk, uuid.NewString(), c.slug, c.name, c.status, published, string(data), pk, c.typeSlug); err != nil {
				return fmt.Errorf("seed content: %w", err)
			}
		}
		return countSeeded(ctx, tx, pk, &res)
	})
	e.responses.clear()
	if err != nil {
		return SeedResult{}, err
	}
	return res, nil
}

func countSeeded(ctx context.Context, tx *sql.Tx, pk int64, res *SeedResult) error {
	in := func(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
	var args []any
	args = append(args, pk)
	for _, t := range seedTags {
		args = append(args, t.slug)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tags WHERE project_pk = ? AND slug IN (`+in(len(seedTags))+`)`, args...).Scan(&res.Tags); err != nil {
		return err
	}
	args = append(args[:0], pk)
	for _, t := range seedTypes {
		args = append(args, t.slug)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM content_types WHERE project_pk = ? AND slug IN (`+in(len(seedTypes))+`)`, args...).Scan(&res.ContentTypes); err != nil {
		return err
	}
	args = append(args[:0], pk)
	for _, c := range seedContents {
		args = append(args, c.slug)
	}
	return tx.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE status = 'published'), COUNT(*) FILTER (WHERE status = 'draft')
		FROM content WHERE project_pk = ? AND slug IN (`+in(len(seedContents))+`)`, args...).Scan(&res.Published, &res.Drafts)
}

func affected(r sql.Result) int64 {
	n, err := r.RowsAffected()
	if err != nil {
		return 0
	}
	return n
}

// bulkKeyPrefix names the keys SeedKeys makes.
const bulkKeyPrefix = "bulk-key-"

// SeedKeys inserts n keys into an existing project, for load and scale tests,
// in transactions of at most about 50 ms each with as long a pause between
// them (so a server on the same database can write in between): names bulk-key-00001, bulk-key-00002, … continuing after
// any already there, creation times spread over the past year, about two in
// three used since, one in seven revoked. Their digests are random, so no
// plaintext exists and none of them can authenticate. Each gets a create audit
// row with actor "emulator-seed". It returns how many keys it inserted.
func (e *Emulator) SeedKeys(ctx context.Context, org, project string, n int) (int, error) {
	if n < 0 || n > MaxSeedKeys {
		return 0, fmt.Errorf("number of keys must be from 0 to %d, got %d", MaxSeedKeys, n)
	}
	pk, ok, err := e.store.projectPK(ctx, org, project)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("project %q in organization %q does not exist; seed it first", project, org)
	}
	if n == 0 {
		return 0, nil
	}
	now := e.now().Unix()
	const year = int64(365 * 24 * time.Hour / time.Second)
	var start int
	done := 0
	for first := true; done < n; first = false {
		if !first {
			// SQLite's lock is not fair: a writer in another process polls
			// from its busy handler (sleeping up to 100 ms between tries),
			// and would keep missing a lock released and taken again at
			// once. Leave it a gap as long as the batch was.
			select {
			case <-time.After(seedBatchTime):
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		err := e.store.writeTx(ctx, func(tx *sql.Tx) error {
			if first {
				var err error
				if start, err = nextBulkIndex(ctx, tx, pk); err != nil {
					return err
				}
			}
			k, err := e.seedKeyBatch(ctx, tx, pk, org, project, start, done, n, now, year)
			done += k
			return err
		})
		if err != nil {
			return 0, err // a failed batch is rolled back; the earlier ones stay
		}
	}
	return n, nil
}

// seedBatchTime bounds one SeedKeys transaction, so that a writer in another
// process (a revoke on a running server) never waits much longer than this.
const seedBatchTime = 50 * time.Millisecond

// seedKeyBatch inserts keys done, done+1, … of n in tx until n or until
// seedBatchTime has passed, and returns how many it inserted.
func (e *Emulator) seedKeyBatch(ctx context.Context, tx *sql.Tx, pk int64, org, project string, start, done, n int, now, year int64) (int, error) {
	began := time.Now()
	ins, err := tx.PrepareContext(ctx, `
		INSERT INTO api_keys (id, project_pk, name, name_norm, digest, status, last_used, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'emulator-seed', ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	aud, err := tx.PrepareContext(ctx, `
		INSERT INTO audit_events (time, actor, action, key_id, org, project, request_id, remote_addr, detail)
		VALUES (?, 'emulator-seed', 'create', ?, ?, ?, 'seed', 'local', ?)`)
	if err != nil {
		return 0, err
	}
	defer aud.Close()
	d := make([]byte, 32)
	inserted := 0
	for i := done; i < n; i++ {
		if inserted > 0 && inserted%64 == 0 && time.Since(began) >= seedBatchTime {
			break
		}
		if _, err := rand.Read(d); err != nil {
			return 0, err
		}
		name := fmt.Sprintf("%s%05d", bulkKeyPrefix, start+i)
		created := now - year + (year*int64(i))/int64(n)
		var lastUsed any
		if i%3 != 0 {
			lastUsed = created + (now-created)*int64((i*7919)%100)/100
		}
		status, updated := "active", created
		if i%7 == 6 {
			status, updated = "revoked", created+(now-created)/2
		}
		id := uuid.NewString()
		if _, err := ins.ExecContext(ctx, id, pk, name, names.Key(name), d, status, lastUsed, created, updated); err != nil {
			if isUniqueViolation(err, "name_norm") {
				return 0, fmt.Errorf("a key named %q already exists", name)
			}
			return 0, fmt.Errorf("insert key: %w", err)
		}
		if _, err := aud.ExecContext(ctx, created, id, org, project, fmt.Sprintf("name %q", name)); err != nil {
			return 0, fmt.Errorf("write audit event: %w", err)
		}
		inserted++
	}
	return inserted, nil
}

// nextBulkIndex is one more than the highest bulk-key-N in the project.
func nextBulkIndex(ctx context.Context, tx *sql.Tx, pk int64) (int, error) {
	prefix := names.Key(bulkKeyPrefix)
	rows, err := tx.QueryContext(ctx, `SELECT name_norm FROM api_keys WHERE project_pk = ? AND name_norm GLOB ? || '[0-9]*'`, pk, prefix)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	high := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return 0, err
		}
		if v, err := strconv.Atoi(strings.TrimPrefix(name, prefix)); err == nil && v > high {
			high = v
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if high >= MaxSeedKeys*10 {
		return 0, errors.New("too many bulk keys in this project already")
	}
	return high + 1, nil
}

// OrgExists reports whether the organization is in the database.
func (e *Emulator) OrgExists(ctx context.Context, org string) (bool, error) {
	var one int
	err := e.store.r.QueryRowContext(ctx, `SELECT 1 FROM orgs WHERE id = ?`, org).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
