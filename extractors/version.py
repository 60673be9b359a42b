"""The analysis pipeline's version, kept apart from the pipeline so reading it does not import spaCy."""

# Bumped when the pipeline's behaviour changes, so stored analyses are redone.
PIPELINE_VERSION = "2"
