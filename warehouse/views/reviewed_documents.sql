-- reviewed_documents: current documents a person reviewed, the tool's role beside theirs, disagreements first; key path.
--   path             absolute resolved path
--   file_name        base name of the path
--   doc_kind         job_posting | rfp | other
--   title            document title as extracted
--   role             the tool's role now (document_roles.role)
--   confidence       the tool's confidence now (0..1)
--   reviewed_role    the role the latest review gave this content
--   agrees           true when role = reviewed_role
--   reviewed_by      who gave it
--   reviewed_at      when (UTC)
--   note             what they noted ('' when nothing)
--   reviews          reviews of this content in all, earlier ones and clearings included (the history)
--   tool_role_then   the tool's role when the review was given
--   rules_then       the rules version of that decision
--   rules_version    the rules version of the tool's role now
--   content_hash     sha256 of the file bytes: reviews belong to contents, so a renamed or moved file keeps its review
CREATE OR REPLACE VIEW reviewed_documents AS
WITH reviewed AS (
    SELECT *
    FROM document_roles
    WHERE reviewed_role IS NOT NULL
),

latest AS (
    SELECT
        content_hash,
        reviewed_by,
        reviewed_at,
        note,
        tool_role,
        rules_version,
        count(*) OVER (PARTITION BY content_hash) AS reviews
    FROM reviews
    QUALIFY row_number() OVER (PARTITION BY content_hash ORDER BY review_id DESC) = 1
),

final AS (
    SELECT
        d.path,
        d.file_name,
        d.doc_kind,
        d.title,
        d.role,
        d.confidence,
        d.reviewed_role,
        d.role = d.reviewed_role AS agrees,
        r.reviewed_by,
        r.reviewed_at,
        coalesce(r.note, '') AS note,
        r.reviews,
        r.tool_role AS tool_role_then,
        r.rules_version AS rules_then,
        d.rules_version,
        d.content_hash
    FROM reviewed AS d
    INNER JOIN latest AS r ON r.content_hash = d.content_hash
    ORDER BY agrees, d.path
)

SELECT * FROM final
