-- Names compare by NFKC and case folding (package names); key values are unique
-- per project only; a counter records every change that can make a verified key
-- stop verifying, so a server sees revocations made by another process.
--
-- api_keys is rebuilt because SQLite cannot drop the column's UNIQUE on digest.
-- No foreign key refers to api_keys. name_norm is recomputed and its unique
-- index made again by the Go step of this migration (renormalizeNames).

CREATE TABLE api_keys_v2 (
    id         TEXT    PRIMARY KEY,
    project_pk INTEGER NOT NULL REFERENCES projects(pk),
    name       TEXT    NOT NULL,
    name_norm  TEXT    NOT NULL,
    digest     BLOB    NOT NULL CHECK (length(digest) = 32),
    status     TEXT    NOT NULL CHECK (status IN ('active', 'revoked')),
    last_used  INTEGER,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (project_pk, digest)
) STRICT;

INSERT INTO api_keys_v2 (id, project_pk, name, name_norm, digest, status, last_used, created_by, created_at, updated_at)
SELECT id, project_pk, name, name_norm, digest, status, last_used, created_by, created_at, updated_at FROM api_keys;

DROP TABLE api_keys;
ALTER TABLE api_keys_v2 RENAME TO api_keys;

CREATE INDEX api_keys_digest ON api_keys (digest);
CREATE INDEX api_keys_project_order ON api_keys (project_pk, created_at, id);
CREATE INDEX api_keys_project_status_order ON api_keys (project_pk, status, created_at, id);

-- key_changes.n grows with every revocation and deletion, whichever process
-- makes it: the triggers live in the database. Creations need no bump, since
-- only keys that verified are ever cached.
CREATE TABLE key_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;
INSERT INTO key_changes (id, n) VALUES (1, 0);

CREATE TRIGGER api_keys_changed_on_delete AFTER DELETE ON api_keys
BEGIN
    UPDATE key_changes SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER api_keys_changed_on_update AFTER UPDATE OF status, digest, project_pk ON api_keys
WHEN OLD.status IS NOT NEW.status OR OLD.digest IS NOT NEW.digest OR OLD.project_pk IS NOT NEW.project_pk
BEGIN
    UPDATE key_changes SET n = n + 1 WHERE id = 1;
END;
