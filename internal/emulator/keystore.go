package emulator

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// The store side of the admin API: reading and writing api_keys rows and their
// audit rows; admin.go holds the HTTP handlers.

const nameIsKeyDetail = "must not be an API key value; choose a descriptive name"

// nameIsKey reports whether name is the value of a key of the project (or the
// value being created, apiKey), checked by digest; only a name that could be a
// key at all costs a lookup.
func (e *Emulator) nameIsKey(ctx context.Context, tx *sql.Tx, projectPK int64, name, apiKey string) (bool, error) {
	if !keyShapeOK(name) {
		return false, nil
	}
	if apiKey != "" && name == apiKey {
		return true, nil
	}
	d := keyDigest(e.secret, name)
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM api_keys WHERE project_pk = ? AND digest = ?`, projectPK, d[:]).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const keyColumns = `k.id, p.id, k.name, k.name_norm, k.status, k.last_used, k.created_by, k.created_at, k.updated_at`

func scanKey(sc interface{ Scan(...any) error }) (keyRecord, error) {
	var k keyRecord
	err := sc.Scan(&k.ID, &k.ProjectID, &k.Name, &k.NameNorm, &k.Status, &k.LastUsed, &k.CreatedBy, &k.CreatedAt, &k.UpdatedAt)
	return k, err
}

func getKey(ctx context.Context, q querier, proj projectRef, id string) (keyRecord, error) {
	k, err := scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+`
		FROM api_keys k JOIN projects p ON p.pk = k.project_pk
		WHERE k.id = ? AND k.project_pk = ?`, id, proj.pk))
	if errors.Is(err, sql.ErrNoRows) {
		return keyRecord{}, errKeyNotFound
	}
	return k, err
}

// createKey stores a new key and its audit row in one transaction and returns the
// record and the plaintext key (which exists only in this return value and the
// response built from it).
func (e *Emulator) createKey(ctx context.Context, proj projectRef, req createRequest, m auditMeta) (keyRecord, string, error) {
	for attempt := 0; ; attempt++ {
		key := req.apiKey
		if key == "" {
			var err error
			if key, err = generateKey(); err != nil {
				return keyRecord{}, "", err
			}
		}
		rec, err := e.insertKey(ctx, proj, req, key, m)
		// A generated key equal to an existing one (odds about 2^-190) is simply
		// made again.
		if errors.Is(err, errKeyTaken) && req.apiKey == "" && attempt < 3 {
			continue
		}
		return rec, key, err
	}
}

func (e *Emulator) insertKey(ctx context.Context, proj projectRef, req createRequest, key string, m auditMeta) (keyRecord, error) {
	digest := keyDigest(e.secret, key)
	now := e.now().Unix()
	rec := keyRecord{
		ID:        uuid.NewString(),
		ProjectID: proj.project,
		Name:      req.name,
		NameNorm:  req.norm,
		Status:    "active",
		CreatedBy: m.actor,
		CreatedAt: now,
		UpdatedAt: now,
	}
	err := e.store.writeTx(ctx, func(tx *sql.Tx) error {
		// The transaction holds SQLite's write lock from its first statement
		// (BEGIN IMMEDIATE), so these checks and the insert are atomic; the
		// unique indexes stay as the last line of defence.
		if isKey, err := e.nameIsKey(ctx, tx, proj.pk, req.name, key); err != nil {
			return err
		} else if isKey {
			return errNameIsKey
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM api_keys WHERE project_pk = ? AND name_norm = ?`, proj.pk, req.norm).Scan(&one)
		if err == nil {
			return errNameTaken
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Key values are unique per project only: a value held in another
		// project or organization is accepted like a fresh one, with the same
		// answer and the same single indexed lookup, so nothing about other
		// projects can be learnt here.
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM api_keys WHERE project_pk = ? AND digest = ?`, proj.pk, digest[:]).Scan(&one)
		if err == nil {
			return errKeyTaken
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO api_keys (id, project_pk, name, name_norm, digest, status, last_used, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'active', NULL, ?, ?, ?)`,
			rec.ID, proj.pk, rec.Name, rec.NameNorm, digest[:], rec.CreatedBy, now, now)
		switch {
		case isUniqueViolation(err, "name_norm"):
			return errNameTaken
		case isUniqueViolation(err, "digest"):
			return errKeyTaken
		case err != nil:
			return fmt.Errorf("insert key: %w", err)
		}
		return insertAudit(ctx, tx, now, m, "create", rec.ID, fmt.Sprintf("name %q", rec.Name))
	})
	if err != nil {
		return keyRecord{}, err
	}
	return rec, nil
}

// updateKey renames and/or revokes a key. Revoking a revoked key, or renaming a
// key to its own name, changes nothing (updatedAt included) but is still audited.
func (e *Emulator) updateKey(ctx context.Context, proj projectRef, id string, req updateRequest, m auditMeta) (keyRecord, error) {
	var out keyRecord
	if req.status != nil && *req.status == "revoked" {
		// No cached "active" may answer once the revoke commits.
		defer e.cache.hold(id)()
	}
	err := e.store.writeTx(ctx, func(tx *sql.Tx) error {
		rec, err := getKey(ctx, tx, proj, id)
		if err != nil {
			return err
		}
		revoke := false
		if req.status != nil {
			switch {
			case *req.status == "active" && rec.Status == "revoked":
				return errBadTransition
			case *req.status == "revoked" && rec.Status == "active":
				revoke = true
			}
		}
		rename := req.name != nil && *req.name != rec.Name
		if rename {
			if isKey, err := e.nameIsKey(ctx, tx, proj.pk, *req.name, ""); err != nil {
				return err
			} else if isKey {
				return errNameIsKey
			}
		}
		if rename && *req.norm != rec.NameNorm {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM api_keys WHERE project_pk = ? AND name_norm = ? AND id <> ?`, proj.pk, *req.norm, id).Scan(&one)
			if err == nil {
				return errNameTaken
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		now := e.now().Unix()
		if !rename && !revoke {
			out = rec
			var asked []string
			if req.name != nil {
				asked = append(asked, fmt.Sprintf("name already %q", rec.Name))
			}
			if req.status != nil {
				asked = append(asked, "status already "+rec.Status)
			}
			return insertAudit(ctx, tx, now, m, "update", id, "no change: "+strings.Join(asked, ", "))
		}
		oldName := rec.Name
		if rename {
			rec.Name, rec.NameNorm = *req.name, *req.norm
		}
		if revoke {
			rec.Status = "revoked"
		}
		rec.UpdatedAt = now
		_, err = tx.ExecContext(ctx, `UPDATE api_keys SET name = ?, name_norm = ?, status = ?, updated_at = ? WHERE id = ?`,
			rec.Name, rec.NameNorm, rec.Status, rec.UpdatedAt, id)
		if isUniqueViolation(err, "name_norm") {
			return errNameTaken
		}
		if err != nil {
			return fmt.Errorf("update key: %w", err)
		}
		if rename {
			if err := insertAudit(ctx, tx, now, m, "rename", id, fmt.Sprintf("name %q -> %q", oldName, rec.Name)); err != nil {
				return err
			}
		}
		if revoke {
			if err := insertAudit(ctx, tx, now, m, "revoke", id, ""); err != nil {
				return err
			}
		}
		out = rec
		return nil
	})
	if err != nil {
		return keyRecord{}, err
	}
	return out, nil
}

func (e *Emulator) deleteKey(ctx context.Context, proj projectRef, id string, m auditMeta) error {
	defer e.cache.hold(id)()
	err := e.store.writeTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `DELETE FROM api_keys WHERE id = ? AND project_pk = ? RETURNING name`, id, proj.pk).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return errKeyNotFound
		}
		if err != nil {
			return fmt.Errorf("delete key: %w", err)
		}
		return insertAudit(ctx, tx, e.now().Unix(), m, "delete", id, fmt.Sprintf("name %q", name))
	})
	return err
}

// keyCursor is the position after the last key of a page: keys are listed by
// creation time, then id.
type keyCursor struct {
	createdAt int64
	id        string
}

const keyCursorPrefix = "k1:"

func (c keyCursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(keyCursorPrefix + strconv.FormatInt(c.createdAt, 10) + ":" + c.id))
}

func decodeKeyCursor(s string) (keyCursor, bool) {
	if len(s) > 128 {
		return keyCursor{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !bytes.HasPrefix(b, []byte(keyCursorPrefix)) {
		return keyCursor{}, false
	}
	ts, id, ok := strings.Cut(string(b[len(keyCursorPrefix):]), ":")
	if !ok {
		return keyCursor{}, false
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return keyCursor{}, false
	}
	id, ok = canonicalUUID(id)
	if !ok {
		return keyCursor{}, false
	}
	return keyCursor{createdAt: t, id: id}, true
}

func (e *Emulator) listKeys(ctx context.Context, proj projectRef, status string, limit int, after *keyCursor) ([]keyRecord, string, error) {
	var sb strings.Builder
	args := []any{proj.pk}
	sb.WriteString(`SELECT ` + keyColumns + ` FROM api_keys k JOIN projects p ON p.pk = k.project_pk WHERE k.project_pk = ?`)
	if status != "" {
		sb.WriteString(` AND k.status = ?`)
		args = append(args, status)
	}
	if after != nil {
		sb.WriteString(` AND (k.created_at, k.id) > (?, ?)`)
		args = append(args, after.createdAt, after.id)
	}
	sb.WriteString(` ORDER BY k.created_at, k.id LIMIT ?`)
	args = append(args, limit+1)
	rows, err := e.store.r.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	keys := make([]keyRecord, 0, limit+1)
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, "", err
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(keys) > limit {
		keys = keys[:limit]
		last := keys[limit-1]
		next = keyCursor{createdAt: last.CreatedAt, id: last.ID}.encode()
	}
	return keys, next, nil
}
