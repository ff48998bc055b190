-- The emulator's first schema. Times are Unix seconds (UTC); the API shows them
-- as ISO 8601 to the second. No column ever holds an API key in plaintext:
-- api_keys.digest is HMAC-SHA-256(emulator secret, key).

CREATE TABLE orgs (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE projects (
    pk         INTEGER PRIMARY KEY,
    org_id     TEXT    NOT NULL REFERENCES orgs(id),
    id         TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (org_id, id)
) STRICT;

CREATE TABLE api_keys (
    id         TEXT    PRIMARY KEY,
    project_pk INTEGER NOT NULL REFERENCES projects(pk),
    name       TEXT    NOT NULL,
    name_norm  TEXT    NOT NULL,
    digest     BLOB    NOT NULL UNIQUE CHECK (length(digest) = 32),
    status     TEXT    NOT NULL CHECK (status IN ('active', 'revoked')),
    last_used  INTEGER,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX api_keys_project_name ON api_keys (project_pk, name_norm);
CREATE INDEX api_keys_project_order ON api_keys (project_pk, created_at, id);
CREATE INDEX api_keys_project_status_order ON api_keys (project_pk, status, created_at, id);

CREATE TABLE tags (
    pk         INTEGER PRIMARY KEY,
    project_pk INTEGER NOT NULL REFERENCES projects(pk),
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    slug       TEXT    NOT NULL,
    UNIQUE (project_pk, slug)
) STRICT;

CREATE TABLE content_types (
    pk         INTEGER PRIMARY KEY,
    project_pk INTEGER NOT NULL REFERENCES projects(pk),
    id         TEXT    NOT NULL UNIQUE,
    slug       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('published', 'draft')),
    UNIQUE (project_pk, slug)
) STRICT;

CREATE TABLE content (
    pk              INTEGER PRIMARY KEY,
    project_pk      INTEGER NOT NULL REFERENCES projects(pk),
    id              TEXT    NOT NULL UNIQUE,
    slug            TEXT    NOT NULL,
    content_type_pk INTEGER NOT NULL REFERENCES content_types(pk),
    name            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('published', 'draft')),
    published_at    INTEGER,
    data            TEXT    NOT NULL,
    UNIQUE (project_pk, slug)
) STRICT;

CREATE INDEX content_project_status ON content (project_pk, status, pk);

-- Append-only record of every change to a key. key_id has no foreign key: a
-- deleted key keeps its history.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    time        INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL CHECK (action IN ('create', 'update', 'rename', 'revoke', 'delete')),
    key_id      TEXT    NOT NULL,
    org         TEXT    NOT NULL,
    project     TEXT    NOT NULL,
    request_id  TEXT    NOT NULL,
    remote_addr TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_events_key ON audit_events (key_id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
