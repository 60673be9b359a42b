"""The code version of the analysis, kept apart from the pipeline so reading it does not import spaCy."""

# Bumped when extraction or analysis code (not the rules data) changes what a rules version produces; it is hashed
# into the rules version, so stored documents are re-classified after an upgrade that changes it.
CODE_VERSION = "5"
