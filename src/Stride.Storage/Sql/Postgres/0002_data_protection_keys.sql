-- The dashboard's cookie encryption keys (ASP.NET Core data protection), server-wide and shared by
-- every node of the database, so that a cookie one node issued is read by any other. `xml` is the
-- key element as data protection wrote it.
CREATE TABLE data_protection_keys (
    name       text   PRIMARY KEY,
    xml        text   NOT NULL,
    created_at bigint NOT NULL
);
