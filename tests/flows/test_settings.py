"""The Prefect settings rolesignal applies (its adaptations to Prefect's internals: test_prefect_adaptations.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rolesignal.flows.settings import CONSOLE_LEVEL, LOG_LEVEL, QUIET_DEFAULTS, quiet_prefect
from rolesignal.warehouse.connect import open_warehouse
from tests.flows.documents import write_inbox


def test_our_defaults_fill_in_only_what_the_user_did_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (*QUIET_DEFAULTS, LOG_LEVEL, CONSOLE_LEVEL):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PREFECT_SERVER_LOGGING_LEVEL", "DEBUG")
    quiet_prefect()
    assert os.environ["PREFECT_SERVER_LOGGING_LEVEL"] == "DEBUG"
    assert all(
        os.environ[key] == value for key, value in QUIET_DEFAULTS.items() if key != "PREFECT_SERVER_LOGGING_LEVEL"
    )
    # Runs log at Prefect's default level (INFO) to the API; the terminal shows warnings only.
    assert LOG_LEVEL not in os.environ and os.environ[CONSOLE_LEVEL] == "WARNING"


@pytest.mark.parametrize("key", [LOG_LEVEL, CONSOLE_LEVEL])
def test_a_user_s_logging_level_works_as_prefect_documents_it(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    for name in (LOG_LEVEL, CONSOLE_LEVEL):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(key, "DEBUG")
    quiet_prefect()
    assert {k: os.environ.get(k) for k in (LOG_LEVEL, CONSOLE_LEVEL)} == {
        LOG_LEVEL: None,
        CONSOLE_LEVEL: None,
    } | {key: "DEBUG"}


def test_each_prefect_default_names_a_prefect_setting() -> None:
    import prefect.settings
    from prefect.logging.configuration import DEFAULT_LOGGING_SETTINGS_PATH, load_logging_config

    unknown = [key for key in QUIET_DEFAULTS if key.startswith("PREFECT_") and not hasattr(prefect.settings, key)]
    assert unknown == []
    assert hasattr(prefect.settings, LOG_LEVEL)
    # The console level is an override of Prefect's logging config: handlers.console.level must exist there.
    assert "level" in load_logging_config(DEFAULT_LOGGING_SETTINGS_PATH)["handlers"]["console"]


def test_a_scan_logs_at_info_to_the_prefect_api_and_only_warnings_to_the_terminal(
    tmp_path: Path, newcomer_env: dict[str, str]
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.settings import PREFECT_API_URL

    inbox = write_inbox(tmp_path / "inbox")
    # No logging settings, as a user would start it, against the session's server (which has no UI).
    env = newcomer_env | {"PREFECT_API_URL": PREFECT_API_URL.value()}
    command = [sys.executable, "-c", "from rolesignal.flows.cli import main; main()", "scan", str(inbox["ai"].parent)]
    done = subprocess.run(
        [*command, "--db", str(tmp_path / "w.duckdb")], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert " | INFO " not in done.stderr + done.stdout  # the terminal is as quiet as ever
    assert "Prefect UI" not in done.stderr  # no link to a server without a UI
    with open_warehouse(tmp_path / "w.duckdb", read_only=True) as con:
        [(flow_run_id,)] = con.execute("SELECT flow_run_id FROM scan_history").fetchall()
    wanted = "scan 1: 4 files to read, 0 unchanged"
    deadline = time.monotonic() + 30  # the server records logs shortly after it receives them
    with get_client(sync_client=True) as client:
        while True:
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            if any(log.message == wanted for log in logs) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert wanted in [log.message for log in logs]
    # INFO: the flow's lines and its tasks', for the UI to show.
    assert any(log.task_run_id and "Finished in state Completed" in log.message for log in logs)
