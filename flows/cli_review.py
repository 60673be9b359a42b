"""`rolesignal review`: people's decisions on documents, one at a time, in a terminal session, or from a labels file.

A review belongs to a document's content, so it survives renames, moves, rescans and rules changes. Each answer of a
session is stored the moment it is given, on a connection opened for it alone: quitting, a crash or a kill loses
nothing, and a scan can write between answers.
"""

from __future__ import annotations

import csv
import io
import sys
import textwrap
from contextlib import closing
from pathlib import Path
from typing import Any

import click

from rolesignal.flows.cli_common import db_option, fail, read_only, writable
from rolesignal.rules.types import ROLES

KEYS = {"m": "ml_engineer", "a": "ai_developer", "h": "hybrid", "n": "none"}
PROMPT = "[m] ML engineer  [a] AI developer  [h] hybrid  [n] none  [s] skip  [e] explain  [q] quit > "
STRONGEST = 3


def who() -> str:
    """The login name, as the default reviewer."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return "unknown"


@click.command()
@click.argument("path", required=False)
@db_option
@click.option("--role", type=click.Choice(ROLES), help="The role the document's work needs, in your judgement.")
@click.option("--note", help="Why, in a few words (kept with the review).")
@click.option("--by", default=who, show_default="your login name", help="Who reviews.")
@click.option("--clear", is_flag=True, help="Withdraw the review of PATH (the history keeps it).")
@click.option(
    "--next", "next_", is_flag=True, help="Review the unreviewed documents of a report one by one, in a terminal."
)
@click.option(
    "--queue",
    default="review_queue",
    show_default=True,
    help="The report --next takes its documents from, in its order (any report with a path column).",
)
@click.option(
    "--import",
    "import_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record the reviews of a labels CSV (path, file_name or content_hash, role, optional note and by): all of "
    "them, or none when a line is bad.",
)
@click.option(
    "--export",
    "export_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the reviews in force to a CSV that --import reads back.",
)
def review(
    path: str | None,
    db: str,
    role: str | None,
    note: str | None,
    by: str,
    clear: bool,
    next_: bool,
    queue: str,
    import_file: Path | None,
    export_file: Path | None,
) -> None:
    """Record your decision on the document at PATH.

    `review PATH --role ROLE` records it, `review PATH --clear` withdraws it. A review belongs to the document's
    content, so it survives renames, moves, rescans and rules changes, and comes back with a removed file. A later
    review wins; the earlier ones stay in the history. --next asks about the unreviewed documents of a report one by
    one; --import and --export read and write labels CSV files.
    """
    given = (("PATH", path), ("--next", next_), ("--import", import_file), ("--export", export_file))
    modes = [name for name, on in given if on]
    if len(modes) != 1:
        fail("give one of PATH (with --role or --clear), --next, --import FILE or --export FILE", 2)
    mode = modes[0]
    if mode == "PATH" and (role is None) == (not clear):
        fail("give PATH either --role ROLE or --clear", 2)
    if mode != "PATH" and (role or clear):
        fail(f"--role and --clear go with PATH, not with {mode}", 2)
    if note is not None and (mode not in ("PATH", "--import") or clear):
        fail("--note goes with PATH --role or with --import", 2)
    if queue != "review_queue" and mode != "--next":
        fail("--queue goes with --next", 2)
    if mode == "--export":
        export_reviews(db, export_file)
    elif mode == "--import":
        import_reviews(db, import_file, by, note)
    elif mode == "--next":
        session(db, queue, by)
    else:
        review_one(db, path, None if clear else role, by, note)


def review_one(db: str, path: str, role: str | None, by: str, note: str | None) -> None:
    """Record (or, with role None, clear) the review of the document at PATH and say how it stands."""
    from rolesignal.warehouse.errors import AmbiguousPath, WarehouseError
    from rolesignal.warehouse.reviews import current_review, record_review, reviewable, reviewable_at

    with closing(writable(db)) as con:
        try:
            target = reviewable_at(con, path)
        except AmbiguousPath as exc:
            listed = "\n".join(f"  {c}" for c in exc.candidates)
            fail(f"{path} matches several documents; give more of the path:\n{listed}", 2)
        if target is None and Path(path).is_file():
            # Not stored under this path (renamed or moved since the last scan): its content may be.
            from rolesignal.flows.inventory import hash_file

            target = reviewable(con, hash_file(path))
        if target is None:
            fail(f"no classified document at {path} in {db}: scan its folder first (see also ingest_failures)", 2)
        previous = current_review(con, target.content_hash)
        if role is None and previous is None:
            click.echo(f"{target.path or path} has no review to clear.")
            return
        try:
            given = record_review(con, target.content_hash, role, by, note, target.path or path)
        except WarehouseError as exc:
            fail(str(exc))
    shown = target.path or path
    if role is None:
        click.echo(f"cleared the review of {shown} ({previous.role} by {previous.reviewed_by}); the history keeps it.")
        return
    tool = f"the tool says {given.tool_role}" if given.tool_role else "the tool has no decision for it yet"
    if given.tool_role:
        tool += f" (confidence {given.tool_confidence:.2f}, rules {given.rules_version})"
        tool += ": it agrees." if given.tool_role == role else ": it disagrees."
    click.echo(f"reviewed {shown}: {role} (by {by}); {tool}")
    if previous is not None:
        click.echo(
            f"It replaces the review by {previous.reviewed_by} of {previous.reviewed_at:%Y-%m-%d %H:%M} UTC "
            f"({previous.role}); the history keeps both."
        )


def import_reviews(db: str, labels_file: Path, by: str, note: str | None) -> None:
    """Record every review of a labels file in one transaction, or none of them."""
    from rolesignal.warehouse.errors import WarehouseError
    from rolesignal.warehouse.reviews import LabelsError, import_reviews, read_labels

    with closing(writable(db)) as con:
        try:
            labels = read_labels(con, labels_file)
            count = import_reviews(con, labels, by, note)
        except LabelsError as exc:
            fail(f"{exc.source}: {len(exc.problems)} problem(s), nothing was imported:\n{exc.listing}", 2)
        except WarehouseError as exc:
            fail(str(exc))
        agreeing = con.execute(
            "SELECT count(*) FILTER (WHERE agrees), count(*) FROM reviewed_documents "
            "WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))",
            [[label.content_hash for label in labels]],
        ).fetchone()
    click.echo(
        f"imported {count} review(s) from {labels_file}; the tool agrees on {agreeing[0]} of the {agreeing[1]} current "
        "documents they name."
    )


def export_reviews(db: str, target: Path) -> None:
    """Write the reviews in force to a CSV file an import reads back."""
    from rolesignal.flows.cli_reports import write_atomically
    from rolesignal.warehouse.reports import missing_views
    from rolesignal.warehouse.reviews import export_rows

    with closing(read_only(db)) as con:
        if missing_views(con, ["reviewed_documents"]):
            fail(f"{db} holds no reviews yet: `rolesignal review PATH --role ROLE` records one", 2)
        columns, rows = export_rows(con)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    try:
        write_atomically(target, buffer.getvalue())
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror or exc}; choose another file")
    click.echo(f"exported {len(rows)} review(s) to {target}")


# --- the terminal session ----------------------------------------------------------------------------------------


def session(db: str, queue: str, by: str) -> None:
    """Ask about each unreviewed document of the queue report, storing each answer at once."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail(
            "review --next asks for one key per document and needs a terminal; from a script or a pipe, record "
            "reviews with `rolesignal review PATH --role ROLE` or `rolesignal review --import FILE.csv`",
            2,
        )
    writable(db).close()  # a warehouse an older rolesignal wrote gets the reviews table and views first
    paths, reasons = queue_paths(db, queue)
    waiting = unreviewed(db)
    todo = [p for p in paths if p in waiting]
    if not todo:
        click.echo(f"Nothing to review: every document of {queue} has a review.")
        return
    click.echo(f"{len(todo)} unreviewed document(s) in {queue}; each answer is stored at once (reviewer {by}).")
    done = skipped = 0
    try:
        for number, path in enumerate(todo, 1):
            explanation = current_explanation(db, path)
            if explanation is None or explanation.document.get("reviewed_role") is not None:
                continue  # gone since the session started, or reviewed meanwhile (another path of the same content)
            click.echo("")
            click.echo("\n".join(document_lines(explanation, f"[{number} of {len(todo)}]", reasons.get(path))))
            answer = ask(explanation)
            if answer == "quit":
                break
            if answer == "skip":
                skipped += 1
                continue
            store_answer(db, explanation, answer, by)
            done += 1
    except KeyboardInterrupt:
        click.echo("")
        click.echo(f"Interrupted: {done} review(s) stored, {skipped} skipped.")
        sys.exit(130)
    except EOFError:
        pass
    left = len(set(todo) & unreviewed(db))
    click.echo(f"{done} review(s) stored, {skipped} skipped; {left} document(s) of {queue} still unreviewed.")


def queue_paths(db: str, queue: str) -> tuple[list[str], dict[str, str]]:
    """The distinct paths of the queue report in its order, and its `reason` per path when it has one."""
    from rolesignal.warehouse.reports import ReportError, fetch_report, lock_down

    with closing(read_only(db)) as con:
        lock_down(con)
        try:
            columns, rows = fetch_report(con, queue)
        except ReportError as exc:
            fail(f"--queue {queue}: {exc}", 2)
    if "path" not in columns:
        fail(f"--queue {queue}: the report has no path column; try review_queue, document_roles or title_mismatches", 2)
    at, why = columns.index("path"), columns.index("reason") if "reason" in columns else None
    paths = list(dict.fromkeys(row[at] for row in rows))
    reasons = {row[at]: row[why] for row in rows if why is not None and row[why]}
    return paths, reasons


def unreviewed(db: str) -> set[str]:
    """The current paths whose content has no review in force."""
    with closing(read_only(db)) as con:
        return {r[0] for r in con.execute("SELECT path FROM document_roles WHERE reviewed_role IS NULL").fetchall()}


def current_explanation(db: str, path: str) -> Any:  # noqa: ANN401 - warehouse.explain.Explanation, imported lazily
    from rolesignal.warehouse.explain import fetch_explanation

    with closing(read_only(db)) as con:
        return fetch_explanation(con, path)


def document_lines(explanation: Any, position: str, reason: str | None) -> list[str]:  # noqa: ANN401
    """What a reviewer sees of a document: title, kind, the verdict sentence and the strongest evidence."""
    from rolesignal.flows.explain_text import verdict

    doc = explanation.document
    lines = [
        f"{position} {doc['path']}" + (f"   ({reason})" if reason else ""),
        f"  title: {doc['title']}   kind: {doc['doc_kind']}",
        textwrap.fill(verdict(explanation), 100, initial_indent="  ", subsequent_indent="  "),
        f"  tool: {doc['role']}, confidence {doc['confidence']:.2f}, rules {doc['rules_version']}",
    ]
    strongest = strongest_evidence(explanation)
    if strongest:
        lines.append("  strongest evidence:")
        lines += [textwrap.fill(line, 100, initial_indent="    ", subsequent_indent="      ") for line in strongest]
    else:
        lines.append("  no signal was found in it.")
    return lines


def strongest_evidence(explanation: Any, limit: int = STRONGEST) -> list[str]:  # noqa: ANN401
    """The requirements (or passages) carrying the most signal weight, each with its page, section and signals."""
    scored = []
    for req in explanation.requirements:
        live = [h for h in req.hits if h.weight > 0]
        if live:
            where = f"p.{req.page}, {req.heading or req.section or 'no heading'}"
            signals = ", ".join(f"{h.signal_id} +{h.weight:.2f}" for h in live)
            scored.append((sum(h.weight for h in live), f'{where}: "{_short(req.text)}" -> {signals}'))
    for other in explanation.other_evidence:
        if other.hit.weight > 0:
            hit = other.hit
            line = f'{other.source}: "{_short(other.context)}" -> {hit.signal_id} +{hit.weight:.2f}'
            scored.append((hit.weight, line))
    return [line for _, line in sorted(scored, key=lambda s: -s[0])[:limit]]


def _short(text: str, width: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


def ask(explanation: Any) -> str:  # noqa: ANN401
    """One key: a role, 'skip' or 'quit'; 'e' prints the whole explanation and asks again."""
    from rolesignal.flows.explain_text import explanation_text

    while True:
        click.echo(PROMPT, nl=False)
        key = click.getchar().lower()
        click.echo(key if key.isprintable() else "")
        if key in KEYS:
            return KEYS[key]
        if key == "s":
            return "skip"
        if key == "q":
            return "quit"
        if key == "e":
            click.echo(explanation_text(explanation))
        else:
            click.echo("  one of m, a, h, n (a role), s (skip), e (explain) or q (quit)")


def store_answer(db: str, explanation: Any, role: str, by: str) -> None:  # noqa: ANN401
    """Store one answer on a connection of its own, so that it is on disk before the next question."""
    from rolesignal.warehouse.errors import WarehouseError
    from rolesignal.warehouse.reviews import record_review

    doc = explanation.document
    with closing(writable(db)) as con:
        try:
            record_review(con, doc["content_hash"], role, by, path=doc["path"], source="session")
        except WarehouseError as exc:
            fail(str(exc))
    said = "agrees" if role == doc["role"] else f"the tool said {doc['role']}"
    click.echo(f"  stored: {role} ({said})")
