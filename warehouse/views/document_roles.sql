-- document_roles: one row per current (status 'ok') file with the role its content was classified as.
--   path            absolute resolved path (unique)
--   file_name       base name of the path
--   file_type       pdf | docx | txt | md | html
--   doc_kind        job_posting | rfp | other
--   title           document title as extracted
--   role            ml_engineer | ai_developer | hybrid | none
--   confidence      0..1
--   ml_score        summed weight of ML-engineer signals
--   ai_score        summed weight of AI-developer signals
--   title_role      the role the title implies (a role or 'unknown')
--   title_mismatch  true when title_role disagrees with role
--   trains_own_model .. privacy_blocks_third_party_api   the guide's five questions: yes | no | unknown
--   rules_version   hash of the rules that produced the classification
--   classified_at   when it was classified (UTC)
--   content_hash    (extra) sha256 of the file bytes; joins the tables
--   decided_by      (extra) content | title: 'title' when the stated requirements said too little to decide and
--                   the role the title implies was taken, at low confidence
--   reviewed_role   (extra) the role a person gave this content (`rolesignal review`; the latest review wins), NULL
--                   when nobody reviewed it or the review was cleared
--   other_work      (extra) the words for work of neither role (rules/other_work.jsonl: business intelligence,
--                   dashboards, BI tools) the text names, each once; the decision model counts them
CREATE OR REPLACE VIEW document_roles AS
WITH current_files AS (
    SELECT path, file_name, file_type, content_hash
    FROM files
    WHERE status = 'ok'
),

titles AS (
    SELECT content_hash, title
    FROM documents
),

latest_reviews AS (
    SELECT content_hash, role
    FROM reviews
    QUALIFY row_number() OVER (PARTITION BY content_hash ORDER BY review_id DESC) = 1
),

final AS (
    SELECT
        f.path,
        f.file_name,
        f.file_type,
        c.doc_kind,
        d.title,
        c.role,
        c.confidence,
        c.ml_score,
        c.ai_score,
        c.title_role,
        c.title_mismatch,
        c.trains_own_model,
        c.custom_intelligence_layer,
        c.model_quality_is_the_challenge,
        c.non_text_modality,
        c.privacy_blocks_third_party_api,
        c.rules_version,
        c.classified_at,
        f.content_hash,
        c.decided_by,
        r.role AS reviewed_role,
        c.other_work
    FROM current_files AS f
    INNER JOIN titles AS d ON d.content_hash = f.content_hash
    INNER JOIN classifications AS c ON c.content_hash = f.content_hash
    LEFT JOIN latest_reviews AS r ON r.content_hash = f.content_hash
)

SELECT * FROM final
