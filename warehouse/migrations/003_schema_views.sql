-- 003: the reporting views as last created, so a scan re-creates them only when a view file changed (creating all
-- of them took ~50 ms of every scan).

CREATE TABLE schema_views (
    name VARCHAR PRIMARY KEY,
    sha256 VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE schema_views IS 'The reporting views (warehouse/views/*.sql) as last created: name and sha256 of the file; re-created when a file changes.';
