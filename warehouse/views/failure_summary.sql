-- failure_summary: files that could not be read, grouped by what went wrong, most frequent first.
--   error_type    short error class (e.g. encrypted, no_text_layer, unsupported_format; docs/bad-files.md lists all)
--   files         current files failing this way
--   file_types    their file types, sorted
--   message       one of their messages, in words a person can act on
--   example_path  one of the files
--   last_failed_at  when the latest of them was recorded (UTC)
CREATE OR REPLACE VIEW failure_summary AS
WITH failed AS (
    SELECT path, error_type, message, file_type, failed_at
    FROM ingest_failures
),

final AS (
    SELECT
        error_type,
        count(*) AS files,
        list_sort(list_distinct(list(file_type))) AS file_types,
        min(message) AS message,
        min(path) AS example_path,
        max(failed_at) AS last_failed_at
    FROM failed
    GROUP BY error_type
    ORDER BY files DESC, error_type
)

SELECT * FROM final
