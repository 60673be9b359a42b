"""Warehouse errors keep their message and fields through pickling (a Prefect task's error may travel)."""

from __future__ import annotations

import pickle

import pytest

from rolesignal.warehouse.errors import AmbiguousPath, ScanInProgress, WarehouseBusy, WarehouseMissing


@pytest.mark.parametrize(
    "error",
    [WarehouseBusy("/w.duckdb", "12"), WarehouseMissing("/w.duckdb"), ScanInProgress("/w.duckdb", 3)]
    + [AmbiguousPath("two match", ["/a/x.pdf", "/b/x.pdf"])],
)
def test_errors_pickle_with_their_message(error: Exception) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error) and vars(again) == vars(error)
