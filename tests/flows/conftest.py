"""One Prefect test harness (a temporary local server) for the whole session, without per-run heartbeat waits."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from rolesignal.flows.settings import quiet_prefect

quiet_prefect()


@pytest.fixture(autouse=True, scope="session")
def prefect_backend() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    from rolesignal.flows.prefect_adaptations import no_heartbeat

    with prefect_test_harness(server_startup_timeout=90), no_heartbeat():
        yield


@pytest.fixture(scope="session")
def newcomer_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of someone who configured nothing: no Prefect server (so Prefect's temporary one), no logging
    settings, no ROLESIGNAL_DB; a PREFECT_HOME of its own, shared by the tests that use it (a cold one costs ~15 s)."""
    from rolesignal.flows.settings import CONSOLE_LEVEL, LOG_LEVEL

    env = {k: v for k, v in os.environ.items() if k not in (CONSOLE_LEVEL, LOG_LEVEL, "ROLESIGNAL_DB")}
    env = {k: v for k, v in env.items() if not k.startswith("PREFECT_API_")}
    return env | {"PREFECT_HOME": str(tmp_path_factory.mktemp("newcomer-prefect-home")), "COLUMNS": "120"}
