"""Prefect settings rolesignal applies: defaults in the environment before `import prefect` (read once, at import).

Changes to how Prefect works inside (a setting that works around a Prefect bug among them) are in
flows/prefect_adaptations.py.
"""

from __future__ import annotations

import os

QUIET_DEFAULTS = {
    # Telemetry makes the temporary server log a 'database is locked' traceback.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    # A cold temporary server needs ~15 s here; the default allows 20.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # rolesignal runs offline: no SDK usage events (and Prefect's import skips its telemetry set-up).
    "DO_NOT_TRACK": "1",
}
# Runs log at INFO (Prefect's default level) to the Prefect API, where the UI shows them with each run; the terminal
# shows warnings and errors only. Applied only when the user set neither: PREFECT_LOGGING_LEVEL alone then works as
# Prefect documents it, for the API and the terminal alike.
LOG_LEVEL = "PREFECT_LOGGING_LEVEL"
CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"
QUIET_CONSOLE = {CONSOLE_LEVEL: "WARNING"}


def quiet_prefect() -> None:
    """Apply our defaults without overriding anything the user set."""
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if LOG_LEVEL not in os.environ and CONSOLE_LEVEL not in os.environ:
        os.environ.update(QUIET_CONSOLE)
