"""Printing query results as a table, CSV, JSON or Markdown (the CLI's only output format code)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
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


# Values a table never cuts: numbers, truth values and times are wrong when cut, and short.
_FIXED = (int, float, Decimal, dt.date, dt.datetime)


def _shown(value: Any) -> str:
    """A cell as a terminal table shows it: on one line, timestamps to the second, control characters as escapes."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return shown(" ".join(_cell(value).split()) if isinstance(value, str) else _cell(value))


def _csv_cell(value: Any) -> str:
    # Escaped as in a table, in a pipe too: click would drop some escape sequences there and pass others, and a CSV
    # file ends up on a terminal sooner or later. Newlines are CSV's to quote. JSON escapes every control character.
    return shown(_cell(value), newlines=True)


def _markdown_header(columns: Sequence[str]) -> list[str]:
    return ["| " + " | ".join(shown(c) for c in columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]


def _markdown_row(row: Sequence[Any]) -> str:
    # One row a line: a newline in a cell would end its row, so it is escaped like any control character.
    return "| " + " | ".join(shown(_cell(v)).replace("|", "\\|") for v in row) + " |"


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str,
    title: str | None = None,
    fit: bool = True,
    wrap: Sequence[str] = (),
) -> str:
    """The rows in the chosen format, as one string (tables are rendered by rich for a terminal: with `fit`, as wide
    as the terminal at most, long text cut with an ellipsis, or wrapped at words in the `wrap` columns)."""
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

    from rolesignal.flows.terminal import fit_widths, is_path_column, shorten, terminal_width

    # On a terminal (or with COLUMNS), fit its width; in a pipe or file, columns take their natural width.
    width = terminal_width() if fit else None
    cells = [[_shown(v) for v in row] for row in rows]
    fixed = [i for i in range(len(columns)) if all(isinstance(row[i], _FIXED) or row[i] is None for row in rows)]
    widths = fit_widths(columns, cells, width, fixed) if width else [None] * len(columns)
    # Every cell, header and title is plain Text: document-derived strings such as "[/INST]", "[red]" or ":x:" are
    # shown as written, never read as rich markup or emoji codes (markup in a title crashed the report); control
    # characters are written as escapes (rich passes ESC through).
    columns = [shown(c) for c in columns]
    table = Table(
        title=Text(shown(title)) if title is not None else None,
        caption=Text("no rows") if widths is None and not cells else None,
        show_lines=False,
        show_header=widths is not None,
    )
    if widths is None:  # more columns than the terminal has room for: each row as a list of column and value
        _add_records(table, columns, cells, width or 0)
    else:
        for column, cut in zip(columns, widths, strict=True):
            if cut is None or column in wrap:
                table.add_column(Text(column), overflow="fold", width=cut)
            else:
                table.add_column(Text(column), overflow="ellipsis", no_wrap=True)
        for row in cells:
            table.add_row(
                *(
                    Text(v if cut is None or c in wrap else shorten(v, cut, is_path_column(c)))
                    for c, v, cut in zip(columns, row, widths, strict=True)
                )
            )
    console = Console(record=True, width=width or 10_000, file=io.StringIO())
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def _add_records(table: Any, columns: Sequence[str], cells: Sequence[Sequence[str]], width: int) -> None:
    """Each row as lines of column and value, rows apart (psql's expanded display): values wrap at words."""
    from rich.cells import cell_len
    from rich.text import Text

    names = max(cell_len(c) for c in columns)
    table.add_column(no_wrap=True, width=names)
    table.add_column(overflow="fold", width=max(10, width - names - 7))
    for row in cells:
        for i, (column, value) in enumerate(zip(columns, row, strict=True)):
            table.add_row(Text(column), Text(value), end_section=i == len(columns) - 1)


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
