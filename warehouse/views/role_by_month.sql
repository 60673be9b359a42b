-- role_by_month: role mix over time, per calendar month of the files' modification time and of their first scan.
--   basis         file_modified (month of the file's mtime) | first_scanned (month of the scan that first saw the path)
--   month         first day of the month (UTC)
--   documents     current documents in that month
--   ml_engineer, ai_developer, hybrid, none   documents per role
--   title_mismatches  documents whose title contradicts their role
CREATE OR REPLACE VIEW role_by_month AS
WITH current_files AS (
    SELECT path, mtime_ns, first_seen_scan
    FROM files
    WHERE status = 'ok'
),

roles AS (
    SELECT path, role, title_mismatch
    FROM document_roles
),

scan_starts AS (
    SELECT scan_id, started_at
    FROM scans
),

dated AS (
    SELECT
        'file_modified' AS basis,
        date_trunc('month', make_timestamp(f.mtime_ns // 1000))::DATE AS month,
        r.role,
        r.title_mismatch
    FROM current_files AS f
    INNER JOIN roles AS r ON r.path = f.path
    UNION ALL
    SELECT
        'first_scanned' AS basis,
        date_trunc('month', s.started_at)::DATE AS month,
        r.role,
        r.title_mismatch
    FROM current_files AS f
    INNER JOIN roles AS r ON r.path = f.path
    INNER JOIN scan_starts AS s ON s.scan_id = f.first_seen_scan
),

final AS (
    SELECT
        basis,
        month,
        count(*) AS documents,
        count(*) FILTER (WHERE role = 'ml_engineer') AS ml_engineer,
        count(*) FILTER (WHERE role = 'ai_developer') AS ai_developer,
        count(*) FILTER (WHERE role = 'hybrid') AS hybrid,
        count(*) FILTER (WHERE role = 'none') AS "none",
        count(*) FILTER (WHERE title_mismatch) AS title_mismatches
    FROM dated
    GROUP BY basis, month
    ORDER BY basis, month
)

SELECT * FROM final
