-- 008: the words for work of neither role (rules/other_work.jsonl: business intelligence, dashboards) each verdict
-- found in the text; the decision model counts them. Earlier verdicts found none (they were decided without them).
ALTER TABLE classifications ADD COLUMN other_work VARCHAR[] DEFAULT CAST([] AS VARCHAR[]);
COMMENT ON COLUMN classifications.other_work IS 'Terms of rules/other_work.jsonl found in the text (work of neither role), each once; the decision model counts them.';
