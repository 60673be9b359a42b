"""One self-contained HTML page of charts over the report views (plotly, with plotly.js inlined: it opens offline)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from rolesignal.warehouse.reports import ReportError, fetch_report, missing_views

ROLE_COLORS = {"ml_engineer": "#2b6cb0", "ai_developer": "#dd6b20", "hybrid": "#805ad5", "none": "#a0aec0"}
ROLES = tuple(ROLE_COLORS)
SIDE_COLORS = {"ml": ROLE_COLORS["ml_engineer"], "ai": ROLE_COLORS["ai_developer"]}
TOP_SIGNALS = 10
TOP_FOLDERS = 20
TABLE_ROWS = 50
_PLOT_CONFIG = {"displaylogo": False, "responsive": True}
USED_VIEWS = (
    "coverage_gaps",
    "document_roles",
    "ingest_failures",
    "review_agreement",
    "review_queue",
    "reviewed_documents",
    "role_by_folder",
    "role_by_month",
    "role_summary",
    "scan_history",
    "signal_frequency",
    "title_mismatches",
)

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1a202c; }
h1 { margin: 0 0 4px 0; font-size: 24px; }
h2 { font-size: 17px; margin: 0 0 8px 0; }
.meta { color: #4a5568; font-size: 13px; margin-bottom: 16px; }
.tiles { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 20px; }
.tile { border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.tile .n { font-size: 24px; font-weight: 600; }
.tile .what { font-size: 12px; color: #4a5568; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 20px; }
.card { border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px; }
.note { color: #4a5568; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #edf2f7; vertical-align: top; }
th { background: #f7fafc; }
"""


def _rows(con: duckdb.DuckDBPyConnection, name: str, where: str | None = None) -> list[dict[str, Any]]:
    columns, rows = fetch_report(con, name, where=where)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _figure_html(figure: Any) -> str:  # noqa: ANN401 - a plotly Figure, imported lazily
    return figure.to_html(full_html=False, include_plotlyjs=False, config=_PLOT_CONFIG, default_height="380px")


def _layout(figure: Any, **extra: Any) -> None:  # noqa: ANN401
    figure.update_layout(
        margin={"l": 10, "r": 10, "t": 32, "b": 10},
        uniformtext={"minsize": 9, "mode": "hide"},
        legend={"orientation": "h", "y": -0.15, "traceorder": "normal"},
        plot_bgcolor="white",
        **extra,
    )
    figure.update_xaxes(gridcolor="#edf2f7", automargin=True)
    figure.update_yaxes(gridcolor="#edf2f7", automargin=True)


def _stacked_roles(categories: Sequence[str], counts: dict[str, list[int]], horizontal: bool = False) -> Any:  # noqa: ANN401
    import plotly.graph_objects as go

    figure = go.Figure()
    for role in ROLES:
        values = counts[role]
        bar = (
            {"y": list(categories), "x": values, "orientation": "h"}
            if horizontal
            else {"x": list(categories), "y": values}
        )
        figure.add_trace(go.Bar(name=role, marker_color=ROLE_COLORS[role], text=values, **bar))
    _layout(figure, barmode="stack")
    if horizontal:
        figure.update_yaxes(autorange="reversed", type="category")
    else:
        figure.update_xaxes(type="category")
    return figure


def role_mix_chart(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = _rows(con, "role_summary")
    kinds = sorted({r["doc_kind"] for r in rows})
    if not kinds:
        return None
    counts = {role: [0] * len(kinds) for role in ROLES}
    for r in rows:
        counts.setdefault(r["role"], [0] * len(kinds))[kinds.index(r["doc_kind"])] = r["documents"]
    return _figure_html(_stacked_roles(kinds, counts))


def role_over_time_chart(con: duckdb.DuckDBPyConnection, basis: str) -> str | None:
    rows = _rows(con, "role_by_month", where=f"basis = '{basis}'")
    if not rows:
        return None
    months = [r["month"].strftime("%Y-%m") for r in rows]
    counts = {role: [r[role] for r in rows] for role in ROLES}
    return _figure_html(_stacked_roles(months, counts))


def role_by_folder_chart(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = sorted(_rows(con, "role_by_folder"), key=lambda r: -r["documents"])[:TOP_FOLDERS]
    rows = [r for r in rows if r["documents"]]
    if not rows:
        return None
    several_roots = len({r["root"] for r in rows}) > 1
    labels = [folder_label(r["root"], r["folder"], several_roots) for r in rows]
    counts = {role: [r[role] for r in rows] for role in ROLES}
    figure = _stacked_roles(labels, counts, horizontal=True)
    figure.update_layout(height=max(260, 60 + 28 * len(rows)))
    return _figure_html(figure)


def folder_label(root: str, folder: str, whole_root: bool) -> str:
    """A subfolder as a chart names it: under the scanned folder's own name ('.', the top, was hard to see), or
    under the whole root path when several roots are charted."""
    top = root if whole_root else Path(root).name or root
    return top if folder == "." else f"{top}/{folder}"


def documents(n: int) -> str:
    return f"{n} doc" if n == 1 else f"{n} docs"


def top_signals_chart(con: duckdb.DuckDBPyConnection, side: str) -> str | None:
    import plotly.graph_objects as go

    rows = _rows(con, "signal_frequency", where=f"side = '{side}' AND documents > 0")[:TOP_SIGNALS]
    if not rows:
        return None
    figure = go.Figure(
        go.Bar(
            y=[f"{r['label']} ({r['signal_id']})" for r in rows],
            x=[round(100 * (r["share"] or 0), 1) for r in rows],
            orientation="h",
            marker_color=SIDE_COLORS[side],
            text=[documents(r["documents"]) for r in rows],
            textposition="auto",
            customdata=[[r["documents"], r["hits"]] for r in rows],
            hovertemplate="%{y}<br>%{x}% of documents (%{customdata[0]}), %{customdata[1]} hits<extra></extra>",
        )
    )
    _layout(figure, xaxis_title="% of current documents", height=max(260, 60 + 32 * len(rows)))
    figure.update_yaxes(autorange="reversed")
    return _figure_html(figure)


def agreement_chart(con: duckdb.DuckDBPyConnection) -> str | None:
    """Agreement with the reviews per rules version, oldest first: how the rules fared over time on people's eyes."""
    import plotly.graph_objects as go

    rows = _rows(con, "review_agreement")
    if not rows:
        return None
    labels = [f"{r['rules_version']}{' (in force)' if r['in_force'] else ''}" for r in rows]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=[round(100 * r["agreement"], 1) for r in rows],
            marker_color=[ROLE_COLORS["ai_developer"] if r["in_force"] else ROLE_COLORS["none"] for r in rows],
            text=[f"{r['agreeing']} of {r['reviewed']}" for r in rows],
            textposition="auto",
            customdata=[[r["first_scan_at"].strftime("%Y-%m-%d") if r["first_scan_at"] else "no scan"] for r in rows],
            hovertemplate="rules %{x}<br>%{y}% agree (%{text})<br>first scan %{customdata[0]}<extra></extra>",
        )
    )
    _layout(figure, yaxis_title="% of reviewed documents", yaxis_range=[0, 100])
    figure.update_xaxes(type="category")
    return _figure_html(figure)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            value = row[c]
            if isinstance(value, float):
                value = f"{value:.2f}"
            elif isinstance(value, list | tuple):
                value = ", ".join(str(v) for v in value)
            cells.append(f"<td>{html.escape('' if value is None else str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _card(title: str, content: str | None, note: str = "", wide: bool = False) -> str:
    style = ' style="grid-column: 1 / -1"' if wide else ""
    inner = content if content is not None else '<p class="note">No data yet.</p>'
    note_html = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return f'<section class="card"{style}><h2>{html.escape(title)}</h2>{note_html}{inner}</section>'


def _tiles(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """The headline numbers, and a line on the latest scan."""
    documents = con.execute("SELECT count(*) FROM document_roles").fetchone()[0]
    failed = con.execute("SELECT count(*) FROM ingest_failures").fetchone()[0]
    review = con.execute("SELECT count(*) FROM review_queue").fetchone()[0]
    reviewed, agreeing = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE agrees) FROM reviewed_documents"
    ).fetchone()
    mismatches = con.execute("SELECT count(*) FROM title_mismatches").fetchone()[0]
    gaps = con.execute("SELECT count(*) FROM coverage_gaps").fetchone()[0]
    tiles = [
        (documents, "documents classified"),
        (failed, "files that could not be read"),
        (review, "decisions to review"),
        (f"{agreeing}/{reviewed}" if reviewed else "0", "reviewed documents the tool agrees on"),
        (mismatches, "title mismatches"),
        (gaps, "unmatched requirement texts"),
    ]
    tiles_html = "".join(
        f'<div class="tile"><div class="n">{n}</div><div class="what">{html.escape(what)}</div></div>'
        for n, what in tiles
    )
    last = con.execute(
        "SELECT scan_id, root, finished_at, rules_version FROM scan_history ORDER BY scan_id DESC LIMIT 1"
    ).fetchone()
    finished = last[2].strftime("%Y-%m-%d %H:%M:%S") if last and last[2] else "not yet"
    scan_line = (
        f"Latest scan #{last[0]} of {last[1]}, finished {finished} UTC, rules {last[3]}." if last else "No scan yet."
    )
    return tiles_html, scan_line


def build_html(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """The whole page: headline numbers, role charts, top signals per side, agreement with the reviewers and where
    they disagree, and the title mismatches."""
    from plotly.offline import get_plotlyjs

    missing = missing_views(con, USED_VIEWS)
    if missing:
        raise ReportError(
            f"this warehouse has no {', '.join(missing)} view yet: the next `rolesignal scan` into it creates them"
        )
    tiles, scan_line = _tiles(con)
    mismatches = _rows(con, "title_mismatches")
    mismatch_columns = ["file_name", "doc_kind", "title", "title_role", "role", "confidence"]
    more = len(mismatches) - TABLE_ROWS
    mismatch_note = "Documents whose title suggests another role than their stated work, most confident first." + (
        f" {more} more: rolesignal report title_mismatches." if more > 0 else ""
    )
    disagreements = _rows(con, "reviewed_documents", where="NOT agrees")
    disagreement_columns = ["file_name", "title", "role", "reviewed_role", "reviewed_by", "reviewed_at", "note"]
    more_disagreements = len(disagreements) - TABLE_ROWS
    agreement = agreement_chart(con)
    agreement_note = (
        "Share of the reviewed documents each rules version decided as people did, oldest version first; "
        "rolesignal evaluate has the whole scoring."
        if agreement
        else "No reviews yet: rolesignal review --next asks about the review queue, one key per document."
    )
    cards = [
        _card("Role mix by document kind", role_mix_chart(con), "Current documents per kind and role."),
        _card(
            "Role mix by subfolder",
            role_by_folder_chart(con),
            f"Largest {TOP_FOLDERS} folders, relative to the scan root.",
        ),
        _card(
            "Role mix by month the file was modified",
            role_over_time_chart(con, "file_modified"),
            "Current documents by the month of their file's modification time (UTC).",
        ),
        _card(
            "Role mix by month first scanned",
            role_over_time_chart(con, "first_scanned"),
            "Current documents by the month of the scan that first found them.",
        ),
        _card("Top ML-engineer signals", top_signals_chart(con, "ml"), "Share of current documents with the signal."),
        _card("Top AI-developer signals", top_signals_chart(con, "ai"), "Share of current documents with the signal."),
        _card("Agreement with reviewers per rules version", agreement, agreement_note),
        _card(
            f"Where the tool and reviewers disagree ({len(disagreements)})",
            _table(disagreements[:TABLE_ROWS], disagreement_columns) if disagreements else '<p class="note">None.</p>',
            "Reviewed documents whose current decision differs from the review in force."
            + (f" {more_disagreements} more: rolesignal report reviewed_documents." if more_disagreements > 0 else ""),
            wide=True,
        ),
        _card(
            f"Title mismatches ({len(mismatches)})",
            _table(mismatches[:TABLE_ROWS], mismatch_columns) if mismatches else '<p class="note">None.</p>',
            mismatch_note,
            wide=True,
        ),
    ]
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rolesignal report</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<h1>rolesignal: which role does the stated work need?</h1>
<div class="meta">{html.escape(source)} &middot; {html.escape(scan_line)} &middot; generated {generated}</div>
<div class="tiles">{tiles}</div>
<div class="grid">{"".join(cards)}</div>
</body>
</html>
"""
