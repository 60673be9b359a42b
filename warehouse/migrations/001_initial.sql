-- 001: initial schema. Timestamps are naive UTC. Content tables are keyed by content_hash (sha256 of the file
-- bytes) so duplicates and moved files share one stored document; `files` maps paths onto contents.

CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE schema_migrations IS 'Applied migrations (warehouse/migrations/NNN_name.sql), one row per version.';

CREATE TABLE documents (
    content_hash VARCHAR PRIMARY KEY,
    file_type VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    n_pages INTEGER NOT NULL,
    extracted_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE documents IS 'Extracted text of each distinct file content (sha256), whatever path it was found at.';

CREATE TABLE blocks (
    content_hash VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    page INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    level INTEGER NOT NULL,
    PRIMARY KEY (content_hash, ordinal)
);
COMMENT ON TABLE blocks IS 'Structural blocks of each document (heading, bullet, paragraph, table_row), kept so a rules change can re-analyse documents without reading files.';

CREATE TABLE pages (
    content_hash VARCHAR NOT NULL,
    number INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    PRIMARY KEY (content_hash, number)
);
COMMENT ON TABLE pages IS 'Character span of each page of each document (1-based page numbers).';

CREATE TABLE requirements (
    content_hash VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    section VARCHAR NOT NULL,
    heading VARCHAR NOT NULL,
    strength VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    page INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    cue_ids VARCHAR[] NOT NULL,
    rules_version VARCHAR NOT NULL,
    PRIMARY KEY (content_hash, ordinal)
);
COMMENT ON TABLE requirements IS 'Stated requirements found in each document under the rules version of its classification.';

CREATE TABLE signal_hits (
    content_hash VARCHAR NOT NULL,
    requirement_ordinal INTEGER NOT NULL,
    signal_id VARCHAR NOT NULL,
    side VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    matched_text VARCHAR NOT NULL,
    pattern_id VARCHAR NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    negated BOOLEAN NOT NULL,
    rules_version VARCHAR NOT NULL
);
COMMENT ON TABLE signal_hits IS 'Signal patterns matched inside requirements (replaced as a whole per content_hash on re-analysis).';

CREATE TABLE classifications (
    content_hash VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL,
    ml_score DOUBLE NOT NULL,
    ai_score DOUBLE NOT NULL,
    doc_kind VARCHAR NOT NULL,
    trains_own_model VARCHAR NOT NULL,
    custom_intelligence_layer VARCHAR NOT NULL,
    model_quality_is_the_challenge VARCHAR NOT NULL,
    non_text_modality VARCHAR NOT NULL,
    privacy_blocks_third_party_api VARCHAR NOT NULL,
    trains_own_model_requirement INTEGER,
    custom_intelligence_layer_requirement INTEGER,
    model_quality_is_the_challenge_requirement INTEGER,
    non_text_modality_requirement INTEGER,
    privacy_blocks_third_party_api_requirement INTEGER,
    title_role VARCHAR NOT NULL,
    title_mismatch BOOLEAN NOT NULL,
    rules_version VARCHAR NOT NULL,
    classified_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE classifications IS 'Role verdict per document content: scores, the five answers (yes/no/unknown) with the deciding requirement ordinal, title check, rules version.';

CREATE TABLE signals (
    signal_id VARCHAR PRIMARY KEY,
    side VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    label VARCHAR NOT NULL,
    guide_passage VARCHAR,
    rules_version VARCHAR NOT NULL
);
COMMENT ON TABLE signals IS 'The signal catalogue in force (replaced whenever the rules are loaded), with the guide passage behind each signal.';

CREATE TABLE files (
    path VARCHAR PRIMARY KEY,
    root VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_type VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    content_hash VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN ('ok', 'failed', 'removed')),
    first_seen_scan BIGINT NOT NULL,
    last_scan BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE files IS 'Every path ever seen by a scan (absolute, resolved) with its stat, content hash and status ok/failed/removed.';

CREATE TABLE failures (
    path VARCHAR PRIMARY KEY,
    content_hash VARCHAR,
    error_type VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    scan_id BIGINT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE failures IS 'Why each currently failed path could not be read (kept from the scan that first saw this error).';

CREATE SEQUENCE scan_id_seq START 1;

CREATE TABLE scans (
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
    status VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'failed'))
);
COMMENT ON TABLE scans IS 'One row per folder scan: when, which root and flow run, file counts, rules version, status.';
