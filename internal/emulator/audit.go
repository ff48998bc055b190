package emulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/metabind/metabind-cli/internal/names"
)

// AuditEvent is one row of the append-only audit trail: who did what to which
// key, when, from where, in which request. It never holds a key or a token.
type AuditEvent struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"` // create, update, rename, revoke, delete
	KeyID      string    `json:"keyId"`
	KeyName    string    `json:"keyName"` // current name, or the name at deletion
	Org        string    `json:"org"`
	Project    string    `json:"project"`
	RequestID  string    `json:"requestId"`
	RemoteAddr string    `json:"remoteAddr"`
	Detail     string    `json:"detail,omitempty"` // e.g. the old and new name of a rename
}

// auditMeta is the part of an audit row that comes from the request.
type auditMeta struct {
	actor, org, project, requestID, remote string
}

// insertAudit appends an audit row inside the caller's transaction, so the change
// and its record commit or roll back together.
func insertAudit(ctx context.Context, tx *sql.Tx, now int64, m auditMeta, action, keyID, detail string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_events (time, actor, action, key_id, org, project, request_id, remote_addr, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		now, m.actor, action, keyID, m.org, m.project, m.requestID, m.remote, detail)
	if err != nil {
		return fmt.Errorf("write audit event: %w", err)
	}
	return nil
}

// AuditActions are the actions the trail records.
var AuditActions = []string{"create", "update", "rename", "revoke", "delete"}

// AuditFilter narrows Audit. The zero value selects everything.
type AuditFilter struct {
	Key     string    // a key id, or a key's name (current, or at its deletion); "" = every key
	Action  string    // one of AuditActions; "" = every action
	Org     string    // only events in this organization; "" = every one
	Project string    // only events in projects of this id; "" = every one
	Since   time.Time // zero = from the start
	Limit   int       // the newest Limit events; 0 = all
}

// ErrNoSuchKey means AuditFilter.Key names no key the trail knows.
var ErrNoSuchKey = errors.New("no key with that id or name in the audit trail")

// Audit returns the audit trail in time order, oldest first, each event with
// the key's name: its current name, or for a deleted key the name it had when
// it was deleted.
func (e *Emulator) Audit(ctx context.Context, f AuditFilter) ([]AuditEvent, error) {
	var where []string
	var args []any
	if f.Key != "" {
		ids, err := e.auditKeyIDs(ctx, f.Key)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, ErrNoSuchKey
		}
		where = append(where, "a.key_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+")")
		for _, id := range ids {
			args = append(args, id)
		}
	}
	if f.Action != "" {
		where = append(where, "a.action = ?")
		args = append(args, f.Action)
	}
	if f.Org != "" {
		where = append(where, "a.org = ?")
		args = append(args, f.Org)
	}
	if f.Project != "" {
		where = append(where, "a.project = ?")
		args = append(args, f.Project)
	}
	if !f.Since.IsZero() {
		where = append(where, "a.time >= ?")
		args = append(args, f.Since.Unix())
	}
	q := `SELECT a.id, a.time, a.actor, a.action, a.key_id, a.org, a.project, a.request_id, a.remote_addr, a.detail,
			COALESCE(k.name, (SELECT d.detail FROM audit_events d WHERE d.key_id = a.key_id AND d.action = 'delete' LIMIT 1), '')
		FROM audit_events a LEFT JOIN api_keys k ON k.id = a.key_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit > 0 {
		// The newest Limit events, shown oldest first.
		q = `SELECT * FROM (` + q + ` ORDER BY a.time DESC, a.id DESC LIMIT ?) ORDER BY 2, 1`
		args = append(args, f.Limit)
	} else {
		q += ` ORDER BY a.time, a.id`
	}
	rows, err := e.store.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit events: %w", err)
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var ev AuditEvent
		var t int64
		var name string
		if err := rows.Scan(&ev.ID, &t, &ev.Actor, &ev.Action, &ev.KeyID, &ev.Org, &ev.Project, &ev.RequestID, &ev.RemoteAddr, &ev.Detail, &name); err != nil {
			return nil, fmt.Errorf("read audit events: %w", err)
		}
		ev.Time = time.Unix(t, 0).UTC()
		ev.KeyName = deletedName(name)
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit events: %w", err)
	}
	return out, nil
}

// deletedName turns a delete row's detail (name "x") into x; anything else
// is a current name and returned as it is.
func deletedName(s string) string {
	if rest, ok := strings.CutPrefix(s, "name "); ok {
		if n, err := strconv.Unquote(rest); err == nil {
			return n
		}
	}
	return s
}

// auditKeyIDs resolves --key: a key id (any case), a current name (compared
// as names are), or the name a deleted key had.
func (e *Emulator) auditKeyIDs(ctx context.Context, key string) ([]string, error) {
	if id, ok := canonicalUUID(key); ok {
		return []string{id}, nil
	}
	rows, err := e.store.r.QueryContext(ctx, `
		SELECT id FROM api_keys WHERE name_norm = ?
		UNION SELECT key_id FROM audit_events WHERE action = 'delete' AND detail = ?`,
		names.Key(key), fmt.Sprintf("name %q", names.Trim(key)))
	if err != nil {
		return nil, fmt.Errorf("find key: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find key: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
