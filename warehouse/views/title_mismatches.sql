-- title_mismatches: documents whose title suggests another role than their stated work, most confident first.
--   path          absolute resolved path
--   file_name     base name of the path
--   doc_kind      job_posting | rfp | other
--   title         document title as extracted
--   title_role    the role the title implies
--   role          the role the stated requirements need
--   confidence    0..1
--   ml_score      summed weight of ML-engineer signals
--   ai_score      summed weight of AI-developer signals
CREATE OR REPLACE VIEW title_mismatches AS
WITH mismatched AS (
    SELECT *
    FROM document_roles
    WHERE title_mismatch
),

final AS (
    SELECT
        path,
        file_name,
        doc_kind,
        title,
        title_role,
        role,
        confidence,
        ml_score,
        ai_score
    FROM mismatched
    ORDER BY confidence DESC, path
)

SELECT * FROM final
