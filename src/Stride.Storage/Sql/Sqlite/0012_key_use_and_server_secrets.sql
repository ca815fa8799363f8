-- When each key was last used (kept coarse: the server writes it at most once a minute per key).
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;

-- Server-wide secrets the server made itself (the key-hashing secret when none is configured), so
-- that every start, and every node of a shared database, uses the same one.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
