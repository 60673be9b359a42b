-- document_requirements: one row per requirement of each current (status 'ok') file; key (path, ordinal).
--   path          absolute resolved path
--   ordinal       0-based position of the requirement within the document
--   section       section type id ('' outside any known section)
--   strength      required | preferred | responsibility | deliverable
--   text          the requirement as stated
--   page          1-based page it starts on
--   char_start    offset into the document text
--   char_end      offset into the document text (exclusive)
--   signal_ids    sorted distinct ids of the non-negated signals matched in it ([] when none)
--   heading       (extra) the heading it stands under ('' when none)
--   content_hash  (extra) sha256 of the file bytes
CREATE OR REPLACE VIEW document_requirements AS
WITH current_files AS (
    SELECT path, content_hash
    FROM files
    WHERE status = 'ok'
),

requirement_signals AS (
    SELECT
        content_hash,
        requirement_ordinal,
        list_sort(list_distinct(list(signal_id))) AS signal_ids
    FROM signal_hits
    WHERE NOT negated
    GROUP BY content_hash, requirement_ordinal
),

final AS (
    SELECT
        f.path,
        r.ordinal,
        r.section,
        r.strength,
        r.text,
        r.page,
        r.char_start,
        r.char_end,
        coalesce(s.signal_ids, []::VARCHAR[]) AS signal_ids,
        r.heading,
        r.content_hash
    FROM current_files AS f
    INNER JOIN requirements AS r ON r.content_hash = f.content_hash
    LEFT JOIN requirement_signals AS s
        ON s.content_hash = r.content_hash AND s.requirement_ordinal = r.ordinal
)

SELECT * FROM final
