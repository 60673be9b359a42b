-- review_agreement: per rules version, how often its decisions agree with people's reviews, and per role precision and recall; key rules_version.
--   rules_version     the rules version
--   in_force          true for the version of the current decisions (the latest scan's rules)
--   reviewed          current reviewed documents (contents) whose decision under this version is known: every reviewed
--                     document for the version in force; for an earlier version, those reviewed while it was in force
--                     (each review keeps the tool's role of that moment)
--   agreeing          of those, how many this version gave the reviewed role (the latest review of each)
--   agreement         agreeing / reviewed (0..1)
--   ml_engineer_precision, ml_engineer_recall, ai_developer_precision, ai_developer_recall, hybrid_precision,
--   hybrid_recall, none_precision, none_recall   per role: precision, of the documents this version gave the role the
--                     share people gave it too; recall, of the documents people gave the role the share this version
--                     gave it too (NULL when nothing to divide by)
--   first_scan_at     when a scan first classified with this version (UTC; NULL when no recorded scan did)
CREATE OR REPLACE VIEW review_agreement AS
WITH current_contents AS (
    SELECT DISTINCT content_hash
    FROM files
    WHERE status = 'ok'
),

latest_reviews AS (
    SELECT content_hash, role AS reviewed_role
    FROM reviews
    WHERE content_hash IN (SELECT content_hash FROM current_contents)
    QUALIFY row_number() OVER (PARTITION BY content_hash ORDER BY review_id DESC) = 1
),

known_decisions AS (
    -- the decision in force, then those the reviews saw (a content has one decision per rules version)
    SELECT content_hash, rules_version, role, 0 AS preference
    FROM classifications
    WHERE content_hash IN (SELECT content_hash FROM current_contents)
    UNION ALL
    SELECT content_hash, rules_version, tool_role AS role, 1 AS preference
    FROM reviews
    WHERE tool_role IS NOT NULL AND rules_version IS NOT NULL
),

decisions AS (
    SELECT content_hash, rules_version, role
    FROM known_decisions
    QUALIFY row_number() OVER (PARTITION BY content_hash, rules_version ORDER BY preference) = 1
),

pairs AS (
    SELECT d.rules_version, d.role, r.reviewed_role
    FROM decisions AS d
    INNER JOIN latest_reviews AS r ON r.content_hash = d.content_hash
    WHERE r.reviewed_role IS NOT NULL
),

versions_in_force AS (
    SELECT DISTINCT rules_version
    FROM classifications
    WHERE content_hash IN (SELECT content_hash FROM current_contents)
),

first_scans AS (
    SELECT rules_version, min(started_at) AS first_scan_at
    FROM scans
    GROUP BY rules_version
),

per_version AS (
    SELECT
        rules_version,
        count(*) AS reviewed,
        count(*) FILTER (WHERE role = reviewed_role) AS agreeing,
        count(*) FILTER (WHERE role = reviewed_role) / count(*) AS agreement,
        count(*) FILTER (WHERE role = 'ml_engineer' AND reviewed_role = 'ml_engineer')
        / nullif(count(*) FILTER (WHERE role = 'ml_engineer'), 0) AS ml_engineer_precision,
        count(*) FILTER (WHERE role = 'ml_engineer' AND reviewed_role = 'ml_engineer')
        / nullif(count(*) FILTER (WHERE reviewed_role = 'ml_engineer'), 0) AS ml_engineer_recall,
        count(*) FILTER (WHERE role = 'ai_developer' AND reviewed_role = 'ai_developer')
        / nullif(count(*) FILTER (WHERE role = 'ai_developer'), 0) AS ai_developer_precision,
        count(*) FILTER (WHERE role = 'ai_developer' AND reviewed_role = 'ai_developer')
        / nullif(count(*) FILTER (WHERE reviewed_role = 'ai_developer'), 0) AS ai_developer_recall,
        count(*) FILTER (WHERE role = 'hybrid' AND reviewed_role = 'hybrid')
        / nullif(count(*) FILTER (WHERE role = 'hybrid'), 0) AS hybrid_precision,
        count(*) FILTER (WHERE role = 'hybrid' AND reviewed_role = 'hybrid')
        / nullif(count(*) FILTER (WHERE reviewed_role = 'hybrid'), 0) AS hybrid_recall,
        count(*) FILTER (WHERE role = 'none' AND reviewed_role = 'none')
        / nullif(count(*) FILTER (WHERE role = 'none'), 0) AS none_precision,
        count(*) FILTER (WHERE role = 'none' AND reviewed_role = 'none')
        / nullif(count(*) FILTER (WHERE reviewed_role = 'none'), 0) AS none_recall
    FROM pairs
    GROUP BY rules_version
),

final AS (
    SELECT
        p.rules_version,
        p.rules_version IN (SELECT rules_version FROM versions_in_force) AS in_force,
        p.* EXCLUDE (rules_version),
        s.first_scan_at
    FROM per_version AS p
    LEFT JOIN first_scans AS s ON s.rules_version = p.rules_version
    ORDER BY s.first_scan_at NULLS LAST, p.rules_version
)

SELECT * FROM final
