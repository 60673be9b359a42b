"""The DuckDB warehouse: schema and views, bulk idempotent writes, and reads for scans, reports and explanations."""

from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use (PEP 562): worker processes import warehouse.types for the record types and
# must not pay for DuckDB and pyarrow (~50 MB each) that only the scanning process writes with.
_HOME = {
    "open_warehouse": "connect",
    "transaction": "connect",
    "AmbiguousPath": "errors",
    "MigrationError": "errors",
    "WarehouseBusy": "errors",
    "WarehouseError": "errors",
    "WarehouseMissing": "errors",
    "ExplainedRequirement": "explain",
    "Explanation": "explain",
    "Hit": "explain",
    "fetch_explanation": "explain",
    "migrate": "schema",
    "view_descriptions": "schema",
    "view_names": "schema",
    **dict.fromkeys(
        (
            "COUNT_KEYS",
            "finish_scan",
            "known_contents",
            "known_files",
            "load_documents",
            "mark_interrupted",
            "mark_removed",
            "mark_seen",
            "outdated_contents",
            "stale_contents",
            "start_scan",
            "touch_files",
            "write_analyses",
            "write_batch",
            "write_catalogue",
        ),
        "store",
    ),
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = sorted(_HOME)
