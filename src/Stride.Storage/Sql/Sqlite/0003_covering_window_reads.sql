-- Window reads become pure covering index range scans, one per system that deployed in the
-- environment, with no per-row lookup:
--  * first_deployments carries the change's own timestamp (changed_at, kept up to date when the
--    change is pushed), re-keyed by change first so a change's rows are found together;
--  * deployments carry the number of incidents attributed to them (incidents), so "failed" is read
--    from the index instead of probing incident_attributions for every deployment.

CREATE TABLE first_deployments_v3 (
    org         INTEGER NOT NULL,
    system      TEXT    NOT NULL,
    change      TEXT    NOT NULL,
    env         TEXT    NOT NULL,
    dep         INTEGER NOT NULL, -- deployments.pk
    deployed_at INTEGER NOT NULL, -- that deployment's ts
    changed_at  INTEGER,          -- changes.ts; null while the change was never pushed
    PRIMARY KEY (org, system, change, env)
) WITHOUT ROWID;
INSERT INTO first_deployments_v3 (org, system, change, env, dep, deployed_at, changed_at)
SELECT f.org, f.system, f.change, f.env, f.dep, f.deployed_at, c.ts
FROM first_deployments f
LEFT JOIN changes c ON c.org = f.org AND c.system = f.system AND c.id = f.change;
DROP TABLE first_deployments;
ALTER TABLE first_deployments_v3 RENAME TO first_deployments;
CREATE INDEX first_deployments_window ON first_deployments (org, system, env, deployed_at, changed_at);

ALTER TABLE deployments ADD COLUMN incidents INTEGER NOT NULL DEFAULT 0;
UPDATE deployments SET incidents = (SELECT count(*) FROM incident_attributions a WHERE a.dep = deployments.pk);
DROP INDEX deployments_by_system;
CREATE INDEX deployments_by_system ON deployments (org, system, env, ts, id, rework, incidents) WHERE result = 0;
DROP INDEX incident_attributions_by_deployment;
