"""Tables for a person at a terminal: the columns worth reading per report, paths relative to the scanned folder, and
column widths that fit the terminal, long text cut with an ellipsis instead of folded into narrow columns.

csv, json and markdown, and `--wide`, keep every column and every value as stored.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

ELLIPSIS = "…"
# A column that has to give way keeps at least this many cells (or its header's width, or its whole text if shorter).
MIN_WIDTH = 12
# rich's default table box: a border before every column and after the last, one cell of padding on each side.
BORDER_AND_PADDING = 3

# The columns a report shows at a terminal (a report not named here shows all of its columns). Left out: what
# repeats another column (file_name is the end of path), long passages, hashes, offsets and second scores.
TERMINAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "coverage_gaps": ("requirement", "documents", "occurrences", "strengths", "example_path"),
    "document_requirements": ("path", "ordinal", "strength", "text", "signal_ids"),
    "document_roles": ("path", "doc_kind", "title", "role", "confidence", "title_mismatch"),
    "failure_summary": ("error_type", "files", "file_types", "message", "example_path"),
    "ingest_failures": ("path", "error_type", "message"),
    "requirement_search": ("path", "role", "ordinal", "strength", "text"),
    "review_queue": ("path", "title", "role", "confidence", "reason"),
    "role_by_folder": (
        "folder",
        "documents",
        "ml_engineer",
        "ai_developer",
        "hybrid",
        "none",
        "title_mismatches",
        "failed",
    ),
    "scan_history": (
        "scan_id",
        "started_at",
        "status",
        "files_seen",
        "new",
        "changed",
        "removed",
        "failed",
        "root",
    ),
    "signal_evidence": ("path", "signal_id", "weight", "source", "matched_text"),
    "title_mismatches": ("path", "title", "title_role", "role", "confidence"),
}


def is_path_column(name: str) -> bool:
    """Columns holding file system paths: cut at their start, where a path says least."""
    return name in ("path", "root") or name.endswith("_path")


@dataclass(frozen=True)
class TerminalTable:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    note: str | None  # what differs from the stored rows: the folder paths are relative to, the columns left out


def terminal_table(
    name: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]], roots: Sequence[str]
) -> TerminalTable:
    """Report `name`'s rows (None: a query's) as a terminal shows them: its terminal columns, paths under the scanned
    `roots` relative to them, and a note that says so."""
    keep = [c for c in TERMINAL_COLUMNS.get(name or "", columns) if c in columns] or list(columns)
    index = [list(columns).index(c) for c in keep]
    picked = [tuple(row[i] for i in index) for row in rows]
    notes = []
    # A root column names the scanned folder itself: shown as it is.
    path_columns = {i for i, c in enumerate(keep) if is_path_column(c) and c != "root"}
    base = path_base([row[i] for row in picked for i in path_columns], roots)
    if base is not None:
        picked = [tuple(relative(v, base) if i in path_columns else v for i, v in enumerate(row)) for row in picked]
        notes.append(f"paths under {base}")
    if len(keep) < len(columns):
        notes.append(f"{len(keep)} of {len(columns)} columns: --wide or --format csv shows all")
    return TerminalTable(keep, picked, f"({'; '.join(notes)})" if notes else None)


def path_base(paths: Sequence[Any], roots: Sequence[str]) -> str | None:
    """The folder to show `paths` relative to: the scanned root they all lie under, or the common folder of theirs;
    None when a path lies under no root or the common folder is the file system root."""
    found = set()
    for path in paths:
        if not isinstance(path, str):
            continue
        under = [root for root in roots if path.startswith(root.rstrip("/") + "/")]
        if not under:
            return None
        found.add(max(under, key=len).rstrip("/"))
    if not found:
        return None
    base = found.pop() if len(found) == 1 else os.path.commonpath([*found])
    return base if base.strip("/") else None


def relative(value: Any, base: str) -> Any:
    """A path under `base` relative to it; anything else as it is."""
    if isinstance(value, str) and value.startswith(base + "/"):
        return value[len(base) + 1 :]
    return value


def terminal_width() -> int | None:
    """The width tables must fit: the terminal's, or COLUMNS; None in a pipe or a file (rows keep their width)."""
    if os.environ.get("COLUMNS", "").strip().isdigit() or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def fit_widths(
    headers: Sequence[str], cells: Sequence[Sequence[str]], width: int, fixed: Collection[int] = ()
) -> list[int] | None:
    """Column widths (without padding) for a table of `width` cells: every column its natural width if that fits;
    otherwise the `fixed` columns (numbers, times) and the narrow ones keep theirs and the wide ones share what is
    left, each at least its header or MIN_WIDTH. None when even that does not fit (too many columns)."""
    from rich.cells import cell_len

    natural = [max([cell_len(h), *(cell_len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    budget = width - BORDER_AND_PADDING * len(headers) - 1
    if sum(natural) <= budget:
        return natural
    floor = [
        n if i in fixed else min(n, max(cell_len(h), MIN_WIDTH))
        for i, (n, h) in enumerate(zip(natural, headers, strict=True))
    ]
    if sum(floor) > budget:
        return None
    # The largest common cap under which every column gets min(natural, cap) (at least its floor) within the budget.
    low, high = 0, max(natural)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(max(f, min(n, cap)) for f, n in zip(floor, natural, strict=True)) <= budget:
            low = cap
        else:
            high = cap - 1
    widths = [max(f, min(n, low)) for f, n in zip(floor, natural, strict=True)]
    spare = budget - sum(widths)
    for i, n in enumerate(natural):  # what the cap leaves over, a cell each, left to right
        if spare and widths[i] < n:
            widths[i] += 1
            spare -= 1
    return widths


def shorten(text: str, width: int, keep_end: bool = False) -> str:
    """`text` in at most `width` cells: cut with an ellipsis at its end, or at its start for a path (`keep_end`)."""
    from rich.cells import cell_len, get_character_cell_size

    if cell_len(text) <= width:
        return text
    room = width - 1
    kept: list[str] = []
    for char in reversed(text) if keep_end else text:
        room -= get_character_cell_size(char)
        if room < 0:
            break
        kept.append(char)
    return ELLIPSIS + "".join(reversed(kept)) if keep_end else "".join(kept) + ELLIPSIS
