"""serve: the local Prefect server it starts when none is configured, its options, and the run artifacts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner

from rolesignal.flows import serve
from rolesignal.flows.cli import cli
from rolesignal.flows.prefect_ui import ui_link
from rolesignal.flows.scan import scan_folder
from rolesignal.warehouse.connect import open_warehouse
from tests.flows.documents import write_inbox

T = TypeVar("T")


def test_local_server_answers_then_stops_with_its_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    monkeypatch.setenv("PREFECT_UI_API_URL", "http://127.0.0.1:4200/api")  # another server's, as a profile may say
    with serve.local_server(log_dir=tmp_path) as server:
        assert server.api_url == f"http://127.0.0.1:{server.port}/api"
        with urllib.request.urlopen(f"{server.api_url}/health", timeout=5) as response:
            assert response.status == 200
        # The UI in the browser asks the API the server names here: this server's, not port 4200's.
        with urllib.request.urlopen(f"{server.ui_url}/ui-settings", timeout=5) as response:
            assert json.load(response)["api_url"] == server.api_url
        with serve.using_api(server.api_url):
            assert ui_link("flow-run", "1234") == f"{server.ui_url}/runs/flow-run/1234"
        process = server.process
    assert process.poll() is not None
    assert (tmp_path / "rolesignal-server.log").exists()


def test_no_ui_link_to_a_server_without_a_ui() -> None:
    assert ui_link("flow-run", "1234") is None  # the session's test server serves no UI


def test_a_server_that_exits_is_reported_with_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve.sys, "executable", "/bin/false")
    with pytest.raises(serve.ServerStartError, match="exited with code 1") as caught:
        with serve.local_server(log_dir=tmp_path):
            pass
    assert caught.value.log_path == tmp_path / "rolesignal-server.log"


@pytest.mark.parametrize("args", [[], ["--cron", "* * * * *", "--interval", "60"]])
def test_serve_needs_exactly_one_schedule(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["serve", str(tmp_path), *args])
    assert (result.exit_code, result.output) == (2, "rolesignal: give exactly one of --cron or --interval\n")


def test_schedule_of() -> None:
    assert serve.schedule_of("*/15 * * * *", None) == {"cron": "*/15 * * * *"}
    assert serve.schedule_of(None, 20.0) == {"interval": 20.0}
    with pytest.raises(ValueError):
        serve.schedule_of(None, None)


def test_scan_publishes_summary_artifacts(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    def artifacts_of_last_run() -> dict[str, Any]:
        with get_client(sync_client=True) as client:
            [run] = client.read_flow_runs(limit=1, sort="START_TIME_DESC")
            of_run = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
            return {a.key: a for a in client.read_artifacts(artifact_filter=of_run)}

    inbox = write_inbox(tmp_path / "inbox")
    scan_folder(str(inbox["ai"].parent), str(tmp_path / "w.duckdb"))
    by_key = artifacts_of_last_run()
    assert set(by_key) == {"scan-summary", "scan-report"}
    assert '{"measure": "files_seen", "files": 4}' in str(by_key["scan-summary"].data)
    report = str(by_key["scan-report"].data)
    assert "| broken.pdf | corrupt_file | not a PDF" in report and "| ai_developer | 1 |" in report

    scan_folder(str(inbox["ai"].parent), str(tmp_path / "w.duckdb"))  # nothing changed: the last report holds
    by_key = artifacts_of_last_run()
    assert set(by_key) == {"scan-summary"}
    assert '{"measure": "unchanged", "files": 4}' in str(by_key["scan-summary"].data)


def _wait_for(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.25)
    raise AssertionError(f"{what} within {timeout:g} s")


def _serve_process(folder: Path, db: Path, cwd: Path, *extra: str) -> subprocess.Popen[str]:
    """`rolesignal serve` in a subprocess, polling for runs every second, due by its cron once a year."""
    env = os.environ | {"PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    command = [str(Path(sys.executable).with_name("rolesignal")), "serve", str(folder), "--db", str(db)]
    command += ["--cron", "0 0 1 1 *", *extra]
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _deployment(client: Any, process: subprocess.Popen[str], name: str) -> Callable[[], Any]:
    def registered() -> Any:
        assert process.poll() is None, process.communicate()[1]
        try:
            return client.read_deployment_by_name(f"scan-folder/{name}")
        except Exception:
            return None

    return registered


def _runs_of(client: Any, deployment_id: Any) -> list[Any]:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    return client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])))


def test_serve_scans_at_once_from_its_forkserver_then_on_schedule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psutil
    from prefect.client.orchestration import get_client

    home = tmp_path / "prefect-home"
    monkeypatch.setenv("PREFECT_HOME", str(home))
    inbox = write_inbox(tmp_path / "inbox")
    db = tmp_path / "w.duckdb"
    # Served from a project folder with packages named like ours: the runs and their readers must not import them.
    project = tmp_path / "project"
    for package in ("flows", "extractors", "rules", "warehouse"):
        (project / package).mkdir(parents=True)
        (project / package / "__init__.py").write_text("raise ImportError('the project folder, not rolesignal')\n")
    with serve.local_server(log_dir=tmp_path) as server, serve.using_api(server.api_url):
        process = _serve_process(inbox["ai"].parent, db, project, "--name", "test-serve")
        try:
            with get_client(sync_client=True) as client:
                deployment = _wait_for(_deployment(client, process, "test-serve"), 120, "serve registered")
                # Due once a year, yet it runs at once: the run serve asked for when it started.
                run = _wait_for(lambda: next(iter(_runs_of(client, deployment.id)), None), 60, "a first run")
                state = _wait_for(
                    lambda: (s := client.read_flow_run(run.id).state) and s.is_final() and s, 120, "the run ended"
                )
            assert state.is_completed(), state.message
            children = [" ".join(p.cmdline()) for p in psutil.Process(process.pid).children()]
            assert any("multiprocessing.forkserver" in c for c in children), children
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=60)
        # An ad-hoc scan against a server with a UI links to its run there.
        scan = subprocess.run(
            [str(Path(sys.executable).with_name("rolesignal")), "scan", str(inbox["ai"].parent), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert process.returncode == 0 and err.rstrip().endswith("serve stopped."), err
    assert scan.returncode == 0 and f"Prefect UI: {server.ui_url}/runs/flow-run/" in scan.stderr, scan.stderr
    ui = f"{server.ui_url}/deployments/deployment/{deployment.id}"
    assert f"Deployment scan-folder/test-serve registered (UI {ui}); the first scan runs now." in err
    with open_warehouse(db, read_only=True) as con:
        roles = con.execute("SELECT file_name, role FROM document_roles ORDER BY 1").fetchall()
        [(flow_run_id,), (scan_run_id,)] = con.execute(
            "SELECT flow_run_id FROM scan_history ORDER BY scan_id"
        ).fetchall()
    assert roles == [("ai-engineer.pdf", "ai_developer"), ("backend.txt", "none"), ("ml-engineer.docx", "ml_engineer")]
    assert flow_run_id == str(run.id)
    assert scan.stderr.rstrip().endswith(f"{server.ui_url}/runs/flow-run/{scan_run_id}")


def test_serve_no_run_now_leaves_the_first_scan_to_the_schedule(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    inbox = write_inbox(tmp_path / "inbox")
    # Against the session's Prefect server, named by PREFECT_API_URL as a user would configure it.
    with serve.using_api(PREFECT_API_URL.value()):
        process = _serve_process(inbox["ai"].parent, tmp_path / "w.duckdb", tmp_path, "--name", "later", "--no-run-now")
        lines: list[str] = []

        def pump() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                lines.append(line)

        threading.Thread(target=pump, daemon=True).start()
        try:
            # serve announces the deployment after asking for any first run: once the line is out, a run would be.
            announced = _wait_for(lambda: next((x for x in lines if "registered" in x), None), 120, "serve registered")
            with get_client(sync_client=True) as client:
                deployment = client.read_deployment_by_name("scan-folder/later")
                assert _runs_of(client, deployment.id) == []
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    assert "the first scan runs when the schedule says" in announced, lines


def test_registering_the_flow_imports_neither_duckdb_nor_pyarrow() -> None:
    # serve's own process imports the flow to register it and waits between runs: ~50 MB less without them.
    modules = "rolesignal.flows.cli, rolesignal.flows.serve, rolesignal.flows.scan"
    probe = f"import sys, {modules}; print(sorted({{'duckdb', 'pyarrow'}} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
