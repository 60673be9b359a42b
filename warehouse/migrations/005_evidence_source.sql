-- 005: evidence outside the stated requirements. A signal hit may stand in the title or in a body passage (a prose
-- sentence of a scope/objective/role section, or one outside any known section) as well as in a requirement; such
-- hits have no requirement ordinal. Earlier hits all stood in requirements.
ALTER TABLE signal_hits ALTER COLUMN requirement_ordinal DROP NOT NULL;
ALTER TABLE signal_hits ADD COLUMN source VARCHAR DEFAULT 'requirement';
COMMENT ON COLUMN signal_hits.source IS 'requirement | title | scope | prose: where the hit stands (title offsets are into documents.title)';
