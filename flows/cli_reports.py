"""The commands that read the warehouse: report, export, sql and explain (all on read-only connections)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from rolesignal.flows.cli_common import db_option, fail, format_option, read_only, wide_option
from rolesignal.flows.output import render, shown

# A rich table lays out every cell before it prints: ~1.2 KB a cell plus up to ~10 bytes a character (measured), so
# a table may cost this much, each cell counting its characters and 200 more: under 300 MB in all (docs/warehouse.md).
TABLE_BUDGET = 20_000_000


@click.command()
@click.argument("name", required=False)
@db_option
@format_option
@wide_option
@click.option("--list", "list_reports", is_flag=True, help="List the available reports.")
@click.option(
    "--where", "where", metavar="CONDITION", help="Only rows matching this SQL condition, e.g. \"role = 'hybrid'\"."
)
@click.option(
    "--search",
    metavar="WORDS",
    help="Only rows whose text contains every word (at a word start, any case); the default report becomes "
    "requirement_search.",
)
@click.option("--limit", type=click.IntRange(min=0), help="At most this many rows.")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one self-contained HTML page of charts (role mix, over time, by folder, top signals, mismatches).",
)
def report(
    name: str | None,
    db: str,
    fmt: str,
    wide: bool,
    list_reports: bool,
    where: str | None,
    search: str | None,
    limit: int | None,
    html_file: Path | None,
) -> None:
    """Print a report (a warehouse view); role_summary by default.

    NAME is the report; role_summary counts the roles per document kind. --where and --search filter the rows on a
    read-only connection that cannot touch files; `rolesignal report --list` names the reports and the column
    --search looks in. A table fits the terminal (--wide shows every column whole).
    """
    from rolesignal.warehouse.reports import (
        DEFAULT_REPORT,
        SEARCH_REPORT,
        ReportError,
        fetch_report,
        lock_down,
        reports,
        unknown_report,
    )

    known = reports()
    if list_reports:
        rows = [(r.name, r.description, r.search_column or "") for r in known.values()]
        click.echo(render(["report", "what it shows", "search"], rows, fmt, fit=not wide, wrap=["what it shows"]))
        return
    if html_file is not None:
        from rolesignal.flows.html_report import build_html

        with closing(read_only(db)) as con:
            try:
                page = build_html(con, str(Path(db).resolve()))
            except ReportError as exc:
                fail(str(exc))
        try:
            write_atomically(html_file, page)
        except (FileExistsError, NotADirectoryError):
            fail(f"cannot write {html_file}: a part of its folder path is a file, not a directory")
        except OSError as exc:
            fail(f"cannot write {html_file}: {exc.strerror or exc}; choose another file or free some space")
        click.echo(f"wrote {html_file} ({len(page.encode()) // 1024} KB, opens offline)")
        return
    name = name or (SEARCH_REPORT if search is not None else DEFAULT_REPORT)
    if name not in known:
        fail(unknown_report(name, list(known)), 2)
    with closing(read_only(db)) as con:
        lock_down(con)
        try:
            columns, rows = fetch_report(con, name, where=where, search=search, limit=limit)
        except ReportError as exc:
            fail(str(exc), 2)
        echo_table(con, name, columns, rows, fmt, wide)


def echo_table(con: Any, name: str | None, columns: list[str], rows: list[Any], fmt: str, wide: bool) -> None:
    """Print report `name`'s rows (None: a query's) in the format; a table not --wide shows what a terminal can
    hold, and says on stderr how it differs from the stored rows."""
    if fmt != "table" or wide:
        click.echo(render(columns, rows, fmt, title=name, fit=not wide))
        return
    from rolesignal.flows.terminal import terminal_table
    from rolesignal.warehouse.reports import scanned_roots

    fitted = terminal_table(name, columns, rows, scanned_roots(con))
    click.echo(render(fitted.columns, fitted.rows, fmt, title=name))
    if fitted.note:
        click.echo(fitted.note, err=True)


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename into place: a failure never leaves half a file behind."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@db_option
def export(directory: Path, db: str) -> None:
    """Write every report to DIRECTORY as Parquet files.

    One DIRECTORY/<name>.parquet per warehouse view, for BI tools; older exports are replaced.
    """
    from rolesignal.warehouse.reports import ReportError, export_parquet

    with closing(read_only(db)) as con:
        try:
            written = export_parquet(con, directory)
        except ReportError as exc:
            fail(str(exc))
    rows = [(e.view, str(e.path), e.rows) for e in written]
    click.echo(render(["view", "file", "rows"], rows, "table", title=f"Exported {len(written)} views"))


@click.command()
@click.argument("query")
@db_option
@format_option
@wide_option
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="At most this many rows; 0 prints them all (csv, json and markdown stream any number of rows in batches; "
    "a table too big to lay out in memory is refused).",
)
def sql(query: str, db: str, fmt: str, wide: bool, limit: int) -> None:
    """Run one read-only SQL QUERY on the warehouse.

    Prints the result. The query runs on a locked-down read-only connection: one reading statement (SELECT, WITH ...
    SELECT, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA); no file access, no ATTACH, no extension install or
    load.
    """
    import sys

    from rolesignal.flows.output import stream
    from rolesignal.warehouse.reports import ReportError, run_query

    with closing(read_only(db)) as con:
        try:
            result = run_query(con, query)
        except ReportError as exc:
            fail(str(exc), 2)
        if result.description is None:
            return
        columns = [d[0] for d in result.description]
        if fmt != "table":
            stream(columns, _batches(result, limit), fmt, sys.stdout)
            sys.stdout.flush()  # the rows before the note about them, where both reach one terminal
            cut = limit > 0 and result.fetchone() is not None
        else:
            rows: list[tuple[Any, ...]] = []
            cost = 0
            for batch in _batches(result, limit + 1 if limit else 0, 1_000):  # one more row says whether it was cut
                rows += batch
                cost += sum(len(str(value)) + 200 for row in batch for value in row)
                if cost > TABLE_BUDGET:
                    fail(
                        f"the result is too big to lay out as a terminal table (it passed {len(rows):,} rows): give "
                        "--format csv, json or markdown, which stream any number of rows, or a smaller --limit",
                        2,
                    )
            cut = 0 < limit < len(rows)
            echo_table(con, None, columns, rows[:limit] if limit else rows, fmt, wide)
        if cut:
            click.echo(f"(the first {limit} rows; --limit N shows more, --limit 0 all)", err=True)


def _batches(result: Any, limit: int, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
    """The result's rows in batches of `size`, at most `limit` of them (0: all)."""
    left = limit or None
    while left is None or left > 0:
        batch = result.fetchmany(size if left is None else min(size, left))
        if not batch:
            return
        if left is not None:
            left -= len(batch)
        yield batch


@click.command()
@click.argument("path")
@db_option
def explain(path: str, db: str) -> None:
    """Explain why the document at PATH got its role.

    Shows the verdict, the scores, the guide's five questions, and each stated requirement with its signals and
    their guide passages. PATH may be the end of a stored path, such as a file name.
    """
    from rolesignal.flows.explain_text import explanation_text
    from rolesignal.warehouse.errors import AmbiguousPath
    from rolesignal.warehouse.explain import fetch_explanation

    with closing(read_only(db)) as con:
        try:
            explanation = fetch_explanation(con, path)
        except AmbiguousPath as exc:
            listed = "\n".join(f"  {shown(c)}" for c in exc.candidates)  # one line each, whatever the file names
            fail(f"{path} matches several documents; give more of the path:\n{listed}", 2)
    if explanation is None:
        fail(
            f"no classified document at {path} in {db}: scan its folder first (see also ingest_failures)",
            2,
        )
    click.echo(explanation_text(explanation))
