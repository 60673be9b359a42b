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
CREATE OR REPLACE VIEW scan_history AS
WITH all_scans AS (
    SELECT *
    FROM scans
),

final AS (
    SELECT
        scan_id,
        flow_run_id,
        root,
        started_at,
        finished_at,
        files_seen,
        new,
        changed,
        unchanged,
        removed,
        failed,
        rules_version,
        status,
        epoch(finished_at - started_at) AS duration_s
    FROM all_scans
)

SELECT * FROM final
