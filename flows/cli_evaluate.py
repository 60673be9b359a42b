"""`rolesignal evaluate`: how often the decisions agree with people's, for the stored decisions or candidate rules."""

from __future__ import annotations

import json
from pathlib import Path

import click

from rolesignal.flows.cli_common import db_option, fail, load_rules_or_fail
from rolesignal.flows.output import FORMATS, render


@click.command()
@db_option
@click.option(
    "--labels",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Score against this labels CSV (as review --import reads it) instead of the reviews in the warehouse.",
)
@click.option(
    "--rules",
    "rules_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Score this rules directory's decisions, re-classified from the stored documents without reading files; "
    "give it twice to compare two.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@click.option(
    "--min-accuracy",
    type=click.FloatRange(0, 1),
    help="Exit with code 1 when the accuracy of the last decisions scored (the last --rules, or the stored ones) "
    "is below this (0..1).",
)
def evaluate(db: str, labels: Path | None, rules_dirs: tuple[str, ...], fmt: str, min_accuracy: float | None) -> None:
    """Score the tool's decisions against people's.

    People's decisions are the reviews in the warehouse, or a labels file (--labels). Prints accuracy and macro-F1
    beside a reader of titles alone, precision and recall per role, the confusion matrix, calibration by confidence
    band, and per signal how often its documents are on its side. With --rules the decisions of that rules directory
    are scored instead (beside the stored ones; two --rules are compared), and the documents whose decision changes
    are listed. The warehouse is only read.
    """
    for rules_dir in rules_dirs:
        load_rules_or_fail(rules_dir)
    from rolesignal.flows.evaluate import evaluate as run_evaluation
    from rolesignal.flows.evaluate_text import evaluation_tables, evaluation_text, label_of
    from rolesignal.warehouse.errors import WarehouseError, WarehouseMissing
    from rolesignal.warehouse.evaluation import NothingToScore
    from rolesignal.warehouse.reviews import LabelsError

    try:
        result = run_evaluation(db, labels, list(rules_dirs))
    except LabelsError as exc:
        fail(f"{exc.source}: {len(exc.problems)} problem(s), nothing was scored:\n{exc.listing}", 2)
    except NothingToScore as exc:
        fail(str(exc), 2)
    except (WarehouseMissing, WarehouseError) as exc:
        fail(str(exc))
    if fmt == "table":
        click.echo(evaluation_text(result))
    else:
        tables = evaluation_tables(result)
        if fmt == "json":
            data = {"truth": result.truth_source, "documents": len(result.truth)}
            data |= {title: [dict(zip(columns, row, strict=True)) for row in rows] for title, columns, rows in tables}
            click.echo(json.dumps(data, indent=2))
        else:  # csv and markdown: one table after another, markdown's under headings
            heading = "## {}\n\n" if fmt == "markdown" else ""
            click.echo(
                "\n\n".join(heading.format(title) + render(columns, rows, fmt) for title, columns, rows in tables)
            )
    if min_accuracy is not None:
        last = result.scored[-1]
        if last.figures["accuracy"] < min_accuracy:
            fail(
                f"the accuracy of {label_of(last)} is {last.figures['accuracy']:.3f}, below --min-accuracy "
                f"{min_accuracy:g}",
                1,
            )
