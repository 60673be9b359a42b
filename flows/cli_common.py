"""What the `rolesignal` commands share: the common options, the default warehouse, and failing with a message."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import click

from rolesignal.flows.output import FORMATS, shown

DEFAULT_DB = "rolesignal.duckdb"


class Seconds(click.ParamType):
    """A finite number of seconds of at least `least` (click's FloatRange lets nan and inf through)."""

    name = "seconds"

    def __init__(self, least: float, open_at_least: bool = False) -> None:
        self.least = least
        self.open_at_least = open_at_least

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        too_small = seconds <= self.least if self.open_at_least else seconds < self.least
        if math.isnan(seconds) or math.isinf(seconds) or too_small:
            bound = f"more than {self.least:g}" if self.open_at_least else f"at least {self.least:g}"
            self.fail(f"{value!r} is not a finite number of seconds {bound}", param, ctx)
        return seconds


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
wide_option = click.option(
    "--wide",
    is_flag=True,
    help="Tables: every column and every value whole, rows as wide as they are (for `less -S`); by default a table "
    "fits the terminal.",
)


def fail(message: str, code: int = 1) -> None:
    # Messages quote file names, paths and DuckDB's words about a query: no control character reaches the terminal.
    click.echo(f"rolesignal: {shown(message, newlines=True)}", err=True)
    sys.exit(code)


def load_rules_or_fail(rules_dir: str | None):  # noqa: ANN201 - RuleSet import is deferred for start-up speed
    from rolesignal.rules.errors import RulesError
    from rolesignal.rules.load import load_rules, size_warning

    try:
        rules = load_rules(rules_dir)
    except RulesError as exc:
        fail(f"invalid rules in {rules_dir or 'the built-in rules'}:\n{exc.listing()}", 2)
    warning = size_warning(rules)
    if warning:
        click.echo(f"rolesignal: warning: {warning}", err=True)
    return rules


def warehouse_usable_or_fail(db: str) -> None:
    """One sentence and exit 1 when --db cannot be a rolesignal warehouse, before any Prefect work starts."""
    from rolesignal.warehouse.errors import WarehouseError
    from rolesignal.warehouse.preflight import check_warehouse

    try:
        check_warehouse(db)
    except WarehouseError as exc:
        fail(str(exc))


def need_dask(dask_address: str | None) -> None:
    if dask_address:
        import importlib.util

        if importlib.util.find_spec("prefect_dask") is None:
            fail("--dask-address needs the dask extra: pip install -c constraints.txt 'rolesignal[dask]'", 2)


def read_only(db: str):  # noqa: ANN201
    """A read-only connection, or a clear message when there is none to be had."""
    from rolesignal.warehouse.connect import open_warehouse
    from rolesignal.warehouse.errors import WarehouseError, WarehouseMissing

    try:
        return open_warehouse(db, read_only=True)
    except WarehouseMissing as exc:
        fail(missing_warehouse_message(exc.path))
    except WarehouseError as exc:
        fail(str(exc))


def writable(db: str):  # noqa: ANN201
    """A writable, migrated connection to an existing warehouse (review writes), or a clear message."""
    from rolesignal.warehouse.connect import open_warehouse
    from rolesignal.warehouse.errors import WarehouseError
    from rolesignal.warehouse.schema import migrate

    warehouse_usable_or_fail(db)
    if str(db) != ":memory:" and not Path(db).expanduser().exists():
        fail(missing_warehouse_message(db))
    try:
        con = open_warehouse(db)
    except WarehouseError as exc:
        fail(str(exc))
    try:
        migrate(con)  # a warehouse an older rolesignal wrote gets the reviews table before the first review
    except WarehouseError as exc:
        con.close()
        fail(str(exc))
    return con


def missing_warehouse_message(db: str, folder: Path | None = None) -> str:
    """No warehouse at `db`: where that name came from, how to make it or name another, and the warehouses here."""
    folder = folder or Path.cwd()
    context = click.get_current_context(silent=True)
    given = context is not None and context.get_parameter_source("db") == click.core.ParameterSource.COMMANDLINE
    source = "--db" if given else "ROLESIGNAL_DB" if os.environ.get("ROLESIGNAL_DB") else "the default"
    message = (
        f"no warehouse at {db} ({source}): `rolesignal scan FOLDER` makes it, --db PATH or ROLESIGNAL_DB names another"
    )
    try:
        here = sorted(p.name for p in folder.glob("*.duckdb") if p.is_file())
    except OSError:  # an unreadable working directory has nothing to suggest
        here = []
    if here:
        more = f" and {len(here) - 5} more" if len(here) > 5 else ""
        message += f"; in this folder: {', '.join(here[:5])}{more}"
    return message
