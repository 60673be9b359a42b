-- coverage_gaps: requirement texts that matched no signal, most frequent first: what rule authors could add.
--   requirement   the text normalised: lower case, digits as #, spaces collapsed, bullets and end punctuation removed
--   documents     current documents stating it
--   occurrences   times it is stated in all (a document may repeat it)
--   strengths     its strengths (required, preferred, responsibility, deliverable), sorted
--   example       one original wording
--   example_path  a document that states it
CREATE OR REPLACE VIEW coverage_gaps AS
WITH unmatched AS (
    SELECT path, strength, text
    FROM document_requirements
    WHERE len(signal_ids) = 0
),

normalised AS (
    SELECT
        path,
        strength,
        text,
        trim(regexp_replace(
            regexp_replace(
                regexp_replace(lower(text), '[0-9]+', '#', 'g'),
                '\s+', ' ', 'g'
            ),
            '^[\s\-\*•·–—:;,.]+|[\s\-\*•·–—:;,.!?]+$', '', 'g'
        )) AS requirement
    FROM unmatched
),

final AS (
    SELECT
        requirement,
        count(DISTINCT path) AS documents,
        count(*) AS occurrences,
        list_sort(list_distinct(list(strength))) AS strengths,
        min(text) AS example,
        min(path) AS example_path
    FROM normalised
    WHERE requirement <> ''
    GROUP BY requirement
    ORDER BY documents DESC, occurrences DESC, requirement
)

SELECT * FROM final
