"""Scanning on a real Dask cluster (two worker processes on loopback) gives what a local scan gives."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb
import psutil
import pytest

from rolesignal.flows.scan import scan_folder
from rolesignal.flows.serve import configured_api_url
from tests.flows.documents import write_inbox

ROLES = "SELECT * EXCLUDE (classified_at) FROM document_roles ORDER BY path"
REQUIREMENTS = "SELECT * FROM document_requirements ORDER BY path, ordinal"


def child_pids() -> set[int]:
    """The pids of the calling process's children (run on each Dask worker)."""
    return {p.pid for p in psutil.Process().children()}


def query(db: Path, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_a_dask_cluster_gives_the_results_of_a_local_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from distributed import Client, LocalCluster

    folder = write_inbox(tmp_path / "inbox")["ai"].parent
    # The Dask workers report their task runs to the test's Prefect server: they find it in their environment.
    monkeypatch.setenv("PREFECT_API_URL", configured_api_url())
    local = scan_folder(str(folder), str(tmp_path / "local.duckdb"))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        with Client(cluster) as client:
            before = client.run(child_pids)
            remote = scan_folder(str(folder), str(tmp_path / "dask.duckdb"), dask_address=cluster.scheduler_address)
            after = client.run(child_pids)
    # The batches were analysed on the cluster's workers, not here: a Dask worker started analysis processes.
    assert any(after[worker] - before[worker] for worker in before)
    keys = ("files_seen", "new", "failed", "roles")
    assert {k: remote[k] for k in keys} == {k: local[k] for k in keys}
    assert query(tmp_path / "dask.duckdb", ROLES) == query(tmp_path / "local.duckdb", ROLES)
    assert query(tmp_path / "dask.duckdb", REQUIREMENTS) == query(tmp_path / "local.duckdb", REQUIREMENTS)
    assert len(query(tmp_path / "dask.duckdb", REQUIREMENTS)) > 10
