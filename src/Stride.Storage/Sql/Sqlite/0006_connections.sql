-- DevLake-compatible webhook connections (SPEC §4.3). Forward-only: never edit once merged.
-- A connection owns exactly one API key (scope `connection`), which is valid only on that
-- connection's routes: the link is key_id, checked on every webhook request.
CREATE TABLE connections (
    id         INTEGER PRIMARY KEY,
    org        INTEGER NOT NULL REFERENCES organizations (id),
    name       TEXT    NOT NULL,
    key_id     INTEGER NOT NULL UNIQUE REFERENCES api_keys (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX connections_by_org ON connections (org, id);

-- Closing a DevLake issue names only its key, not its system: incidents by identifier within an organization.
CREATE INDEX incidents_by_identifier ON incidents (org, id);
