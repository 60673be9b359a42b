-- 004: what a verdict rests on: 'content' (the stated requirements' signals) or 'title' (the content said too
-- little, and the role the title implies decided, at low confidence). Earlier verdicts all rested on the content.
ALTER TABLE classifications ADD COLUMN decided_by VARCHAR DEFAULT 'content';
COMMENT ON COLUMN classifications.decided_by IS 'content | title: what the verdict rests on';
