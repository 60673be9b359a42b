"""Which of the decision model's features to fit on, chosen by cross-validation grouped by employer, and what that
choice is worth on documents it was not made on.

    python -m benchmarks.feature_selection [--corpus DIR] [--rules DIR] [--seeds S] [--assignments N]

Backward elimination: start from every feature of `rolesignal.rules.model`, drop the one whose absence raises the
held-out accuracy of folds grouped by employer the most, and stop when no drop raises it. Run on all labelled text
documents under S inner fold assignments, it prints what each assignment drops and how often each feature goes.
`scoring_fit.DROPPED_FEATURES` holds the features the shipped model leaves out (none: its comment says why).

A choice made on the same documents that then measure it flatters itself. The nested estimate redoes the
selection inside every training fold of N outer fold assignments (the folds `benchmarks.roles` reports, seeds
0..N-1) and decides each held-out fold by a model fitted on the features chosen without it. It prints, per
assignment, the held-out accuracy of fitting on every feature, of the selection redone per fold (the honest figure
for choosing features this way), and of the fixed MODEL_FEATURES (optimistic if chosen on all documents).
About 9 minutes with the defaults, 12 with `--seeds 0 --assignments 10`, on this machine.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from benchmarks.folds import DEFAULT_FOLDS, assign_folds, load_groups
from benchmarks.role_scoring import Label
from benchmarks.scoring_fit import MODEL_FEATURES, Evidence, fit_model, held_out_roles, labelled_evidence
from rolesignal.rules.metrics import accuracy
from rolesignal.rules.model import FEATURES, model_decision


def backward_eliminate(features: Sequence[str], score: Callable[[tuple[str, ...]], float]) -> tuple[str, ...]:
    """Drop features one at a time while a drop raises the score (the best drop first; ties go to the earlier
    feature); one feature always stays."""
    kept = tuple(features)
    best = score(kept)
    while len(kept) > 1:
        candidates = [tuple(f for f in kept if f != drop) for drop in kept]
        scores = [score(c) for c in candidates]
        top = max(scores)
        if top <= best:
            break
        kept, best = candidates[scores.index(top)], top
    return kept


def held_out_accuracy(
    evidence: Sequence[Evidence], features: Sequence[str], fold_of: Mapping[str, int], k: int
) -> float:
    """Share of items decided right by a model fitted on the other folds over these features."""
    return accuracy([e.label for e in evidence], held_out_roles(evidence, fold_of, k, features))


def select_features(
    evidence: Sequence[Evidence], labels: Sequence[Label], groups: Mapping[str, str], seed: int, k: int = DEFAULT_FOLDS
) -> tuple[str, ...]:
    """The features backward elimination keeps, scored on these items' own folds grouped by employer."""
    ids = {e.id for e in evidence}
    fold_of = assign_folds([label for label in labels if label.id in ids], groups, k, seed)
    return backward_eliminate(FEATURES, lambda features: held_out_accuracy(evidence, features, fold_of, k))


def nested_accuracy(
    evidence: Sequence[Evidence], labels: Sequence[Label], groups: Mapping[str, str], seed: int, k: int = DEFAULT_FOLDS
) -> dict[str, float]:
    """Held-out accuracy of one outer fold assignment: every feature, the selection redone inside each training
    fold, and MODEL_FEATURES."""
    fold_of = assign_folds(labels, groups, k, seed)
    right: Counter[str] = Counter()
    for fold in range(k):
        train = [e for e in evidence if fold_of[e.id] != fold]
        held = [e for e in evidence if fold_of[e.id] == fold]
        chosen = select_features(train, labels, groups, seed * k + fold + 1, k)
        for name, features in (("all", FEATURES), ("selected", chosen), ("fixed", MODEL_FEATURES)):
            model = fit_model(train, features=features)
            right[name] += sum(model_decision(e.features, model)[0] == e.label for e in held)
    return {name: right[name] / len(evidence) for name in ("all", "selected", "fixed")}


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.role_corpus import default_corpus, load_labels
    from rolesignal.rules.load import DEFAULT_DIR, load_rules

    parser = argparse.ArgumentParser(prog="python -m benchmarks.feature_selection", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="corpus dir (default: the shared corpus)")
    parser.add_argument("--rules", dest="rules_dir", type=Path, default=None, help="rules dir (default: built-in)")
    parser.add_argument("--seeds", type=int, default=8, help="inner fold assignments of the selection on all")
    parser.add_argument("--assignments", type=int, default=5, help="outer fold assignments of the nested estimate")
    args = parser.parse_args(argv)
    corpus = args.corpus or default_corpus()
    labels = load_labels(corpus)
    groups = load_groups(corpus)
    rules = load_rules(args.rules_dir or DEFAULT_DIR)
    evidence = labelled_evidence(corpus, labels, rules)
    print(f"{len(evidence)} labelled documents, rules {rules.version}")
    dropped: Counter[str] = Counter()
    for seed in range(args.seeds):
        kept = select_features(evidence, labels, groups, 1000 + seed)
        gone = [f for f in FEATURES if f not in kept]
        dropped.update(gone)
        print(f"inner assignment {seed}: drops {', '.join(gone) or 'nothing'}", flush=True)
    print("dropped in how many of", args.seeds, "assignments:", ", ".join(f"{f} {n}" for f, n in dropped.most_common()))
    print(f"fixed features drop: {', '.join(f for f in FEATURES if f not in MODEL_FEATURES)}")
    totals: Counter[str] = Counter()
    for seed in range(args.assignments):
        figures = nested_accuracy(evidence, labels, groups, seed)
        totals.update(figures)
        print(f"outer assignment {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()), flush=True)
    mean = {k: v / args.assignments for k, v in totals.items()}
    print("mean held out: " + ", ".join(f"{k} {v:.3f}" for k, v in mean.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
