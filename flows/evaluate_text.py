"""The words and tables of `rolesignal evaluate` (pure functions returning lines or rows; the CLI prints them).

`figure_lines` prints a set of figures as `benchmarks.roles` prints its own, line for line: the benchmark calls it.
"""

from __future__ import annotations

from typing import Any

from rolesignal.rules.types import ROLES

SHORT = {"ml_engineer": "ml", "ai_developer": "ai", "hybrid": "hyb", "none": "none"}


def pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def figure_lines(figures: dict[str, Any]) -> list[str]:
    """Accuracy and macro-F1 beside the title-only reader's, per role, the confusion matrix and calibration."""
    lines = [
        f"accuracy {pct(figures['accuracy'])}   macro-F1 {figures['macro_f1']:.3f}",
        f"title-only baseline: accuracy {pct(figures['baseline']['accuracy'])}   "
        f"macro-F1 {figures['baseline']['macro_f1']:.3f}",
        "per role        precision  recall     F1   labelled predicted",
    ]
    for role, s in figures["per_role"].items():
        lines.append(
            f"  {role:<13} {pct(s['precision'])}  {pct(s['recall'])}  {s['f1']:.3f}  "
            f"{s['support']:8d} {s['predicted']:9d}"
        )
    lines.append("confusion (rows = label, cols = predicted)")
    roles = figures["confusion"]["roles"]
    lines.append("  " + " " * 13 + "".join(f"{SHORT[r]:>6}" for r in roles))
    for role, row in zip(roles, figures["confusion"]["matrix"], strict=True):
        lines.append(f"  {role:<13}" + "".join(f"{n:6d}" for n in row))
    lines.append("calibration      count  accuracy  mean confidence  gap")
    for band in figures["calibration"]:
        mean, gap = band.get("mean_confidence"), band.get("gap")
        said = f"   {pct(mean)}       {100 * gap:+5.1f}" if mean is not None and gap is not None else ""
        lines.append(f"  {band['band']:<14} {band['count']:5d}  {pct(band['accuracy'])}{said}")
    return lines


def signal_lines(per_signal: list[dict[str, Any]], whose: str = "") -> list[str]:
    """Per signal, how often people put its documents on its side, the lowest first: where a rule author looks."""
    of = f", under {whose}" if whose else ""
    lines = [f"per signal{of}: its documents that people put on its side (hybrid counts for both), lowest first"]
    if not per_signal:
        return lines + ["  no signal was found in the reviewed documents"]
    lines.append(f"  {'signal':<34} side  documents  on its side")
    for row in per_signal:
        lines.append(
            f"  {row['signal_id']:<34} {row['side']:<4} {row['documents']:10d}  {row['on_side']:5d} "
            f"{pct(row['agreement'])}"
        )
    return lines


def label_of(scored: Any) -> str:  # noqa: ANN401 - flows.evaluate.Scored
    versions = ", ".join(scored.rules_versions)
    return f"stored decisions (rules {versions})" if scored.name == "stored" else f"{scored.name} (rules {versions})"


def evaluation_text(evaluation: Any) -> str:  # noqa: ANN401 - flows.evaluate.Evaluation
    """The whole report: each scored set's figures, per-signal agreement of the last, and what changes."""
    n = len(evaluation.truth)
    lines = [f"Scored against {evaluation.truth_source}: {n} document(s)."]
    if evaluation.unscored:
        lines.append(f"({len(evaluation.unscored)} labelled content(s) are no current document and are not scored.)")
    for scored in evaluation.scored:
        lines += ["", f"== {label_of(scored)}: {scored.figures['documents']} documents", *figure_lines(scored.figures)]
    if len(evaluation.scored) > 1:
        lines += ["", *comparison_lines(evaluation)]
    last = evaluation.scored[-1]
    lines += ["", *signal_lines(last.figures["per_signal"], label_of(last) if len(evaluation.scored) > 1 else "")]
    return "\n".join(lines)


def comparison_lines(evaluation: Any) -> list[str]:  # noqa: ANN401
    """The sets side by side, then each document whose decision differs, with the role people gave it."""
    names = [s.name for s in evaluation.scored]
    width = max(14, *(len(name) for name in names))  # 14: the longest role with its mark, 'ai_developer *'
    lines = ["== side by side", f"  {'':<{width}}  accuracy  macro-F1  title-only"]
    for s in evaluation.scored:
        f = s.figures
        lines.append(
            f"  {s.name:<{width}}  {pct(f['accuracy'])}    {f['macro_f1']:.3f}    {pct(f['baseline']['accuracy'])}"
        )
    first, last = evaluation.scored[0].name, evaluation.scored[-1].name
    right_before = sum(c.roles[0] == c.truth for c in evaluation.changes)
    right_after = sum(c.roles[-1] == c.truth for c in evaluation.changes)
    if not evaluation.changes:
        return [*lines, "", "No document changes its decision."]
    lines += [
        "",
        f"{len(evaluation.changes)} document(s) change their decision; {first} has {right_before} of them right, "
        f"{last} {right_after}:",
    ]
    columns = "".join(f"  {name:<{width}}" for name in names)
    lines.append(f"  {'reviewed':<13}{columns}  path")
    for change in evaluation.changes:
        roles = "".join(f"  {role + (' *' if role == change.truth else ''):<{width}}" for role in change.roles)
        lines.append(f"  {change.truth:<13}{roles}  {change.path}")
    lines.append("  (* = the role people gave)")
    return lines


def evaluation_tables(evaluation: Any) -> list[tuple[str, list[str], list[list[Any]]]]:  # noqa: ANN401
    """The report as (title, columns, rows) tables, one row per figure: for csv, markdown and json."""
    summary, per_role, confusion, calibration, per_signal = [], [], [], [], []
    for s in evaluation.scored:
        f, name, versions = s.figures, s.name, ", ".join(s.rules_versions)
        summary.append(
            [name, versions, f["documents"], f["accuracy"], f["macro_f1"], f["baseline"]["accuracy"],
             f["baseline"]["macro_f1"]]
        )  # fmt: skip
        per_role += [
            [name, role, v["precision"], v["recall"], v["f1"], v["support"], v["predicted"]]
            for role, v in f["per_role"].items()
        ]
        confusion += [[name, role, *row] for role, row in zip(ROLES, f["confusion"]["matrix"], strict=True)]
        calibration += [
            [name, b["band"], b["count"], b["accuracy"], b["mean_confidence"], b["gap"]] for b in f["calibration"]
        ]
        per_signal += [
            [name, r["signal_id"], r["side"], r["documents"], r["on_side"], r["agreement"]] for r in f["per_signal"]
        ]
    names = [s.name for s in evaluation.scored]
    changes = [[c.path, c.truth, *c.roles] for c in evaluation.changes]
    return [
        (
            "summary",
            [
                "rules",
                "rules_version",
                "documents",
                "accuracy",
                "macro_f1",
                "title_only_accuracy",
                "title_only_macro_f1",
            ],
            summary,
        ),  # fmt: skip
        ("per_role", ["rules", "role", "precision", "recall", "f1", "labelled", "predicted"], per_role),
        ("confusion", ["rules", "label", *ROLES], confusion),
        ("calibration", ["rules", "band", "count", "accuracy", "mean_confidence", "gap"], calibration),
        ("per_signal", ["rules", "signal_id", "side", "documents", "on_side", "agreement"], per_signal),
        ("changes", ["path", "reviewed_role", *names], changes),
    ]
