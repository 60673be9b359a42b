"""The DuckDB warehouse: schema and views, bulk idempotent writes, and reads for scans, reports and explanations."""

from warehouse.connect import open_warehouse, transaction
from warehouse.errors import AmbiguousPath, MigrationError, WarehouseBusy, WarehouseError, WarehouseMissing
from warehouse.explain import ExplainedRequirement, Explanation, Hit, fetch_explanation
from warehouse.schema import migrate, view_descriptions, view_names
from warehouse.store import (
    finish_scan,
    known_contents,
    known_files,
    load_documents,
    mark_removed,
    stale_contents,
    start_scan,
    touch_files,
    write_analyses,
    write_batch,
    write_catalogue,
)

__all__ = [
    "AmbiguousPath",
    "ExplainedRequirement",
    "Explanation",
    "Hit",
    "MigrationError",
    "WarehouseBusy",
    "WarehouseError",
    "WarehouseMissing",
    "fetch_explanation",
    "finish_scan",
    "known_contents",
    "known_files",
    "load_documents",
    "mark_removed",
    "migrate",
    "open_warehouse",
    "stale_contents",
    "start_scan",
    "touch_files",
    "transaction",
    "view_descriptions",
    "view_names",
    "write_analyses",
    "write_batch",
    "write_catalogue",
]
