"""The `rolesignal` command line: the only place that prints or exits."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from contextlib import closing
from pathlib import Path
from typing import Any, NoReturn

import click

from flows.output import FORMATS, render

DEFAULT_DB = "rolesignal.duckdb"


def default_db() -> str:
    return os.environ.get("ROLESIGNAL_DB") or DEFAULT_DB


db_option = click.option(
    "--db",
    "db",
    default=default_db,
    show_default="rolesignal.duckdb, or $ROLESIGNAL_DB",
    help="The DuckDB warehouse file.",
)
rules_option = click.option(
    "--rules", "rules_dir", type=click.Path(file_okay=False), help="Use a team's copy of the rules directory."
)
dask_option = click.option(
    "--dask-address",
    metavar="tcp://HOST:PORT",
    help="Read and analyse the files on this Dask cluster's workers (they need rolesignal installed and the Prefect "
    "API); this process still writes the warehouse.",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format."
)


def fail(message: str, code: int = 1) -> None:
    click.echo(f"rolesignal: {message}", err=True)
    sys.exit(code)


def load_rules_or_fail(rules_dir: str | None):  # noqa: ANN201 - RuleSet import is deferred for start-up speed
    from rules.errors import RulesError
    from rules.load import load_rules

    try:
        return load_rules(rules_dir)
    except RulesError as exc:
        lines = "\n".join(f"  {p}" for p in exc.problems)
        fail(f"invalid rules in {rules_dir or 'the built-in rules'}:\n{lines}", 2)


def need_dask(dask_address: str | None) -> None:
    if dask_address:
        import importlib.util

        if importlib.util.find_spec("prefect_dask") is None:
            fail("--dask-address needs the dask extra: pip install -c constraints.txt 'rolesignal[dask]'", 2)


def read_only(db: str):  # noqa: ANN201
    """A read-only connection, or a clear message when there is none to be had."""
    from warehouse.connect import open_warehouse
    from warehouse.errors import WarehouseError

    try:
        return open_warehouse(db, read_only=True)
    except WarehouseError as exc:
        fail(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rolesignal")
def cli() -> None:
    """rolesignal: which role does the stated work need, an ML engineer or an AI developer?

    Scans a folder of job postings and RFPs (PDF, DOCX, text), finds the stated requirements, matches them to the
    hiring guide's signals and stores every decision, with its evidence, in a DuckDB warehouse.
    """


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@db_option
@rules_option
@click.option("--retry-failed", is_flag=True, help="Read again files that failed before even if they did not change.")
@click.option("--batch-size", default=200, show_default=True, help="Files per Prefect task (read and analysed).")
@click.option(
    "--write-size", default=512, show_default=True, help="Files per warehouse transaction (at least one batch)."
)
@click.option(
    "--file-timeout", default=60.0, show_default=True, help="Seconds one file may take to read before it is skipped."
)
@dask_option
def scan(
    folder: Path,
    db: str,
    rules_dir: str | None,
    retry_failed: bool,
    batch_size: int,
    write_size: int,
    file_timeout: float,
    dask_address: str | None,
) -> None:
    """Scan FOLDER (recursively) once, through the Prefect scan flow, and print a summary.

    New and changed files are read and classified; unchanged files are skipped; removed files leave the reports.
    Files that cannot be read are recorded in the ingest_failures view and the scan goes on. One scan per warehouse
    at a time: a second one exits with code 1.
    """
    if not folder.is_dir():
        fail(f"no such folder: {folder}", 2)
    rules = load_rules_or_fail(rules_dir)
    need_dask(dask_address)
    from flows.settings import no_heartbeat, quiet_prefect
    from warehouse.connect import scan_lock
    from warehouse.errors import WarehouseError

    try:
        with scan_lock(db):  # refuse before spending seconds on starting Prefect; the flow takes it again
            if not dask_address and _may_need_reading(folder, db, retry_failed):
                _start_readers(rules)
            quiet_prefect()
            from flows.progress import ProgressDisplay
            from flows.scan import scan_folder

            click.echo(f"Scanning {folder.resolve()} into {db} (rules {rules.version}) ...", err=True)
            with no_heartbeat(), ProgressDisplay():
                summary = scan_folder(
                    str(folder),
                    str(db),
                    rules_dir,
                    retry_failed,
                    batch_size,
                    file_timeout,
                    dask_address,
                    write_size=write_size,
                )
    except WarehouseError as exc:
        fail(str(exc))
    counts = ["files_seen", "new", "changed", "unchanged", "removed", "failed"]
    click.echo(render(counts, [[summary[c] for c in counts]], "table", title=f"Scan {summary['scan_id']}"))
    roles = summary["roles"]
    click.echo(render(["role", "documents"], sorted(roles.items()), "table", title="Roles"))
    if summary["failed"]:
        click.echo(f"{summary['failed']} file(s) could not be read: see `rolesignal report ingest_failures`.")


def _may_need_reading(folder: Path, db: str, retry_failed: bool) -> bool:
    """A quick look (stat, no hashing) whether this scan will read files; any doubt counts as yes."""
    from extractors.inventory import discover, may_need_reading
    from warehouse import store
    from warehouse.connect import open_warehouse

    if not Path(db).expanduser().exists():
        return True
    try:
        with closing(open_warehouse(db, read_only=True, timeout=1.0)) as con:
            known = store.known_files(con, str(folder.resolve()))
    except Exception:  # an old schema, a busy file: the flow will know; start the readers to be safe
        return True
    return may_need_reading(list(discover(folder.resolve())), known, retry_failed)


def _start_readers(rules: Any) -> None:
    """Start the worker processes now, in the background: the first one's ~2 s of imports then overlap Prefect's
    start-up (one CPU is idle while this process imports) instead of following the scan plan. The flow finds them
    ready."""
    import threading

    from extractors.pool import shared_pool

    threading.Thread(target=shared_pool, args=(rules, os.cpu_count() or 1), daemon=True).start()


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@db_option
@click.option("--cron", help="A cron schedule, e.g. '*/15 * * * *'.")
@click.option("--interval", type=click.FloatRange(min=1), help="Seconds between scans.")
@rules_option
@click.option("--name", default="scan-inbox", show_default=True, help="The Prefect deployment name.")
@dask_option
def serve(
    folder: Path,
    db: str,
    cron: str | None,
    interval: float | None,
    rules_dir: str | None,
    name: str,
    dask_address: str | None,
) -> None:
    """Serve the scan flow as a Prefect deployment that scans FOLDER on a schedule, until stopped (Ctrl-C).

    Uses the Prefect server PREFECT_API_URL names; without one, starts `prefect server start` on a free local port
    for as long as serve runs (its log goes to PREFECT_HOME/rolesignal-server.log).
    """
    if (cron is None) == (interval is None):
        fail("give exactly one of --cron or --interval", 2)
    if not folder.is_dir():
        fail(f"no such folder: {folder}", 2)
    load_rules_or_fail(rules_dir)
    need_dask(dask_address)
    from contextlib import ExitStack

    from flows.settings import quiet_prefect

    quiet_prefect()
    from flows import serve as serving

    parameters = {"folder": str(folder.resolve()), "db": str(Path(db).resolve()), "rules_dir": rules_dir}
    if dask_address:
        parameters["dask_address"] = dask_address
    every = f"cron {cron!r}" if cron else f"every {interval:g} s"
    with ExitStack() as stack:
        stack.enter_context(serving.sigterm_as_interrupt())
        api_url = serving.configured_api_url()
        if api_url is None:
            click.echo("No Prefect server configured (PREFECT_API_URL): starting one for this session ...", err=True)
            try:
                server = stack.enter_context(serving.local_server())
            except serving.ServerStartError as exc:
                fail(f"{exc}; see {exc.log_path}")
            except KeyboardInterrupt:
                fail("interrupted while the Prefect server was starting", 130)
            stack.enter_context(serving.using_api(server.api_url))
            click.echo(
                f"Prefect server at {server.api_url} (UI {server.ui_url}, log {server.log_path}); "
                "it stops when serve stops.",
                err=True,
            )
        else:
            click.echo(f"Using the Prefect server at {api_url}.", err=True)
        click.echo(f"Scanning {parameters['folder']} into {parameters['db']} {every}; Ctrl-C stops.", err=True)
        serving.serve_scans(name, parameters, cron, interval)
    click.echo("serve stopped.", err=True)


@cli.command()
@click.argument("name", required=False)
@db_option
@format_option
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
    list_reports: bool,
    where: str | None,
    search: str | None,
    limit: int | None,
    html_file: Path | None,
) -> None:
    """Print report NAME (a warehouse view); the default is role_summary, the roles per document kind.

    --where and --search filter the rows on a read-only connection that cannot touch files; `rolesignal report
    --list` names the reports and the column --search looks in.
    """
    from warehouse.reports import DEFAULT_REPORT, SEARCH_REPORT, ReportError, fetch_report, lock_down, reports

    known = reports()
    if list_reports:
        rows = [(r.name, r.description, r.search_column or "") for r in known.values()]
        click.echo(render(["report", "what it shows", "search"], rows, fmt))
        return
    if html_file is not None:
        from flows.html_report import build_html

        with closing(read_only(db)) as con:
            try:
                page = build_html(con, str(Path(db).resolve()))
            except ReportError as exc:
                fail(str(exc))
        html_file.parent.mkdir(parents=True, exist_ok=True)
        html_file.write_text(page, encoding="utf-8")
        click.echo(f"wrote {html_file} ({len(page.encode()) // 1024} KB, opens offline)")
        return
    name = name or (SEARCH_REPORT if search is not None else DEFAULT_REPORT)
    if name not in known:
        fail(f"no report named {name!r}; `rolesignal report --list` names them", 2)
    with closing(read_only(db)) as con:
        lock_down(con)
        try:
            columns, rows = fetch_report(con, name, where=where, search=search, limit=limit)
        except ReportError as exc:
            fail(str(exc), 2)
        click.echo(render(columns, rows, fmt, title=name))


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@db_option
def export(directory: Path, db: str) -> None:
    """Write every report (warehouse view) to DIRECTORY/<name>.parquet for BI tools, replacing older exports."""
    from warehouse.reports import ReportError, export_parquet

    with closing(read_only(db)) as con:
        try:
            written = export_parquet(con, directory)
        except ReportError as exc:
            fail(str(exc))
    rows = [(e.view, str(e.path), e.rows) for e in written]
    click.echo(render(["view", "file", "rows"], rows, "table", title=f"Exported {len(written)} views"))


@cli.command()
@click.argument("query")
@db_option
@format_option
def sql(query: str, db: str, fmt: str) -> None:
    """Run a read-only SQL QUERY against the warehouse and print the result."""
    import duckdb

    with closing(read_only(db)) as con:
        try:
            result = con.execute(query)
        except duckdb.Error as exc:
            fail(f"query failed: {str(exc).splitlines()[0]}", 2)
        if result.description is None:
            return
        columns = [d[0] for d in result.description]
        click.echo(render(columns, result.fetchall(), fmt))


@cli.command()
@click.argument("path")
@db_option
def explain(path: str, db: str) -> None:
    """Why the document at PATH got its role: requirements, signals, guide passages, scores, the five questions."""
    from flows.explain_text import explanation_text
    from warehouse.errors import AmbiguousPath
    from warehouse.explain import fetch_explanation

    with closing(read_only(db)) as con:
        try:
            explanation = fetch_explanation(con, path)
        except AmbiguousPath as exc:
            listed = "\n".join(f"  {c}" for c in exc.candidates)
            fail(f"{path} matches several documents; give more of the path:\n{listed}", 2)
    if explanation is None:
        fail(
            f"no classified document at {path} in {db}: scan its folder first (see also ingest_failures)",
            2,
        )
    click.echo(explanation_text(explanation))


@cli.group()
def rules() -> None:
    """Work with rules directories (patterns, signals, weights)."""


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def rules_check(directory: str | None) -> None:
    """Validate a rules DIRECTORY (default: the built-in rules) and list each problem with file and line."""
    from rules.load import check_rules, load_rules

    problems = check_rules(directory)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        fail(f"{len(problems)} problem(s) found", 1)
    ruleset = load_rules(directory)
    click.echo(
        f"ok: {len(ruleset.signals)} signals, {len(ruleset.signal_patterns)} signal patterns, "
        f"{len(ruleset.cues)} cues, {len(ruleset.sections)} section types; rules version {ruleset.version}"
    )


def main() -> None:
    try:
        cli(prog_name="rolesignal")
    except SystemExit as exc:  # click ends every run this way, success included
        _exit(exc)


def _exit(exc: SystemExit) -> NoReturn:
    """Exit as Python would, without tearing down every module first (~0.6 s once Prefect is loaded).

    The exit handlers run (Prefect's log and event flushing, the worker pool's shutdown) and the output is flushed;
    a non-daemon thread still running means something must finish, so then Python exits the usual way.
    """
    main_thread = threading.main_thread()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not main_thread):
        raise exc
    code = exc.code
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or stream: nothing more can be said there
            pass
    os._exit(code)
