-- Stride schema, version 1. Forward-only: never edit this file once merged; add 0002_….sql instead.
-- Every event table is keyed by organization first, so one organization's reads and writes only
-- ever touch its own key ranges. Identifiers compare with BINARY collation (ordinal, by code point).
-- Deployment results are stored as integers: 0 success, 1 failure, 2 aborted (DeploymentResult).

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- Keys are found by hash on every request, so the hash is unique (and indexed) across organizations.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    org        INTEGER NOT NULL REFERENCES organizations (id),
    name       TEXT    NOT NULL,
    prefix     TEXT    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    scopes     TEXT    NOT NULL, -- space-separated scope names
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_keys_by_org ON api_keys (org, id);

-- A change keeps the earliest timestamp ever pushed for its key.
CREATE TABLE changes (
    org    INTEGER NOT NULL,
    system TEXT    NOT NULL,
    id     TEXT    NOT NULL,
    ts     INTEGER NOT NULL,
    PRIMARY KEY (org, system, id)
) WITHOUT ROWID;

-- A deployment is replaced in place when re-pushed, so pk stays stable and derived rows can refer to it.
-- `changes` and `teams` are JSON arrays: `changes` is the list as pushed, read back on a re-push to
-- know which changes the old version listed.
CREATE TABLE deployments (
    pk         INTEGER PRIMARY KEY,
    org        INTEGER NOT NULL,
    system     TEXT    NOT NULL,
    env        TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    ts         INTEGER NOT NULL,
    result     INTEGER NOT NULL,
    rework     INTEGER NOT NULL,
    commit_sha TEXT,
    teams      TEXT    NOT NULL,
    changes    TEXT    NOT NULL,
    UNIQUE (org, system, env, id)
);
-- Window reads: successful deployments of an organization and environment by time (covering).
CREATE INDEX deployments_window ON deployments (org, env, ts, system, rework) WHERE result = 0;
-- Attribution and first-deployment upkeep: successful deployments of one system and environment by
-- (time, identifier), the order in which "latest at or before" and its tie-break are defined.
CREATE INDEX deployments_by_system ON deployments (org, system, env, ts, id) WHERE result = 0;

-- Which deployments (of any result and environment) list a change.
CREATE TABLE deployment_changes (
    org    INTEGER NOT NULL,
    system TEXT    NOT NULL,
    change TEXT    NOT NULL,
    dep    INTEGER NOT NULL, -- deployments.pk
    PRIMARY KEY (org, system, change, dep)
) WITHOUT ROWID;

-- Derived: each change's first successful deployment per environment (earliest time, then smallest
-- identifier). Rows exist also for changes never pushed as change events (they have no lead time).
CREATE TABLE first_deployments (
    org         INTEGER NOT NULL,
    system      TEXT    NOT NULL,
    env         TEXT    NOT NULL,
    change      TEXT    NOT NULL,
    dep         INTEGER NOT NULL, -- deployments.pk
    deployed_at INTEGER NOT NULL, -- that deployment's ts
    PRIMARY KEY (org, system, env, change)
) WITHOUT ROWID;
CREATE INDEX first_deployments_window ON first_deployments (org, env, deployed_at, system);

CREATE TABLE incidents (
    org        INTEGER NOT NULL,
    system     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    resolved   INTEGER,
    deployment TEXT, -- the identifier the incident names, if any
    PRIMARY KEY (org, system, id)
) WITHOUT ROWID;
-- Attribution upkeep: the incidents of a system created in a time range, or naming a deployment.
CREATE INDEX incidents_by_created ON incidents (org, system, created);
CREATE INDEX incidents_by_deployment ON incidents (org, system, deployment) WHERE deployment IS NOT NULL;
-- Window reads: incidents resolved in (or after) a range, and those still open.
CREATE INDEX incidents_by_resolved ON incidents (org, resolved) WHERE resolved IS NOT NULL;
CREATE INDEX incidents_open ON incidents (org, created) WHERE resolved IS NULL;

-- Derived: each incident's attributed deployment per environment (SPEC §3 "Incident attribution").
CREATE TABLE incident_attributions (
    org         INTEGER NOT NULL,
    system      TEXT    NOT NULL,
    incident    TEXT    NOT NULL,
    env         TEXT    NOT NULL,
    dep         INTEGER NOT NULL, -- deployments.pk
    deployed_at INTEGER NOT NULL, -- that deployment's ts
    PRIMARY KEY (org, system, incident, env)
) WITHOUT ROWID;
-- "Failed deployment" = a deployment with at least one attributed incident.
CREATE INDEX incident_attributions_by_deployment ON incident_attributions (dep);

-- The environments in which a system has had a successful deployment: those in which its incidents
-- may be attributed. Never shrinks (a superset is harmless: attribution then finds nothing).
CREATE TABLE system_environments (
    org    INTEGER NOT NULL,
    system TEXT    NOT NULL,
    env    TEXT    NOT NULL,
    PRIMARY KEY (org, system, env)
) WITHOUT ROWID;

-- The longest (resolved - created) of any incident an organization ever stored: it bounds the scan
-- for incidents open across the end of a window, so that read stays proportional to the window.
-- Never shrinks (a larger bound only widens the scan).
CREATE TABLE incident_spans (
    org      INTEGER PRIMARY KEY,
    max_span INTEGER NOT NULL
);
