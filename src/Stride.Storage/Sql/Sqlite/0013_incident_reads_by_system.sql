-- Window reads for some systems only: their incidents resolved in a range, and those still open,
-- found per system. Before, such a read went through every system's incidents of the window and
-- dropped the others' (most of the time of a one-system metrics read).
CREATE INDEX incidents_resolved_by_system ON incidents (org, system, resolved, created) WHERE resolved IS NOT NULL;
CREATE INDEX incidents_open_by_system ON incidents (org, system, created) WHERE resolved IS NULL;
