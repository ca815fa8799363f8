-- Lists (GET /api/v1/deployments, /incidents, /changes) read an organization's events newest first
-- across all its systems, a page at a time: one index per list, by time, so a page costs its rows.
CREATE INDEX deployments_listed ON deployments (org, env, ts);
CREATE INDEX incidents_listed ON incidents (org, created);
CREATE INDEX changes_listed ON changes (org, ts);
