-- review_queue: decisions a person should check (confidence below 0.6, decided by the title, or hybrid) that nobody
-- has reviewed yet, lowest confidence first.
--   path           absolute resolved path
--   file_name      base name of the path
--   doc_kind       job_posting | rfp | other
--   title          document title as extracted
--   role           ml_engineer | ai_developer | hybrid | none
--   confidence     0..1
--   ml_score       summed weight of ML-engineer signals
--   ai_score       summed weight of AI-developer signals
--   reason         what to check, comma-separated: low confidence | decided by the title | hybrid
--   title_mismatch true when the title suggests another role
--   requirements   stated requirements found in the document
--   unmatched      of those, requirements that matched no signal
CREATE OR REPLACE VIEW review_queue AS
WITH candidates AS (
    SELECT *
    FROM document_roles
    -- A reviewed document is checked: its review holds (by content) until someone clears it.
    WHERE (confidence < 0.6 OR role = 'hybrid' OR decided_by = 'title') AND reviewed_role IS NULL
),

requirement_counts AS (
    SELECT
        path,
        count(*) AS requirements,
        count(*) FILTER (WHERE len(signal_ids) = 0) AS unmatched
    FROM document_requirements
    GROUP BY path
),

final AS (
    SELECT
        c.path,
        c.file_name,
        c.doc_kind,
        c.title,
        c.role,
        c.confidence,
        c.ml_score,
        c.ai_score,
        concat_ws(
            ', ',
            CASE WHEN c.confidence < 0.6 THEN 'low confidence' END,
            CASE WHEN c.decided_by = 'title' THEN 'decided by the title' END,
            CASE WHEN c.role = 'hybrid' THEN 'hybrid' END
        ) AS reason,
        c.title_mismatch,
        coalesce(q.requirements, 0) AS requirements,
        coalesce(q.unmatched, 0) AS unmatched
    FROM candidates AS c
    LEFT JOIN requirement_counts AS q ON q.path = c.path
    ORDER BY c.confidence, c.path
)

SELECT * FROM final
