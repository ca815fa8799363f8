-- The dashboard's cookie encryption keys (ASP.NET Core data protection), server-wide: kept in the
-- database rather than in a folder of the machine, so that they survive moving the server and, on
-- PostgreSQL, are shared by every node. `xml` is the key element as data protection wrote it.
CREATE TABLE data_protection_keys (
    name       TEXT    PRIMARY KEY,
    xml        TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
