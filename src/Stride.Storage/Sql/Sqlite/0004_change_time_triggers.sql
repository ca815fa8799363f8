-- first_deployments.changed_at copies changes.ts (see 0003). Triggers keep it in step when a change
-- arrives after its deployment or is pushed again with an earlier time: one primary-key probe per
-- pushed change, inside the same statement, instead of a second pass over the pushed changes.
CREATE TRIGGER changes_ts_copied_on_insert AFTER INSERT ON changes
BEGIN
    UPDATE first_deployments SET changed_at = NEW.ts
    WHERE org = NEW.org AND system = NEW.system AND change = NEW.id AND changed_at IS NOT NEW.ts;
END;

CREATE TRIGGER changes_ts_copied_on_update AFTER UPDATE OF ts ON changes
BEGIN
    UPDATE first_deployments SET changed_at = NEW.ts
    WHERE org = NEW.org AND system = NEW.system AND change = NEW.id AND changed_at IS NOT NEW.ts;
END;
