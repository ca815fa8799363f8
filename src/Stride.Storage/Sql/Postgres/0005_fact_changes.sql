-- Which UTC days' facts each write transaction changed, so that a node can keep the whole days of
-- a long window summarized between reads and know, at each read, which of them to read again
-- (PostgresStore.Days.cs). Written by the triggers below, whatever statement changes a row the
-- window reads use: a deployment's time, result, rework or incident count; a first deployment and
-- its copy of the change's time; an incident's times; an attribution, whose recovery time counts on
-- the day its incident was resolved. A migration that changes such rows must note their days too.
-- `xid` is the writing transaction (a 64-bit id, never reused), `at` when it was noted (Unix
-- seconds): rows older than an hour are deleted, and a node drops what it kept long before that.
CREATE TABLE fact_changes (
    org bigint NOT NULL,
    xid xid8   NOT NULL DEFAULT pg_current_xact_id(),
    day bigint NOT NULL,
    at  bigint NOT NULL DEFAULT extract(epoch FROM clock_timestamp())::bigint,
    PRIMARY KEY (org, xid, day)
);
CREATE INDEX fact_changes_by_age ON fact_changes USING brin (at);

-- The UTC day (number) of a Unix time, rounding down before 1970 too.
CREATE FUNCTION utc_day(ts bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ts / 86400 - (ts % 86400 < 0)::int;

-- One trigger function per table: a statement's old and new rows (transition tables), by day.
CREATE FUNCTION note_deployment_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO fact_changes (org, day) SELECT DISTINCT org, utc_day(ts) FROM old_rows ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO fact_changes (org, day) SELECT DISTINCT org, utc_day(ts) FROM new_rows ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION note_first_deployment_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO fact_changes (org, day) SELECT DISTINCT org, utc_day(deployed_at) FROM old_rows ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO fact_changes (org, day) SELECT DISTINCT org, utc_day(deployed_at) FROM new_rows ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION note_incident_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO fact_changes (org, day)
        SELECT DISTINCT org, utc_day(t) FROM old_rows, LATERAL (VALUES (created), (resolved)) AS v(t) WHERE t IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO fact_changes (org, day)
        SELECT DISTINCT org, utc_day(t) FROM new_rows, LATERAL (VALUES (created), (resolved)) AS v(t) WHERE t IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION note_attribution_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO fact_changes (org, day)
        SELECT DISTINCT r.org, utc_day(t)
        FROM old_rows r
        JOIN incidents i ON i.org = r.org AND i.system = r.system AND i.id = r.incident,
        LATERAL (VALUES (r.deployed_at), (i.resolved)) AS v(t)
        WHERE t IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO fact_changes (org, day)
        SELECT DISTINCT r.org, utc_day(t)
        FROM new_rows r
        JOIN incidents i ON i.org = r.org AND i.system = r.system AND i.id = r.incident,
        LATERAL (VALUES (r.deployed_at), (i.resolved)) AS v(t)
        WHERE t IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER deployments_inserted AFTER INSERT ON deployments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_deployment_days();
CREATE TRIGGER deployments_updated AFTER UPDATE ON deployments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_deployment_days();
CREATE TRIGGER deployments_deleted AFTER DELETE ON deployments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_deployment_days();

CREATE TRIGGER first_deployments_inserted AFTER INSERT ON first_deployments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_first_deployment_days();
CREATE TRIGGER first_deployments_updated AFTER UPDATE ON first_deployments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_first_deployment_days();
CREATE TRIGGER first_deployments_deleted AFTER DELETE ON first_deployments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_first_deployment_days();

CREATE TRIGGER incidents_inserted AFTER INSERT ON incidents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_incident_days();
CREATE TRIGGER incidents_updated AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_incident_days();
CREATE TRIGGER incidents_deleted AFTER DELETE ON incidents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_incident_days();

CREATE TRIGGER incident_attributions_inserted AFTER INSERT ON incident_attributions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_attribution_days();
CREATE TRIGGER incident_attributions_updated AFTER UPDATE ON incident_attributions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_attribution_days();
CREATE TRIGGER incident_attributions_deleted AFTER DELETE ON incident_attributions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_attribution_days();
