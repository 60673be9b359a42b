"""Cross-validation folds grouped by employer: all documents of one employer or issuing body in one fold.

Rules written while reading some documents fit those documents; a figure measured on folds whose documents (and whose
employers' wording) were not looked at predicts how the rules do on documents nobody tuned to. `assign_folds` keeps
each group (`groups.csv`) whole and spreads groups so that every fold has about the same number of documents, the
same mix of labelled roles and the same mix of collections (the `jp`, `rfp`, `d` id prefixes), so that no fold is
mostly one collection. The assignment is deterministic: the same labels and groups give the same folds.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from benchmarks.role_scoring import Label

DEFAULT_FOLDS = 5


class FoldError(Exception):
    """The folds cannot be made (a labelled document without a group, too few groups)."""


def load_groups(corpus: Path) -> dict[str, str]:
    """Document id → group, from the corpus's groups.csv."""
    path = corpus / "groups.csv"
    if not path.is_file():
        raise FoldError(f"no groups.csv in {corpus}: cross-validation needs each document's employer")
    with path.open(newline="", encoding="utf-8") as f:
        return {row["id"].strip(): row["group"].strip() for row in csv.DictReader(f)}


def collection(document_id: str) -> str:
    """The collection a document comes from: its id's letter prefix ('jp', 'rfp', 'rfpx', 'd')."""
    match = re.match(r"[a-z]+", document_id)
    return match.group(0) if match else ""


def assign_folds(
    labels: Sequence[Label], groups: Mapping[str, str], k: int = DEFAULT_FOLDS, seed: int = 0
) -> dict[str, int]:
    """Document id → fold (0..k-1), each group whole, folds balanced by size, role and collection.

    `seed` reorders groups of equal size before they are placed, giving another balanced assignment (0: the folds the
    benchmark reports and whose errors are read); repeated cross-validation averages over several."""
    missing = sorted(label.id for label in labels if not groups.get(label.id))
    if missing:
        raise FoldError(f"labelled documents without a group in groups.csv: {', '.join(missing)}")
    members: dict[str, list[Label]] = {}
    for label in labels:
        members.setdefault(groups[label.id], []).append(label)
    if len(members) < k:
        raise FoldError(f"{len(members)} groups cannot fill {k} folds")
    # Largest groups first (they are the hardest to place); ties in a fixed order that is not alphabetical.
    salt = f"{seed}:" if seed else ""
    order = sorted(members, key=lambda g: (-len(members[g]), hashlib.sha256(f"{salt}{g}".encode()).hexdigest()))
    total = len(labels)
    roles = Counter(label.role for label in labels)
    collections = Counter(collection(label.id) for label in labels)
    fold_size = [0] * k
    fold_roles = [Counter() for _ in range(k)]
    fold_collections = [Counter() for _ in range(k)]

    def cost(fold: int, group: list[Label]) -> float:
        """How far the fold would be from an even share of documents, roles and collections with the group in it."""
        size = fold_size[fold] + len(group)
        added_roles = fold_roles[fold] + Counter(label.role for label in group)
        added_collections = fold_collections[fold] + Counter(collection(label.id) for label in group)
        off = (size - total / k) ** 2
        off += sum((added_roles[r] - n / k) ** 2 for r, n in roles.items())
        off += sum((added_collections[c] - n / k) ** 2 for c, n in collections.items())
        return off

    folds: dict[str, int] = {}
    for name in order:
        group = members[name]
        # The fold whose imbalance grows least with the group in it.
        best = min(range(k), key=lambda fold: (cost(fold, group) - cost(fold, []), fold))
        fold_size[best] += len(group)
        fold_roles[best].update(label.role for label in group)
        fold_collections[best].update(collection(label.id) for label in group)
        for label in group:
            folds[label.id] = best
    return folds
