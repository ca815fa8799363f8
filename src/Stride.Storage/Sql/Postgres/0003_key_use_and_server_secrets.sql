-- When each key was last used (kept coarse: the server writes it at most once a minute per key).
ALTER TABLE api_keys ADD COLUMN last_used_at bigint;

-- Server-wide secrets the server made itself (the key-hashing secret when none is configured), so
-- that every start, and every node of the database, uses the same one.
CREATE TABLE server_secrets (
    name  text  PRIMARY KEY,
    value bytea NOT NULL
);
