"""serve: the local Prefect server it starts when none is configured, its options, and the run artifacts."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows import serve
from flows.cli import cli
from flows.scan import scan_folder
from tests.flows.documents import write_inbox


def test_local_server_answers_then_stops_with_its_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    with serve.local_server(log_dir=tmp_path) as server:
        assert server.api_url == f"http://127.0.0.1:{server.port}/api"
        with urllib.request.urlopen(f"{server.api_url}/health", timeout=5) as response:
            assert response.status == 200
        process = server.process
    assert process.poll() is not None
    assert (tmp_path / "rolesignal-server.log").exists()


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

    inbox = write_inbox(tmp_path / "inbox")
    scan_folder(str(inbox["ai"].parent), str(tmp_path / "w.duckdb"))

    with get_client(sync_client=True) as client:
        [run] = client.read_flow_runs(limit=1, sort="START_TIME_DESC")
        of_run = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        artifacts = client.read_artifacts(artifact_filter=of_run)
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) == {"scan-summary", "scan-report"}
    assert '{"measure": "files_seen", "files": 4}' in str(by_key["scan-summary"].data)
    report = str(by_key["scan-report"].data)
    assert "| broken.pdf | corrupt_file | not a PDF" in report and "| ai_developer | 1 |" in report
