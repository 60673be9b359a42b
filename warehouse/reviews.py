"""People's decisions (reviews): record, clear, look up and list them, and read labels files into reviews.

A review belongs to a content (the sha256 of the file), never to a path: a renamed, moved or rescanned file keeps
its review, a rules change leaves it alone, and a removed file finds it again when it comes back. Every review is
kept: the latest row of a content is its review (a row without a role clears it), the earlier rows its history.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from rolesignal.rules.types import ROLES
from rolesignal.warehouse.connect import atomic, utcnow
from rolesignal.warehouse.errors import WarehouseError
from rolesignal.warehouse.explain import find_path
from rolesignal.warehouse.rows import arrow

SOURCES = ("command", "session", "import")
# The columns of a labels file that name a document, in the order one is taken when a row fills several.
KEY_COLUMNS = ("content_hash", "path", "file_name")
# labels.csv of the shared corpus names its documents in a `file` column.
COLUMN_ALIASES = {"file": "file_name"}
EXPORT_COLUMNS = (
    "path",
    "file_name",
    "content_hash",
    "role",
    "note",
    "by",
    "reviewed_at",
    "tool_role",
    "rules_version",
)


class ReviewError(WarehouseError):
    """A review that cannot be recorded (an unknown role, an unknown document)."""


class LabelsError(ReviewError):
    """A labels file with bad lines; `problems` names each as (line, what is wrong); nothing of it was used."""

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.source = source
        self.problems = sorted(problems)
        self.listing = "\n".join(f"  line {line}: {what}" if line else f"  {what}" for line, what in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s), none of its lines was used:\n{self.listing}")

    def __reduce__(self) -> tuple:
        return type(self), (self.source, self.problems)


@dataclass(frozen=True)
class Reviewable:
    """A stored document content a review can be given to, with the tool's decision for it now."""

    content_hash: str
    path: str | None  # a current path of the content, or None when every file of it is gone
    title: str
    role: str | None  # the tool's role now (None when not classified)
    confidence: float | None
    rules_version: str | None


@dataclass(frozen=True)
class Review:
    """One row of the reviews table."""

    review_id: int
    content_hash: str
    role: str | None  # None: this row cleared the review
    note: str | None
    reviewed_by: str
    reviewed_at: datetime
    path: str | None
    source: str
    tool_role: str | None
    tool_confidence: float | None
    rules_version: str | None


@dataclass(frozen=True)
class LabelRow:
    """One row of a labels file: the document it names (by content_hash, path or file_name) and the role."""

    line: int
    key: str  # one of KEY_COLUMNS
    value: str
    role: str
    note: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class Label:
    """A labels file row with the stored content it names (and a current path of it, when there is one)."""

    row: LabelRow
    content_hash: str
    path: str | None


_REVIEW_COLUMNS = (
    "review_id, content_hash, role, note, reviewed_by, reviewed_at, path, source, tool_role, tool_confidence, "
    "rules_version"
)


def normalise_role(value: str) -> str | None:
    """The role a person meant ('ML Engineer', 'ai-developer', ' none '), or None when it is none of the four."""
    role = "_".join(value.strip().lower().replace("-", " ").split())
    return role if role in ROLES else None


def reviewable_at(con: duckdb.DuckDBPyConnection, path: str) -> Reviewable | None:
    """The current document at `path` (resolved, or a unique path suffix); None when there is none."""
    found = find_path(con, path)
    if found is None:
        return None
    row = con.execute(
        "SELECT content_hash, path, title, role, confidence, rules_version FROM document_roles WHERE path = ?", [found]
    ).fetchone()
    return Reviewable(*row)


def reviewable(con: duckdb.DuckDBPyConnection, content_hash: str) -> Reviewable | None:
    """The stored content with this hash (current or not); None when the warehouse never stored it."""
    row = con.execute(
        "SELECT d.content_hash, "
        "  (SELECT min(f.path) FROM files AS f WHERE f.content_hash = d.content_hash AND f.status = 'ok'), "
        "  d.title, c.role, c.confidence, c.rules_version "
        "FROM documents AS d LEFT JOIN classifications AS c ON c.content_hash = d.content_hash "
        "WHERE d.content_hash = ?",
        [content_hash],
    ).fetchone()
    return Reviewable(*row) if row else None


def record_review(
    con: duckdb.DuckDBPyConnection,
    content_hash: str,
    role: str | None,
    by: str,
    note: str | None = None,
    path: str | None = None,
    source: str = "command",
) -> Review:
    """Store a review of a content (role None clears it), with the tool's decision of this moment; returns it."""
    with atomic(con, "recording a review", ReviewError):
        (review_id,) = _insert_reviews(con, [(content_hash, role, note, by, path)], source)
    return _reviews(con, "review_id = ?", [review_id])[0]


def current_review(con: duckdb.DuckDBPyConnection, content_hash: str) -> Review | None:
    """The review of a content in force: its latest row, unless that row cleared it."""
    history = review_history(con, content_hash)
    return history[-1] if history and history[-1].role is not None else None


def review_history(con: duckdb.DuckDBPyConnection, content_hash: str) -> list[Review]:
    """Every review of a content, clearings included, oldest first."""
    return _reviews(con, "content_hash = ?", [content_hash])


def parse_labels(text: str) -> tuple[list[LabelRow], list[tuple[int, str]]]:
    """The rows of a labels CSV and the problems of its bad lines (line numbers count the header as line 1).

    Columns: one of content_hash, path and file_name (or `file`) to name the document, `role`, and optionally `note`
    and `by`; others are ignored. A row that fills several naming columns is taken by the first of KEY_COLUMNS.
    """
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], [(0, "the file is empty: it needs a header row (role and one of content_hash, path, file_name)")]
    names = [COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    problems: list[tuple[int, str]] = []
    keys = [k for k in KEY_COLUMNS if k in names]
    if "role" not in names or not keys:
        checks = (("role", "role" in names), ("content_hash, path or file_name", bool(keys)))
        missing = [what for what, ok in checks if not ok]
        return [], [(1, f"the header has no {' and no '.join(missing)} column: found {', '.join(header) or 'none'}")]
    rows: list[LabelRow] = []
    line = reader.line_num
    for record in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        cells = dict(zip(names, (cell.strip() for cell in record), strict=False))
        key = next((k for k in keys if cells.get(k)), None)
        role = normalise_role(cells.get("role", ""))
        if key is None:
            problems.append((start, f"names no document: {', '.join(keys)} {'is' if len(keys) == 1 else 'are'} empty"))
        if role is None:
            given = cells.get("role", "")
            problems.append((start, f"role {given!r} is not one of {', '.join(ROLES)}" if given else "no role given"))
        if key is not None and role is not None:
            rows.append(LabelRow(start, key, cells[key], role, cells.get("note") or None, cells.get("by") or None))
    return rows, problems


def read_labels(con: duckdb.DuckDBPyConnection, path: str | Path) -> list[Label]:
    """The rows of a labels file with the stored content each names; LabelsError lists every bad line at once."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a spreadsheet's export may start with a byte order mark
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise LabelsError(str(path), [(0, f"cannot be read: {reason}")]) from exc
    rows, problems = parse_labels(text)
    found = _contents_of(con, rows)
    labels: list[Label] = []
    for row in rows:
        target, problem = found[row.line]
        if target is None:
            problems.append((row.line, problem))
        else:
            labels.append(Label(row, *target))
    if problems:
        raise LabelsError(str(path), problems)
    return labels


def import_reviews(con: duckdb.DuckDBPyConnection, labels: list[Label], by: str, note: str | None = None) -> int:
    """Store one review per label in one transaction (a row's own `by` and `note` win); returns how many."""
    entries = [
        (label.content_hash, label.row.role, label.row.note or note, label.row.by or by, label.path) for label in labels
    ]
    with atomic(con, "importing reviews", ReviewError):
        _insert_reviews(con, entries, "import")
    return len(entries)


def export_rows(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    """The reviews in force, one row per content in the columns an import reads back (EXPORT_COLUMNS)."""
    rows = con.execute(
        """
        WITH latest AS (
            SELECT *
            FROM reviews
            QUALIFY row_number() OVER (PARTITION BY content_hash ORDER BY review_id DESC) = 1
        )
        SELECT
            coalesce((SELECT min(f.path) FROM files AS f WHERE f.content_hash = r.content_hash AND f.status = 'ok'),
                     r.path) AS current_path,
            r.content_hash, r.role, coalesce(r.note, ''), r.reviewed_by, r.reviewed_at, r.tool_role, r.rules_version
        FROM latest AS r
        WHERE r.role IS NOT NULL
        ORDER BY current_path NULLS LAST, r.content_hash
        """
    ).fetchall()
    out = [(p, os.path.basename(p) if p else "", h, *rest) for p, h, *rest in rows]
    return list(EXPORT_COLUMNS), out


# --- helpers ---------------------------------------------------------------------------------------------------


def _insert_reviews(con: duckdb.DuckDBPyConnection, entries: list[tuple], source: str) -> list[int]:
    """Insert (content_hash, role, note, by, path) rows with the tool's decision of each content now; their ids.

    One statement for any number of rows: ids are drawn from the sequence first, in one query, and given out in the
    rows' order, so a later row of the same content is the later review (3,000 rows one by one took a minute).
    """
    if source not in SOURCES:
        raise ValueError(f"a review comes from one of {SOURCES}, not {source!r}")
    bad = sorted({role for _, role, *_ in entries if role is not None and role not in ROLES})
    if bad:
        raise ReviewError(f"unknown role(s) {bad}: a review gives one of {', '.join(ROLES)}")
    if not entries:
        return []
    ids = sorted(r[0] for r in con.execute("SELECT nextval('review_id_seq') FROM range(?)", [len(entries)]).fetchall())
    tool = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT content_hash, role, confidence, rules_version FROM classifications "
            "WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))",
            [list({e[0] for e in entries})],
        ).fetchall()
    }
    now = utcnow()
    data = [
        (review_id, h, role, note, by, now, path, source, *tool.get(h, (None, None, None)))
        for review_id, (h, role, note, by, path) in zip(ids, entries, strict=True)
    ]
    staged = arrow(con, "reviews", data)
    con.register("stage_reviews", staged)
    try:
        con.execute("INSERT INTO reviews SELECT * FROM stage_reviews")
    finally:
        con.unregister("stage_reviews")
    return ids


def _reviews(con: duckdb.DuckDBPyConnection, condition: str, params: list) -> list[Review]:
    found = con.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE {condition} ORDER BY review_id", params)
    return [Review(*row) for row in found.fetchall()]


def _contents_of(
    con: duckdb.DuckDBPyConnection, rows: list[LabelRow]
) -> dict[int, tuple[tuple[str, str | None] | None, str]]:
    """Per line, the (content hash, current path) a labels row names, or None and what is wrong.

    Looked up in bulk, a query per kind of name; only a path that is no stored path is matched one by one, as the
    end of one (`explain` does the same).
    """
    wanted = {key: sorted({r.value.lower() if key == "content_hash" else r.value for r in rows if r.key == key})
              for key in KEY_COLUMNS}  # fmt: skip
    stored = {
        h: path
        for h, path in con.execute(
            "SELECT d.content_hash, "
            "  (SELECT min(f.path) FROM files AS f WHERE f.content_hash = d.content_hash AND f.status = 'ok') "
            "FROM documents AS d WHERE d.content_hash IN (SELECT unnest(?::VARCHAR[]))",
            [wanted["content_hash"]],
        ).fetchall()
    }
    named = {
        name: (hashes, path)
        for name, hashes, path in con.execute(
            "SELECT file_name, list_sort(list(DISTINCT content_hash)), min(path) FROM document_roles "
            "WHERE file_name IN (SELECT unnest(?::VARCHAR[])) GROUP BY file_name",
            [wanted["file_name"]],
        ).fetchall()
    }
    resolved = {p: str(Path(p).expanduser().resolve()) for p in wanted["path"]}
    at = dict(
        con.execute(
            "SELECT path, content_hash FROM document_roles WHERE path IN (SELECT unnest(?::VARCHAR[]))",
            [sorted(set(resolved.values()))],
        ).fetchall()
    )
    found: dict[int, tuple[tuple[str, str | None] | None, str]] = {}
    for row in rows:
        if row.key == "content_hash":
            h = row.value.lower()
            found[row.line] = (
                ((h, stored[h]), "") if h in stored else (None, f"no stored document has content_hash {row.value}")
            )
        elif row.key == "file_name":
            hashes, path = named.get(row.value, ([], None))
            if len(hashes) > 1:
                found[row.line] = (
                    None,
                    f"{len(hashes)} different current documents are named {row.value}: name it by path or content_hash",
                )
            else:
                found[row.line] = (
                    ((hashes[0], path), "") if hashes else (None, f"no current document named {row.value}")
                )
        elif resolved[row.value] in at:
            found[row.line] = ((at[resolved[row.value]], resolved[row.value]), "")
        else:
            found[row.line] = _by_suffix(con, row.value)
    return found


def _by_suffix(con: duckdb.DuckDBPyConnection, path: str) -> tuple[tuple[str, str | None] | None, str]:
    """The current document whose path ends with `path`, or None and what is wrong."""
    try:
        target = reviewable_at(con, path)
    except WarehouseError as exc:  # AmbiguousPath: a suffix several current documents end with
        return None, str(exc)
    return ((target.content_hash, target.path), "") if target else (None, f"no current document at {path}")
