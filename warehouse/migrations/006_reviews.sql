-- 006: people's decisions (issue 18). A review belongs to a content (its sha256), not to a path, so it survives
-- renames, moves, rescans and rules changes, and is there again when a removed file comes back. Every review is kept:
-- the latest row of a content is its review (a row without a role clears it), the earlier ones are its history.

CREATE SEQUENCE review_id_seq START 1;

CREATE TABLE reviews (
    review_id BIGINT PRIMARY KEY DEFAULT nextval('review_id_seq'),
    content_hash VARCHAR NOT NULL,
    role VARCHAR CHECK (role IN ('ml_engineer', 'ai_developer', 'hybrid', 'none')),
    note VARCHAR,
    reviewed_by VARCHAR NOT NULL,
    reviewed_at TIMESTAMP NOT NULL,
    path VARCHAR,
    source VARCHAR NOT NULL CHECK (source IN ('command', 'session', 'import')),
    tool_role VARCHAR,
    tool_confidence DOUBLE,
    rules_version VARCHAR
);
COMMENT ON TABLE reviews IS 'People''s decisions per content (sha256), all kept: the latest row of a content is its review (NULL role: cleared); who, when, the role and a note, the path it was reviewed at, how (command, session, import), and the role, confidence and rules version of the tool''s decision at that moment.';
