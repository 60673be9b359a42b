-- 007: which reader version read each document. A scan reads again the files of documents read by another version
-- (extractors/version.py READER_VERSION), so a better reader reaches stored documents; NULL: read before versions.
ALTER TABLE documents ADD COLUMN reader_version VARCHAR;
COMMENT ON COLUMN documents.reader_version IS 'Version of the readers that extracted this text and its blocks (NULL: before versions were kept); a scan reads files of other versions again.';
