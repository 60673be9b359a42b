"""The `rolesignal` command line: the group, scan, serve and rules here, the read commands in flows/cli_reports.py;
with flows/cli_common.py the only place that prints or exits."""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from rolesignal.flows.cli_common import (
    Seconds,
    dask_option,
    db_option,
    fail,
    load_rules_or_fail,
    need_dask,
    rules_option,
    warehouse_usable_or_fail,
)
from rolesignal.flows.cli_evaluate import evaluate
from rolesignal.flows.cli_reports import explain, export, report, sql
from rolesignal.flows.cli_review import review
from rolesignal.flows.output import render, shown
from rolesignal.flows.prefect_adaptations import exit_without_teardown


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rolesignal")
def cli() -> None:
    """rolesignal: which role does the stated work need, an ML engineer or an AI developer?

    Scans a folder of job postings and RFPs (PDF, DOCX, text and Markdown), finds the stated requirements, matches
    them to the hiring guide's signals and stores every decision, with its evidence, in a DuckDB warehouse.
    """


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@db_option
@rules_option
@click.option("--retry-failed", is_flag=True, help="Read again files that failed before even if they did not change.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Files per Prefect task (read and analysed).",
)
@click.option(
    "--write-size",
    type=click.IntRange(min=1),
    default=512,
    show_default=True,
    help="Files per warehouse transaction (at least one batch).",
)
@click.option(
    "--file-timeout",
    type=Seconds(0, open_at_least=True),
    default=60.0,
    show_default=True,
    help="Seconds one file may take to read before it is skipped (finite, above 0).",
)
@click.option("--yes", is_flag=True, help="Scan the file system root or a home directory all the same.")
@dask_option
def scan(
    folder: Path,
    db: str,
    rules_dir: str | None,
    retry_failed: bool,
    batch_size: int,
    write_size: int,
    file_timeout: float,
    yes: bool,
    dask_address: str | None,
) -> None:
    """Scan the PDF, DOCX, text and Markdown files under FOLDER once.

    Runs the Prefect scan flow over FOLDER and its subfolders and prints a summary. New and changed files are read
    and classified; unchanged files are skipped; removed files leave the reports.
    Files that cannot be read are recorded in the ingest_failures view and the scan goes on. One scan per warehouse
    at a time: a second one exits with code 1.
    """
    if not folder.is_dir():
        fail(f"no such folder: {folder}", 2)
    if not yes and too_wide(folder):
        fail(
            f"{folder} is the file system root or a home directory: a scan would read every file under it; "
            "point at the folder of documents, or give --yes if you mean it",
            2,
        )
    rules = load_rules_or_fail(rules_dir)
    need_dask(dask_address)
    from rolesignal.flows.prefect_adaptations import no_heartbeat, temporary_server_dies_with_us
    from rolesignal.flows.settings import quiet_prefect
    from rolesignal.warehouse.connect import scan_lock
    from rolesignal.warehouse.errors import WarehouseError

    warehouse_usable_or_fail(db)  # a bad --db is one sentence within a second, before any Prefect start-up
    try:
        with scan_lock(db):  # refuse before spending seconds on starting Prefect; the flow takes it again
            if not dask_address and _may_need_reading(folder, db, retry_failed):
                _start_readers(rules)
            quiet_prefect()
            from rolesignal.flows.prefect_ui import ui_link
            from rolesignal.flows.progress import ProgressDisplay
            from rolesignal.flows.scan import scan_folder

            where = f"{shown(str(folder.resolve()))} into {shown(db)}"
            click.echo(f"Scanning {where} (rules {rules.version}) ...", err=True)
            with no_heartbeat(), temporary_server_dies_with_us(), ProgressDisplay():
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
    if summary["flow_run_id"] and (link := ui_link("flow-run", summary["flow_run_id"])):
        click.echo(f"The run, its logs and artifacts in the Prefect UI: {link}", err=True)


def _may_need_reading(folder: Path, db: str, retry_failed: bool) -> bool:
    """A quick look (stat, no hashing) whether this scan will read files; any doubt counts as yes."""
    from rolesignal.flows.inventory import discover, may_need_reading
    from rolesignal.warehouse import store
    from rolesignal.warehouse.connect import open_warehouse

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

    from rolesignal.flows.pool import shared_pool

    threading.Thread(target=shared_pool, args=(rules, os.cpu_count() or 1), daemon=True).start()


def too_wide(folder: Path) -> bool:
    """The file system root or a home directory: folders nobody means to scan whole by accident."""
    resolved = folder.resolve()
    homes = {Path.home().resolve(), *(p.resolve() for p in (Path("/home"), Path("/Users")) if p.is_dir())}
    return resolved == Path(resolved.anchor) or resolved in homes or resolved.parent in homes - {Path.home().resolve()}


def check_cron(cron: str) -> None:
    """Exit with a usage error unless Prefect accepts the cron expression (checked before any server starts)."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron)
    except ValidationError as exc:
        reason = exc.errors()[0].get("msg", "invalid").removeprefix("Value error, ")
        fail(f"--cron {cron!r}: {reason}; give five fields, e.g. '*/15 * * * *' (every 15 minutes)", 2)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@db_option
@click.option("--cron", help="A cron schedule, e.g. '*/15 * * * *'.")
@click.option("--interval", type=Seconds(1), help="Seconds between scans (finite, at least 1).")
@rules_option
@click.option("--name", default="scan-inbox", show_default=True, help="The Prefect deployment name.")
@click.option(
    "--run-now/--no-run-now",
    default=True,
    show_default=True,
    help="Scan once at start, then on the schedule (--no-run-now: first scan when the schedule says).",
)
@dask_option
def serve(
    folder: Path,
    db: str,
    cron: str | None,
    interval: float | None,
    rules_dir: str | None,
    name: str,
    run_now: bool,
    dask_address: str | None,
) -> None:
    """Scan FOLDER on a schedule, as a Prefect deployment.

    Serves the scan flow as a Prefect deployment until stopped (Ctrl-C). The first scan runs at once (--no-run-now:
    when the schedule says). Uses the Prefect server PREFECT_API_URL names; without one, starts `prefect server
    start` on a free local port, its UI pointed at that port, for as long as serve runs (its log goes to
    PREFECT_HOME/rolesignal-server.log).
    """
    if (cron is None) == (interval is None):
        fail("give exactly one of --cron or --interval", 2)
    if not folder.is_dir():
        fail(f"no such folder: {folder}", 2)
    if cron is not None:
        check_cron(cron)
    load_rules_or_fail(rules_dir)
    need_dask(dask_address)
    warehouse_usable_or_fail(db)
    from contextlib import ExitStack

    from rolesignal.flows.prefect_adaptations import plain_http_api_tls
    from rolesignal.flows.settings import quiet_prefect

    quiet_prefect()
    from rolesignal.flows import serve as serving

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
        stack.enter_context(plain_http_api_tls(api_url or server.api_url))
        where = f"{shown(parameters['folder'])} into {shown(parameters['db'])}"
        click.echo(f"Scanning {where} {every}; Ctrl-C stops.", err=True)
        serving.serve_scans(name, parameters, cron, interval, run_now=run_now, announce=_announce)
    click.echo("serve stopped.", err=True)


def _announce(served: Any) -> None:
    """What serve registered, where to see it, and when the first scan runs."""
    where = f" (UI {served.ui_url})" if served.ui_url else ""
    first = "the first scan runs now" if served.run_now else "the first scan runs when the schedule says"
    click.echo(f"Deployment {served.deployment_name} registered{where}; {first}.", err=True)


for command in (report, export, sql, explain, review, evaluate):
    cli.add_command(command)


@cli.group()
def rules() -> None:
    """Work with rules directories (patterns, signals, weights)."""


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def rules_check(directory: str | None) -> None:
    """Validate a rules DIRECTORY (default: the built-in rules).

    Lists each problem with its file and line, and exits 1 when there is one.
    """
    from rolesignal.rules.load import check_rules, load_rules, size_warning

    problems = check_rules(directory)
    if problems:
        for problem in problems:
            click.echo(shown(str(problem)))  # quotes the rules files, which may come from anyone
        fail(f"{len(problems)} problem(s) found", 1)
    ruleset = load_rules(directory)
    click.echo(
        f"ok: {len(ruleset.signals)} signals, {len(ruleset.signal_patterns)} signal patterns, "
        f"{len(ruleset.cues)} cues, {len(ruleset.sections)} section types; rules version {ruleset.version}"
    )
    warning = size_warning(ruleset)
    if warning:
        click.echo(f"warning: {warning}")


def main() -> None:
    try:
        cli(prog_name="rolesignal")
    except SystemExit as exc:  # click ends every run this way, success included
        exit_without_teardown(exc)
