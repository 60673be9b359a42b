"""Running reports (the warehouse views) with filters, and exporting them as Parquet.

A report is a view: `report_query` builds `SELECT * FROM view [WHERE ...] [LIMIT n]` with a user's `--where`
condition, `--search` words (each must occur in the report's text column at the start of a word, in any case) and
a row limit. Run reports on a read-only connection after `lock_down`, so a condition can neither write nor touch
files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from rolesignal.warehouse.schema import view_descriptions, view_order

# The column `--search` looks in, for the reports that have a text worth searching.
SEARCH_COLUMNS = {
    "requirement_search": "text",
    "document_requirements": "text",
    "coverage_gaps": "requirement",
    "signal_evidence": "matched_text",
    "document_roles": "title",
    "title_mismatches": "title",
    "review_queue": "title",
    "ingest_failures": "message",
}
DEFAULT_REPORT = "role_summary"
SEARCH_REPORT = "requirement_search"


class ReportError(ValueError):
    """A report request that cannot run (unknown name, bad filter); the message says what to do."""


@dataclass(frozen=True)
class Report:
    name: str
    description: str
    search_column: str | None


def reports() -> dict[str, Report]:
    """Every report by name, in name order."""
    return {
        name: Report(name, description, SEARCH_COLUMNS.get(name))
        for name, description in sorted(view_descriptions().items())
    }


def unknown_report(name: str, known: Sequence[str]) -> str:
    """What to say of a report name that is not one: the closest names, if any look like it."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.6)
    guess = f" did you mean {' or '.join(close)}?" if close else ""
    return f"no report named {name!r};{guess} `rolesignal report --list` names them"


def validate_where(condition: str) -> str:
    """The condition, stripped; refuses empty conditions and statement separators."""
    condition = condition.strip()
    if not condition:
        raise ReportError("--where needs a condition, e.g. --where \"role = 'hybrid'\"")
    if ";" in condition:
        raise ReportError("--where takes one SQL condition; ';' is not allowed")
    return condition


def search_words(search: str) -> list[str]:
    """The words of a --search, each a case-insensitive substring to find."""
    words = search.split()
    if not words:
        raise ReportError("--search needs at least one word")
    return words


def _word_pattern(word: str) -> str:
    """A regular expression finding `word` at the start of a word ("rag" finds "RAG pipelines", not "leverage")."""
    boundary = "\\b" if word[0].isalnum() or word[0] == "_" else ""
    return boundary + re.escape(word)


def report_query(
    name: str, where: str | None = None, search: str | None = None, limit: int | None = None
) -> tuple[str, list[Any]]:
    """The SQL and parameters for a report with optional filters (the view's own row order is kept)."""
    known = reports()
    if name not in known:
        raise ReportError(unknown_report(name, known))
    conditions: list[str] = []
    params: list[Any] = []
    if where is not None:
        conditions.append(f"({validate_where(where)})")
    if search is not None:
        column = known[name].search_column
        if column is None:
            searchable = ", ".join(sorted(SEARCH_COLUMNS))
            raise ReportError(f"--search does not apply to {name}; it works with {searchable}")
        for word in search_words(search):
            conditions.append(f"regexp_matches(\"{column}\", ?, 'i')")
            params.append(_word_pattern(word))
    query = f'SELECT * FROM "{name}"'
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    if limit is not None:
        if limit < 0:
            raise ReportError("--limit must be 0 or more")
        query += f" LIMIT {int(limit)}"
    return query, params


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Forbid file access, extension installs and loads, and any later change of these settings, for the rest of this
    connection's life (a --where condition or a `sql` query can neither read nor write outside the warehouse)."""
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET lock_configuration = true")


# The statements `rolesignal sql` runs: reading ones (DESCRIBE, SHOW and SUMMARIZE are SELECTs to DuckDB; a PRAGMA
# that would change a setting fails on the locked configuration).
READ_STATEMENTS = ("SELECT", "EXPLAIN", "PRAGMA")


def run_query(con: duckdb.DuckDBPyConnection, query: str) -> duckdb.DuckDBPyConnection:
    """Lock the connection down and run one reading statement; its result is fetched by the caller, in batches."""
    lock_down(con)
    try:
        statements = con.extract_statements(query)
    except duckdb.Error as exc:
        raise ReportError(f"query failed: {str(exc).splitlines()[0]}") from exc
    if len(statements) != 1:
        raise ReportError(f"give one statement at a time, not {len(statements)}")
    kind = statements[0].type.name
    if kind not in READ_STATEMENTS:
        raise ReportError(
            f"only reading statements run here (SELECT, WITH ... SELECT, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, "
            f"PRAGMA), not {kind}"
        )
    try:
        return con.execute(query)
    except duckdb.Error as exc:
        raise ReportError(f"query failed: {str(exc).splitlines()[0]}") from exc


def scanned_roots(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The folders scanned into this warehouse (absolute, resolved)."""
    return [root for (root,) in con.execute("SELECT DISTINCT root FROM files ORDER BY root").fetchall()]


def missing_views(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> list[str]:
    """Those of `names` that the warehouse does not have (it was last scanned by an older rolesignal)."""
    present = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    return [n for n in names if n not in present]


def _missing_message(missing: Sequence[str]) -> str:
    return (
        f"this warehouse has no {', '.join(missing)} view yet: the next `rolesignal scan` into it creates "
        "the views of this version"
    )


def fetch_report(
    con: duckdb.DuckDBPyConnection,
    name: str,
    where: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The report's column names and rows."""
    query, params = report_query(name, where, search, limit)
    missing = missing_views(con, [name])
    if missing:
        raise ReportError(_missing_message(missing))
    try:
        result = con.execute(query, params)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise ReportError(f"the report query failed: {first}") from exc
    return [d[0] for d in result.description], result.fetchall()


@dataclass(frozen=True)
class Exported:
    view: str
    path: Path
    rows: int


def export_parquet(con: duckdb.DuckDBPyConnection, directory: str | Path) -> list[Exported]:
    """Write every view to DIRECTORY/<view>.parquet (replacing older exports); returns what was written."""
    directory = Path(directory).expanduser().resolve()
    names = view_order()
    missing = missing_views(con, names)
    if missing:
        raise ReportError(_missing_message(missing))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write to {directory}: {exc.strerror or exc}; choose another directory") from exc
    written = []
    for name in sorted(names):
        target = directory / f"{name}.parquet"
        # Written beside the target and renamed into place: a failure (full disk, no permission) never leaves half
        # a file where a BI tool would read it, and a reader never sees one being written.
        partial = directory / f".{name}.parquet.partial"
        literal = str(partial).replace("'", "''")
        try:
            rows = con.execute(f"COPY (SELECT * FROM \"{name}\") TO '{literal}' (FORMAT parquet, COMPRESSION zstd)")
            count = rows.fetchone()
            os.replace(partial, target)
        except (duckdb.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            reason = str(exc).splitlines()[0]
            raise ReportError(f"cannot write {target}: {reason}; check the directory and free space") from exc
        written.append(Exported(name, target, int(count[0]) if count else 0))
    return written
