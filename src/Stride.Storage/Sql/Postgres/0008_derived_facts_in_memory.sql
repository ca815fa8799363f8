-- The derived facts (first deployments, incident attributions) and the event reads move to each
-- node's in-memory index of an organization's saved events, as on SQLite at its version 14. The event
-- tables keep the events as saved, one B-tree each where they can: a request of 5,000 events wrote
-- three to four index entries per change, and the statements that kept the derived tables took most
-- of its time.
--
-- A node learns of the writes of every other node from event_feed: each write transaction adds one
-- row, the events it saved, under its transaction id. Before it answers a read, a node applies the
-- rows of the transactions its index has not seen (those not visible in the snapshot it last read
-- in), in transaction id order: writes to one system hold its advisory lock from before their first
-- write, so for any one system that is the order they committed in.
DROP TABLE fact_changes;
DROP FUNCTION note_deployment_days, note_first_deployment_days, note_incident_days, note_attribution_days CASCADE;
DROP FUNCTION utc_day;
DROP TABLE first_deployments;
DROP TABLE deployment_changes;
DROP TABLE incident_attributions;
DROP TABLE system_environments;
DROP TABLE incident_spans;
DROP TABLE systems;
DROP INDEX changes_listed;
DROP INDEX incidents_by_created;
DROP INDEX incidents_by_deployment;
DROP INDEX incidents_by_resolved;
DROP INDEX incidents_open;
DROP INDEX incidents_listed;
DROP INDEX incidents_by_identifier;
DROP INDEX incidents_resolved_by_system;
DROP INDEX incidents_open_by_system;

-- Deployments are keyed by what identifies them: no surrogate key (nothing refers to one any more),
-- and no read indexes but the two the commit-chain walk needs, which hold only deployments of a commit.
CREATE TABLE deployments_v8 (
    org        bigint NOT NULL,
    system     text COLLATE "C" NOT NULL,
    env        text COLLATE "C" NOT NULL,
    id         text COLLATE "C" NOT NULL,
    ts         bigint NOT NULL,
    result     smallint NOT NULL,
    rework     boolean NOT NULL,
    commit_sha text COLLATE "C",
    teams      json NOT NULL, -- JSON arrays as saved (json, not jsonb: read back whole, never searched)
    changes    json NOT NULL,
    chain_gap  text COLLATE "C",
    CONSTRAINT deployments_key PRIMARY KEY (org, system, env, id)
);
INSERT INTO deployments_v8 (org, system, env, id, ts, result, rework, commit_sha, teams, changes, chain_gap)
SELECT org, system, env, id, ts, result, rework, commit_sha, teams::json, changes::json, chain_gap FROM deployments;
DROP TABLE deployments;
ALTER TABLE deployments_v8 RENAME TO deployments;
CREATE INDEX deployments_with_commit ON deployments (org, system, env, ts, id) INCLUDE (commit_sha)
    WHERE result = 0 AND commit_sha IS NOT NULL;
CREATE INDEX deployments_by_chain_gap ON deployments (org, system, chain_gap) WHERE chain_gap IS NOT NULL;

-- `events`: the saved events, encoded by PostgresFeed. Stored uncompressed: they are mostly hex
-- identifiers, and compressing a request's worth cost more than writing it.
CREATE TABLE event_feed (
    org    bigint NOT NULL,
    xid    xid8   NOT NULL DEFAULT pg_current_xact_id(),
    at     bigint NOT NULL DEFAULT extract(epoch FROM clock_timestamp())::bigint,
    events bytea  NOT NULL,
    PRIMARY KEY (org, xid)
);
ALTER TABLE event_feed ALTER COLUMN events SET STORAGE EXTERNAL;
CREATE INDEX event_feed_by_age ON event_feed USING brin (at);
