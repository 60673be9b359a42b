-- role_by_folder: role mix per subfolder (the file's parent folder relative to the scanned root), with failures.
--   root          the folder scanned (absolute, resolved)
--   folder        parent folder relative to root ('.' for files directly in it)
--   documents     current classified documents in the folder (not its subfolders)
--   ml_engineer, ai_developer, hybrid, none   documents per role
--   title_mismatches  documents whose title contradicts their role
--   failed        files in the folder that could not be read (see ingest_failures)
CREATE OR REPLACE VIEW role_by_folder AS
WITH current_files AS (
    SELECT
        path,
        root,
        status,
        CASE
            WHEN parse_dirpath(path) = root THEN '.'
            WHEN starts_with(parse_dirpath(path), root || '/') THEN parse_dirpath(path)[length(root) + 2:]
            ELSE parse_dirpath(path)
        END AS folder
    FROM files
    WHERE status IN ('ok', 'failed')
),

roles AS (
    SELECT path, role, title_mismatch
    FROM document_roles
),

final AS (
    SELECT
        f.root,
        f.folder,
        count(r.path) AS documents,
        count(*) FILTER (WHERE r.role = 'ml_engineer') AS ml_engineer,
        count(*) FILTER (WHERE r.role = 'ai_developer') AS ai_developer,
        count(*) FILTER (WHERE r.role = 'hybrid') AS hybrid,
        count(*) FILTER (WHERE r.role = 'none') AS "none",
        count(*) FILTER (WHERE r.title_mismatch) AS title_mismatches,
        count(*) FILTER (WHERE f.status = 'failed') AS failed
    FROM current_files AS f
    LEFT JOIN roles AS r ON r.path = f.path
    GROUP BY f.root, f.folder
    ORDER BY f.root, f.folder
)

SELECT * FROM final
