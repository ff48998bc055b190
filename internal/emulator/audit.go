package emulator

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditEvent is one row of the append-only audit trail: who did what to which
// key, when, from where, in which request. It never holds a key or a token.
type AuditEvent struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"` // create, update, rename, revoke, delete
	KeyID      string    `json:"keyId"`
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

// Audit returns the whole audit trail, oldest first.
func (e *Emulator) Audit(ctx context.Context) ([]AuditEvent, error) {
	rows, err := e.store.r.QueryContext(ctx, `
		SELECT id, time, actor, action, key_id, org, project, request_id, remote_addr, detail
		FROM audit_events ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read audit events: %w", err)
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var ev AuditEvent
		var t int64
		if err := rows.Scan(&ev.ID, &t, &ev.Actor, &ev.Action, &ev.KeyID, &ev.Org, &ev.Project, &ev.RequestID, &ev.RemoteAddr, &ev.Detail); err != nil {
			return nil, fmt.Errorf("read audit events: %w", err)
		}
		ev.Time = time.Unix(t, 0).UTC()
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit events: %w", err)
	}
	return out, nil
}
