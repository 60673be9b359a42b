-- 002: a scan can end 'interrupted' (killed, or the machine stopped): the next scan of the warehouse finds its row
-- still 'running' and marks it. DuckDB cannot alter a CHECK constraint, so the table is rebuilt with its rows.

CREATE TABLE scans_002 (
    scan_id BIGINT PRIMARY KEY DEFAULT nextval('scan_id_seq'),
    flow_run_id VARCHAR,
    root VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    files_seen INTEGER,
    new INTEGER,
    changed INTEGER,
    unchanged INTEGER,
    removed INTEGER,
    failed INTEGER,
    rules_version VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted'))
);
INSERT INTO scans_002 SELECT * FROM scans;
DROP TABLE scans;
ALTER TABLE scans_002 RENAME TO scans;
COMMENT ON TABLE scans IS 'One row per folder scan: when, which root and flow run, file counts, rules version, status (running, completed, failed, or interrupted when the process died).';
