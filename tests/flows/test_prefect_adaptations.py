"""Each adaptation in flows/prefect_adaptations.py, and the Prefect behaviour it relies on.

These fail when Prefect changes underneath an adaptation: then measure it again (benchmarks/adaptation_gain.py), and
adapt or drop it.
"""

from __future__ import annotations

import importlib
import inspect
import multiprocessing
import os
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from rolesignal.flows import prefect_adaptations as adaptations
from rolesignal.flows.scan import scan_folder
from rolesignal.warehouse.connect import open_warehouse
from tests.flows.documents import write_inbox

# ------------------------------------------------------------------------------------ runs forked from a forkserver


def test_prefect_starts_served_runs_through_the_function_whose_multiprocessing_we_swap() -> None:
    import prefect.flow_engine
    import prefect.runner._starter_direct
    import prefect.runner.runner

    assert "DirectSubprocessStarter(" in inspect.getsource(prefect.runner.runner.Runner), "served flows' starter"
    assert prefect.runner._starter_direct.run_flow_in_subprocess is prefect.flow_engine.run_flow_in_subprocess
    assert prefect.flow_engine.multiprocessing is multiprocessing, "a module-level name the block can swap"
    source = inspect.getsource(prefect.flow_engine.run_flow_in_subprocess)
    assert 'multiprocessing.get_context("spawn")' in source, "the start method is asked of that name"


def test_every_module_the_forkserver_preloads_imports() -> None:
    # The forkserver skips a name that does not import, silently (a Prefect module renamed, say).
    for name in adaptations.RUN_PRELOAD:
        if name != "__main__":
            importlib.import_module(name)


def _exit_0_if_the_bundled_rules_are_loaded() -> None:
    from rolesignal.rules.load import _LOADED, DEFAULT_DIR, rules_version

    sys.exit(0 if (DEFAULT_DIR, rules_version(DEFAULT_DIR)) in _LOADED else 3)


def test_within_the_block_prefect_forks_flow_runs_from_the_forkserver(tmp_path: Path) -> None:
    from multiprocessing.context import ForkServerProcess

    import prefect.flow_engine

    inbox = write_inbox(tmp_path / "inbox")
    db = tmp_path / "w.duckdb"
    with adaptations.runs_forked_from_server():
        process = prefect.flow_engine.run_flow_in_subprocess(
            scan_folder, parameters={"folder": str(inbox["ai"].parent), "db": str(db)}
        )
        process.join(120)
        preloaded = multiprocessing.get_context("forkserver").Process(target=_exit_0_if_the_bundled_rules_are_loaded)
        preloaded.start()
        preloaded.join(60)
    assert isinstance(process, ForkServerProcess) and process.exitcode == 0
    assert preloaded.exitcode == 0, "a forked run starts with its rules loaded"
    assert prefect.flow_engine.multiprocessing is multiprocessing  # as it was, after the block
    with open_warehouse(db, read_only=True) as con:
        roles = con.execute("SELECT file_name, role FROM document_roles ORDER BY 1").fetchall()
    assert roles == [("ai-engineer.pdf", "ai_developer"), ("backend.txt", "none"), ("ml-engineer.docx", "ml_engineer")]


# ------------------------------------------------------------------------------ a one-certificate CA file for HTTP


def _client_ca_counts() -> list[int]:
    """How many CA certificates the SSL contexts of Prefect's two API clients (sync and async) trust."""
    from prefect.client.orchestration import get_client

    counts = []
    for sync in (True, False):
        transport = get_client(sync_client=sync)._client._transport
        counts.append(transport._pool._ssl_context.cert_store_stats()["x509_ca"])
    return counts


def test_prefect_clients_load_the_ca_file_we_name_for_a_plain_http_api(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_HOME, temporary_settings

    with temporary_settings(updates={PREFECT_HOME: str(tmp_path), PREFECT_API_SSL_CERT_FILE: None}):
        assert min(_client_ca_counts()) > 10, "Prefect loads a whole bundle for a plain-HTTP API (what we avoid)"
        with adaptations.plain_http_api_tls("http://127.0.0.1:4200/api"):
            assert _client_ca_counts() == [1, 1]


def test_a_plain_http_api_trusts_one_certificate_inside_the_block(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_HOME, temporary_settings

    with temporary_settings(updates={PREFECT_HOME: str(tmp_path)}):
        before = PREFECT_API_SSL_CERT_FILE.value()  # Prefect's default: SSL_CERT_FILE, if set
        with adaptations.plain_http_api_tls("http://127.0.0.1:4200/api"):
            path = PREFECT_API_SSL_CERT_FILE.value()
            assert os.environ["PREFECT_API_SSL_CERT_FILE"] == path, "and so in the processes started here"
            assert Path(path).parent == tmp_path
            assert ssl.create_default_context(cafile=path).cert_store_stats()["x509_ca"] == 1
            with get_client(sync_client=True) as client:  # the test harness's plain-HTTP server still answers
                assert client.hello().status_code == 200
        assert "PREFECT_API_SSL_CERT_FILE" not in os.environ and PREFECT_API_SSL_CERT_FILE.value() == before


def test_the_temporary_server_is_plain_http_too(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_HOME, temporary_settings

    with temporary_settings(updates={PREFECT_HOME: str(tmp_path)}), adaptations.plain_http_api_tls(None):
        assert PREFECT_API_SSL_CERT_FILE.value() == str(adaptations.one_ca_certificate(tmp_path))


@pytest.mark.parametrize("url", ["https://prefect.example.org/api", "HTTPS://prefect.example.org/api"])
def test_an_https_api_keeps_the_ca_bundle(url: str) -> None:
    from prefect.settings import PREFECT_API_SSL_CERT_FILE

    before = PREFECT_API_SSL_CERT_FILE.value()
    with adaptations.plain_http_api_tls(url):
        assert PREFECT_API_SSL_CERT_FILE.value() == before and "PREFECT_API_SSL_CERT_FILE" not in os.environ


def test_a_ca_file_set_for_prefect_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PREFECT_API_SSL_CERT_FILE", str(tmp_path / "company-ca.pem"))
    with adaptations.plain_http_api_tls("http://127.0.0.1:4200/api"):
        assert os.environ["PREFECT_API_SSL_CERT_FILE"] == str(tmp_path / "company-ca.pem")
    assert os.environ["PREFECT_API_SSL_CERT_FILE"] == str(tmp_path / "company-ca.pem")


# ------------------------------------------------------------------------------------ no heartbeat for ad-hoc runs


def _heartbeat_threads() -> int:
    from prefect import flow

    @flow(name="count-heartbeat-threads")
    def count() -> int:
        loops = [getattr(t, "_args", ()) for t in threading.enumerate()]
        return sum(1 for args in loops if args and getattr(args[0], "__name__", "") == "heartbeat_loop")

    return count()


def test_a_flow_run_has_a_heartbeat_thread_it_waits_for_unless_in_the_block() -> None:
    import prefect.flow_engine
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180}):  # Prefect's default
        assert _heartbeat_threads() == 1
        with adaptations.no_heartbeat():
            assert _heartbeat_threads() == 0
    # What the block saves: the thread sleeps in 1 s steps and the run's end waits for it (PrefectHQ/prefect#21058).
    source = inspect.getsource(prefect.flow_engine._send_heartbeats)
    assert "time.sleep(1)" in source and "thread.join(" in source, "#21058 fixed? measure no_heartbeat again"


# ------------------------------------------------------------------------------ a temporary server that dies with us


def test_prefect_starts_its_temporary_server_through_the_subprocess_name_we_swap() -> None:
    import prefect.server.api.server

    assert prefect.server.api.server.subprocess is subprocess, "a module-level name the block can swap"
    source = inspect.getsource(prefect.server.api.server.SubprocessASGIServer._run_uvicorn_command)
    assert "subprocess.Popen(" in source and "preexec_fn" not in source, "the server is started by that name"


# ------------------------------------------------------------------------------- task arguments Prefect need not walk


class _Counted(list[int]):
    """A list that counts how often it is iterated."""

    walks = 0

    def __iter__(self) -> Any:
        type(self).walks += 1
        return super().__iter__()


def test_a_task_receives_an_unwalked_argument_as_it_is_and_prefect_does_not_walk_it() -> None:
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE
    from prefect.task_runners import ThreadPoolTaskRunner

    @task(cache_policy=NO_CACHE)
    def identity(value: Any) -> int:
        return id(value)

    value = _Counted(range(100))  # reaches the flow from outside: a flow parameter is walked as the run is created

    @flow(name="unwalked-arguments")
    def pass_on(wrap: bool) -> list[int]:
        argument = adaptations.unwalked(value) if wrap else value
        with ThreadPoolTaskRunner(max_workers=1) as runner:
            submitted = runner.submit(identity, {"value": argument}).result()
        return [identity(argument), submitted]

    _Counted.walks = 0
    assert pass_on(wrap=True) == [id(value), id(value)]  # called and submitted, as scan.py does
    assert _Counted.walks == 0
    pass_on(wrap=False)
    assert _Counted.walks > 0, "Prefect walks a plain argument (what the wrap avoids)"


# ------------------------------------------------------------------------------------ exit without module teardown


def test_the_entry_point_delivers_the_run_s_last_logs_and_task_run_states_before_it_exits(tmp_path: Path) -> None:
    # Prefect sends logs and events (which carry the task runs' states) from threads it drains in exit handlers: an
    # exit without the handlers would lose the last of them.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
    from prefect.settings import get_current_settings

    inbox = write_inbox(tmp_path / "inbox")
    env = os.environ | {"PREFECT_API_URL": get_current_settings().api.url or ""}
    command = [sys.executable, "-c", "from rolesignal.flows.cli import main; main()", "scan", str(inbox["ai"].parent)]
    done = subprocess.run(
        [*command, "--db", str(tmp_path / "w.duckdb")], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    with open_warehouse(tmp_path / "w.duckdb", read_only=True) as con:
        [(flow_run_id,)] = con.execute("SELECT flow_run_id FROM scan_history").fetchall()
    of_run = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    deadline = time.monotonic() + 30  # the server records logs and events shortly after it receives them
    with get_client(sync_client=True) as client:
        while True:
            states = {r.name.rsplit("-", 1)[0]: r.state_name for r in client.read_task_runs(flow_run_filter=of_run)}
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            finished = any("Finished in state Completed" in log.message for log in logs)
            if (finished and states.get("finish-scan") == "Completed") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert states.get("prepare-scan") == states.get("finish-scan") == "Completed", states
    assert finished, [log.message for log in logs]


def test_with_prefect_s_temporary_server_the_exit_delivers_logs_and_states_before_the_server_stops(
    tmp_path: Path, newcomer_env: dict[str, str]
) -> None:
    # Prefect drains its log and event services in threading's exit calls, and stops the temporary server it started
    # in an atexit handler: run in the other order, the last logs and task run states failed ("Error logging to API").
    import sqlite3

    inbox = write_inbox(tmp_path / "inbox")
    command = [sys.executable, "-c", "from rolesignal.flows.cli import main; main()", "scan", str(inbox["ai"].parent)]
    done = subprocess.run(
        [*command, "--db", str(tmp_path / "w.duckdb")], env=newcomer_env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr
    with open_warehouse(tmp_path / "w.duckdb", read_only=True) as con:
        [(flow_run_id,)] = con.execute("SELECT flow_run_id FROM scan_history").fetchall()
    # The temporary server has stopped; what it recorded is in its database under PREFECT_HOME.
    with sqlite3.connect(Path(newcomer_env["PREFECT_HOME"]) / "prefect.db") as db:
        logs = [
            m for (m,) in db.execute("SELECT message FROM log WHERE flow_run_id = ? ORDER BY timestamp", [flow_run_id])
        ]
        states = dict(db.execute("SELECT name, state_name FROM task_run WHERE flow_run_id = ?", [flow_run_id]))
    assert "scan 1: 4 files to read, 0 unchanged" in logs and logs[-1].startswith("Finished in state Completed"), logs
    assert {name.rsplit("-", 1)[0]: state for name, state in states.items()}["finish-scan"] == "Completed", states
