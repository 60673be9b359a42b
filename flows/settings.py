"""Prefect settings that must be in the environment before `import prefect` (they are read once, at import)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

QUIET_DEFAULTS = {
    # Telemetry makes the temporary server log a 'database is locked' traceback.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # A cold temporary server needs ~15 s here; the default allows 20.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # rolesignal runs offline: no SDK usage events (and Prefect's import skips its telemetry set-up).
    "DO_NOT_TRACK": "1",
}


def quiet_prefect() -> None:
    """Apply our defaults without overriding anything the user set."""
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)


@contextmanager
def no_heartbeat() -> Iterator[None]:
    """Skip the ~1 s heartbeat-thread join of every flow run (PrefectHQ/prefect#21058); no env var can unset it."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
