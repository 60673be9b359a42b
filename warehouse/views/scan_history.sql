-- scan_history: one row per scan: when, which folder and flow run, file counts, rules version; key scan_id.
--   scan_id        increasing scan number
--   flow_run_id    the Prefect flow run (NULL for runs outside Prefect)
--   root           the folder scanned (absolute, resolved)
--   started_at     when the scan started (UTC)
--   finished_at    when it finished (UTC; NULL while running)
--   files_seen, new, changed, unchanged, removed, failed   file counts of the scan
--   rules_version  the rules the scan classified with
--   status         (extra) running | completed | failed | interrupted (the process was killed; the next scan finishes its work)
--   duration_s     (extra) seconds from start to finish
--   agreement      (extra) how often the decisions of its rules version agree with people's reviews (0..1, see
--                  review_agreement; NULL when no reviewed document has a decision of that version)
CREATE OR REPLACE VIEW scan_history AS
WITH all_scans AS (
    SELECT *
    FROM scans
),

agreement AS (
    SELECT rules_version, agreement
    FROM review_agreement
),

final AS (
    SELECT
        s.scan_id,
        s.flow_run_id,
        s.root,
        s.started_at,
        s.finished_at,
        s.files_seen,
        s.new,
        s.changed,
        s.unchanged,
        s.removed,
        s.failed,
        s.rules_version,
        s.status,
        epoch(s.finished_at - s.started_at) AS duration_s,
        a.agreement
    FROM all_scans AS s
    LEFT JOIN agreement AS a ON a.rules_version = s.rules_version
)

SELECT * FROM final
