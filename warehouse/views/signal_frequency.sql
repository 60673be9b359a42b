-- signal_frequency: how often each signal of the catalogue is found, per side, with the share of current documents it appears in.
--   side          ml | ai
--   signal_id     the signal (every signal of the catalogue in force, also those never found)
--   label         what the signal means, in words
--   weight        the signal's base weight
--   documents     current documents with at least one hit
--   share         documents / all current classified documents (0..1)
--   requirements  requirements it was found in (hits in the title or a passage are documents and hits, not requirements)
--   hits          pattern matches in all
CREATE OR REPLACE VIEW signal_frequency AS
WITH catalogue AS (
    SELECT signal_id, side, label, weight
    FROM signals
),

evidence AS (
    SELECT path, signal_id, requirement_ordinal
    FROM signal_evidence
),

totals AS (
    SELECT count(*) AS all_documents
    FROM document_roles
),

per_signal AS (
    SELECT
        signal_id,
        count(DISTINCT path) AS documents,
        count(DISTINCT (path, requirement_ordinal)) FILTER (WHERE requirement_ordinal IS NOT NULL) AS requirements,
        count(*) AS hits
    FROM evidence
    GROUP BY signal_id
),

final AS (
    SELECT
        c.side,
        c.signal_id,
        c.label,
        c.weight,
        coalesce(p.documents, 0) AS documents,
        round(coalesce(p.documents, 0) / nullif(t.all_documents, 0), 3) AS share,
        coalesce(p.requirements, 0) AS requirements,
        coalesce(p.hits, 0) AS hits
    FROM catalogue AS c
    CROSS JOIN totals AS t
    LEFT JOIN per_signal AS p ON p.signal_id = c.signal_id
    ORDER BY c.side, documents DESC, c.signal_id
)

SELECT * FROM final
