"""Printing query results as a table, CSV, JSON or Markdown (the CLI's only output format code)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TextIO

FORMATS = ("table", "csv", "json", "markdown")

# C0 and C1 control characters but tab: ESC starts sequences that clear the screen, move the cursor, hide text or
# retitle the terminal; CR and backspace overwrite what was printed; a newline in a file name forges a line.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str, newlines: bool = False) -> str:
    """text for a terminal: each control character written as an escape (ESC as \\x1b), newlines kept if asked."""
    pattern = _CONTROL_BUT_NEWLINE if newlines else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
    return str(_plain(value))


def _csv_cell(value: Any) -> str:
    # Escaped as in a table, in a pipe too: click would drop some escape sequences there and pass others, and a CSV
    # file ends up on a terminal sooner or later. Newlines are CSV's to quote. JSON escapes every control character.
    return shown(_cell(value), newlines=True)


def _markdown_header(columns: Sequence[str]) -> list[str]:
    return ["| " + " | ".join(shown(c) for c in columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]


def _markdown_row(row: Sequence[Any]) -> str:
    # One row a line: a newline in a cell would end its row, so it is escaped like any control character.
    return "| " + " | ".join(shown(_cell(v)).replace("|", "\\|") for v in row) + " |"


def render(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, title: str | None = None) -> str:
    """The rows in the chosen format, as one string (tables are rendered by rich for a terminal)."""
    if fmt == "json":
        return json.dumps([{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows], indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([shown(c) for c in columns])
        writer.writerows([[_csv_cell(v) for v in row] for row in rows])
        return buffer.getvalue().rstrip("\n")
    if fmt == "markdown":
        return "\n".join([*_markdown_header(columns), *(_markdown_row(row) for row in rows)])
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Every cell, header and title is plain Text: document-derived strings such as "[/INST]", "[red]" or ":x:" are
    # shown as written, never read as rich markup or emoji codes (markup in a title crashed the report); control
    # characters are written as escapes (rich passes ESC through). A cell keeps its lines, inside its borders.
    table = Table(title=Text(shown(title)) if title is not None else None, show_lines=False)
    for column in columns:
        table.add_column(Text(shown(column)), overflow="fold")
    for row in rows:
        table.add_row(*(Text(shown(_cell(v), newlines=True)) for v in row))
    # On a terminal, fit its width; in a pipe or file, let columns take their natural width instead of folding.
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 10_000
    console = Console(record=True, width=width, file=io.StringIO())
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def stream(columns: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]], fmt: str, out: TextIO) -> int:
    """Write the rows batch by batch as CSV, JSON or Markdown (a result of any size in little memory); returns the row
    count. A rich table needs every row to size its columns, so it does not stream."""
    count = 0
    if fmt == "markdown":
        out.write("\n".join(_markdown_header(columns)) + "\n")
        for batch in batches:
            out.writelines(_markdown_row(row) + "\n" for row in batch)
            count += len(batch)
        return count
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([shown(c) for c in columns])
        for batch in batches:
            writer.writerows([[_csv_cell(v) for v in row] for row in batch])
            count += len(batch)
        return count
    if fmt != "json":
        raise ValueError(f"only csv, json and markdown stream, not {fmt}")
    out.write("[")
    for batch in batches:
        for row in batch:
            record = json.dumps({c: _plain(v) for c, v in zip(columns, row, strict=True)}, default=str)
            out.write(("," if count else "") + "\n  " + record)
            count += 1
    out.write("\n]\n" if count else "]\n")
    return count
