-- ingest_failures: one row per current file that could not be read (status 'failed'); key path.
--   path          absolute resolved path
--   error_type    short error class (e.g. encrypted, no_text_layer, unsupported_format; docs/bad-files.md lists all)
--   message       what went wrong, in words a person can act on
--   scan_id       the scan that recorded this error
--   failed_at     when it was recorded (UTC)
--   file_name     (extra) base name of the path
--   file_type     (extra) file type from the extension
--   content_hash  (extra) sha256 of the file bytes (NULL when it could not be hashed)
CREATE OR REPLACE VIEW ingest_failures AS
WITH failed_files AS (
    SELECT path, file_name, file_type, content_hash, last_scan
    FROM files
    WHERE status = 'failed'
),

final AS (
    SELECT
        f.path,
        -- a failed file always shows, even if its failures row went missing
        coalesce(x.error_type, 'unknown') AS error_type,
        coalesce(x.message, 'no error recorded') AS message,
        coalesce(x.scan_id, f.last_scan) AS scan_id,
        x.failed_at,
        f.file_name,
        f.file_type,
        f.content_hash
    FROM failed_files AS f
    LEFT JOIN failures AS x ON x.path = f.path
)

SELECT * FROM final
