"""One Prefect test harness (a temporary local server) for the whole session, without per-run heartbeat waits."""

from __future__ import annotations

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
