-- Window reads of deployments go through each system's (org, system, env, ts) range instead of one
-- organization-wide index: one index fewer to update on every deployment, and a system filter then
-- reads only the chosen systems. `rework` joins the index so those reads need not visit the table.
DROP INDEX deployments_window;
DROP INDEX deployments_by_system;
CREATE INDEX deployments_by_system ON deployments (org, system, env, ts, id, rework) WHERE result = 0;
