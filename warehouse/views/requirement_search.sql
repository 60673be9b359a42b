-- requirement_search: every stated requirement with its document's role, for full-text search (`--search WORDS`).
--   path          absolute resolved path
--   file_name     base name of the path
--   doc_kind      job_posting | rfp | other
--   role          the document's role
--   ordinal       0-based position of the requirement within the document
--   strength      required | preferred | responsibility | deliverable
--   section       section type id ('' outside any known section)
--   text          the requirement as stated
--   signal_ids    signals matched in it ([] when none)
--   page          1-based page it starts on
CREATE OR REPLACE VIEW requirement_search AS
WITH stated AS (
    SELECT path, ordinal, strength, section, text, signal_ids, page
    FROM document_requirements
),

roles AS (
    SELECT path, file_name, doc_kind, role
    FROM document_roles
),

final AS (
    SELECT
        q.path,
        r.file_name,
        r.doc_kind,
        r.role,
        q.ordinal,
        q.strength,
        q.section,
        q.text,
        q.signal_ids,
        q.page
    FROM stated AS q
    INNER JOIN roles AS r ON r.path = q.path
    ORDER BY q.path, q.ordinal
)

SELECT * FROM final
