-- The derived facts (first deployments, incident attributions) and the read paths move to the store's
-- in-memory index, built from the event tables at start and kept up to date by every commit. The
-- tables keep the events as saved, one B-tree entry per event where they can: a commit then writes
-- a fifth of the pages it did.
DROP TRIGGER IF EXISTS changes_ts_copied_on_insert;
DROP TRIGGER IF EXISTS changes_ts_copied_on_update;
DROP TABLE IF EXISTS first_deployments;
DROP TABLE IF EXISTS deployment_changes;
DROP TABLE IF EXISTS incident_attributions;
DROP TABLE IF EXISTS system_environments;
DROP TABLE IF EXISTS incident_spans;
DROP INDEX IF EXISTS changes_listed;
DROP INDEX IF EXISTS incidents_by_created;
DROP INDEX IF EXISTS incidents_by_deployment;
DROP INDEX IF EXISTS incidents_by_resolved;
DROP INDEX IF EXISTS incidents_open;
DROP INDEX IF EXISTS incidents_listed;
DROP INDEX IF EXISTS incidents_by_identifier;
DROP INDEX IF EXISTS incidents_resolved_by_system;
DROP INDEX IF EXISTS incidents_open_by_system;

-- Deployments are keyed by what identifies them: no surrogate key (nothing refers to one any more),
-- so one B-tree instead of a table and its unique index.
CREATE TABLE deployments_v14 (
    org        INTEGER NOT NULL,
    system     TEXT    NOT NULL,
    env        TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    ts         INTEGER NOT NULL,
    result     INTEGER NOT NULL,
    rework     INTEGER NOT NULL,
    commit_sha TEXT,
    teams      TEXT    NOT NULL,
    changes    TEXT    NOT NULL, -- JSON array: the changes as listed, or as the commit's push chain gave them
    chain_gap  TEXT,             -- the commit where that chain walk found no push (see 0010)
    PRIMARY KEY (org, system, env, id)
) WITHOUT ROWID;
INSERT INTO deployments_v14 (org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
SELECT org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap FROM deployments;
DROP TABLE deployments;
ALTER TABLE deployments_v14 RENAME TO deployments;

-- A deployment naming only its commit walks the push chain back to the previous deployed commit;
-- only such deployments are in this index.
CREATE INDEX deployments_with_commit ON deployments (org, system, env, ts, id) WHERE result = 0 AND commit_sha IS NOT NULL;
-- A late push finds the deployments whose walk stopped at one of its commits.
CREATE INDEX deployments_by_chain_gap ON deployments (org, system, chain_gap) WHERE chain_gap IS NOT NULL;
