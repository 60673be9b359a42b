-- role_summary: the default report; number of current documents per doc_kind and role.
--   doc_kind   job_posting | rfp | other
--   role       ml_engineer | ai_developer | hybrid | none
--   documents  count of current files (a duplicate at two paths counts twice, as in document_roles)
CREATE OR REPLACE VIEW role_summary AS
WITH roles AS (
    SELECT doc_kind, role
    FROM document_roles
),

final AS (
    SELECT
        doc_kind,
        role,
        count(*) AS documents
    FROM roles
    GROUP BY doc_kind, role
    ORDER BY doc_kind, role
)

SELECT * FROM final
