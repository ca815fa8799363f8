-- DevLake webhook issues of every type (SPEC §3 "Issue metrics", §4.3), for the issue metrics.
-- Keyed like events, organization first; a re-push replaces the row. `type` and `status` are
-- upper-cased by the server ('' when no type was given); `story_point` is NULL when none was given.
CREATE TABLE issues (
    org         INTEGER NOT NULL,
    system      TEXT    NOT NULL,
    issue_key   TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    story_point REAL,
    created     INTEGER NOT NULL,
    resolved    INTEGER,
    PRIMARY KEY (org, system, issue_key)
) WITHOUT ROWID;

-- A window read is two range scans: issues created in it (requirements) and issues resolved in it
-- (bug and incident ages). Both indexes cover the columns the read returns.
CREATE INDEX issues_by_created ON issues (org, created, system, type, status, story_point, resolved);
CREATE INDEX issues_by_resolved ON issues (org, resolved, system, type, status, story_point, created) WHERE resolved IS NOT NULL;

-- The close route resolves by key alone, in whichever systems the key exists.
CREATE INDEX issues_by_key ON issues (org, issue_key);
