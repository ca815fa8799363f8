-- Commit chains (SPEC §4.4, GitHub push): which commits each push brought, so that a deployment that
-- lists no changes can take every commit pushed since the previously deployed commit.
-- A push is keyed by the commit it moved the branch to; `before` is the commit it moved from (NULL
-- when unknown or when the push created the branch); `commits` is a JSON array, oldest first.
CREATE TABLE pushes (
    org     INTEGER NOT NULL,
    system  TEXT    NOT NULL,
    after   TEXT    NOT NULL,
    before  TEXT,
    commits TEXT    NOT NULL,
    PRIMARY KEY (org, system, after)
) WITHOUT ROWID;

-- Which push brought a commit (pushes.after). A later push of the same commit (a force-push
-- re-pushing it, a branch fast-forwarded to it) replaces the row: the chain follows the latest push.
CREATE TABLE push_commits (
    org    INTEGER NOT NULL,
    system TEXT    NOT NULL,
    sha    TEXT    NOT NULL,
    after  TEXT    NOT NULL,
    PRIMARY KEY (org, system, sha)
) WITHOUT ROWID;
