"""The code versions of reading and analysis, kept apart from the pipeline so reading them does not import spaCy."""

# Bumped when extraction or analysis code (not the rules data) changes what a rules version produces; it is hashed
# into the rules version, so stored documents are re-classified after an upgrade that changes it.
CODE_VERSION = "10"

# Bumped when reading a file gives different text or blocks (the PDF, DOCX and text readers); stored with each
# document, so a scan after an upgrade that changes it reads the stored files again, changed or not (re-classifying
# from stored blocks would keep the old reading). Documents stored before versions were kept have none: read again.
READER_VERSION = "20"
