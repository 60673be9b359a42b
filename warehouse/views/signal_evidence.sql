-- signal_evidence: one row per non-negated signal hit in each current (status 'ok') file.
--   path                 absolute resolved path
--   signal_id            the signal matched (see the signals table)
--   side                 ml | ai
--   weight               effective weight after strength, section and negation
--   requirement_ordinal  the requirement it was found in (document_requirements.ordinal); NULL outside requirements
--   matched_text         the text the pattern matched
--   guide_passage        the hiring guide's passage behind the signal (NULL when the catalogue lacks it)
--   pattern_id           (extra) the pattern that matched
--   char_start, char_end (extra) offsets of the match in the document text
--   content_hash         (extra) sha256 of the file bytes
--   source               (extra) where it stands: requirement | title | scope (a prose sentence of a scope, objective or
--                        role section) | prose (outside any known section); title offsets are into the title
CREATE OR REPLACE VIEW signal_evidence AS
WITH current_files AS (
    SELECT path, content_hash
    FROM files
    WHERE status = 'ok'
),

hits AS (
    SELECT *
    FROM signal_hits
    WHERE NOT negated
),

final AS (
    SELECT
        f.path,
        h.signal_id,
        h.side,
        h.weight,
        h.requirement_ordinal,
        h.matched_text,
        s.guide_passage,
        h.pattern_id,
        h.char_start,
        h.char_end,
        h.content_hash,
        h.source
    FROM current_files AS f
    INNER JOIN hits AS h ON h.content_hash = f.content_hash
    LEFT JOIN signals AS s ON s.signal_id = h.signal_id
)

SELECT * FROM final
