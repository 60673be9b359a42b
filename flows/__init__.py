"""The Prefect layer and the command line: schedule, batch, retry and report; no document logic lives here."""
