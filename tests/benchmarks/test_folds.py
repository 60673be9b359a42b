"""Cross-validation folds: each employer's documents in one fold, folds even in size, roles and collections."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.folds import FoldError, assign_folds, collection, load_groups
from benchmarks.role_corpus import default_corpus, load_labels
from benchmarks.role_report import format_folds, only_documents
from benchmarks.role_scoring import Label
from tests.conftest import require_shared


def label(document_id: str, role: str) -> Label:
    return Label(document_id, f"{document_id}.txt", "job_posting", role, "high")


def synthetic() -> tuple[list[Label], dict[str, str]]:
    """30 documents of 12 employers, one of them with 6 documents, roles mixed, two collections."""
    roles = ("ml_engineer", "ai_developer", "none")
    labels, groups = [], {}
    for i in range(30):
        prefix = "jp" if i % 3 else "d"
        labels.append(label(f"{prefix}{i:03d}", roles[i % 3]))
        groups[f"{prefix}{i:03d}"] = "big" if i < 6 else f"co{i % 12}"
    return labels, groups


def test_a_group_stays_in_one_fold() -> None:
    labels, groups = synthetic()
    folds = assign_folds(labels, groups, 3)
    by_group: dict[str, set[int]] = {}
    for document_id, fold in folds.items():
        by_group.setdefault(groups[document_id], set()).add(fold)
    assert all(len(f) == 1 for f in by_group.values())
    assert set(folds) == {lab.id for lab in labels}


def test_folds_are_even_and_the_same_every_time() -> None:
    labels, groups = synthetic()
    folds = assign_folds(labels, groups, 3)
    sizes = Counter(folds.values())
    assert sorted(sizes) == [0, 1, 2] and max(sizes.values()) - min(sizes.values()) <= 2
    assert assign_folds(labels, groups, 3) == folds


def test_another_seed_gives_another_balanced_assignment_of_whole_groups() -> None:
    labels, groups = synthetic()
    assert assign_folds(labels, groups, 3, seed=0) == assign_folds(labels, groups, 3)
    other = assign_folds(labels, groups, 3, seed=1)
    assert other != assign_folds(labels, groups, 3) and other == assign_folds(labels, groups, 3, seed=1)
    assert all(len({other[i] for i in other if groups[i] == g}) == 1 for g in set(groups.values()))
    sizes = Counter(other.values())
    assert max(sizes.values()) - min(sizes.values()) <= 2


def test_a_document_without_a_group_is_an_error() -> None:
    labels, groups = synthetic()
    del groups["jp001"]
    with pytest.raises(FoldError, match="jp001"):
        assign_folds(labels, groups, 3)


def test_fewer_groups_than_folds_is_an_error() -> None:
    labels = [label("jp001", "none"), label("jp002", "none")]
    with pytest.raises(FoldError, match="2 groups cannot fill 5 folds"):
        assign_folds(labels, {"jp001": "a", "jp002": "b"}, 5)


def test_collection_is_the_id_prefix() -> None:
    assert [collection(i) for i in ("jp012", "rfpx01", "d078")] == ["jp", "rfpx", "d"]


def test_only_the_folds_looked_at_are_listed() -> None:
    figures = {"accuracy": 0.5, "misclassified": [{"id": "a"}, {"id": "b"}], "kind_misses": [{"id": "b"}]}
    cut = only_documents(figures, {"a"})
    assert cut["misclassified"] == [{"id": "a"}] and cut["kind_misses"] == [] and cut["accuracy"] == 0.5


def test_fold_table_marks_the_folds_looked_at_and_pools_the_others() -> None:
    def fold(documents: int, acc: float) -> dict:
        return {
            "documents": documents,
            "accuracy": acc,
            "macro_f1": acc,
            "baseline": {"accuracy": 0.5, "macro_f1": 0.4},
        }

    result = {
        "folds": {"k": 2, "look_at": [0]},
        "per_fold": [fold(10, 0.9), fold(10, 0.7)],
        "unseen_folds": fold(10, 0.7),
    }
    lines = format_folds(result)
    assert lines[2].startswith("  0*") and lines[3].startswith("  1 ")
    assert lines[-1].startswith("folds not looked at, pooled: 10 documents, accuracy  70.0%")


def test_corpus_folds_keep_employers_whole_and_mix_collections() -> None:
    corpus = require_shared(default_corpus() / "groups.csv").parent
    labels = load_labels(corpus)
    groups = load_groups(corpus)
    folds = assign_folds(labels, groups)
    assert set(folds) == {lab.id for lab in labels}
    assert all(len({folds[i] for i in folds if groups[i] == g}) == 1 for g in set(groups[i] for i in folds))
    sizes = Counter(folds.values())
    assert max(sizes.values()) - min(sizes.values()) <= 3
    for k in range(5):
        members = [lab for lab in labels if folds[lab.id] == k]
        biggest = Counter(collection(lab.id) for lab in members).most_common(1)[0][1]
        assert biggest < 0.75 * len(members)  # no fold is mostly one collection
        assert len({lab.role for lab in members}) >= 3


def test_groups_file_is_required(tmp_path: Path) -> None:
    with pytest.raises(FoldError, match="no groups.csv"):
        load_groups(tmp_path)


def test_roles_benchmark_lists_only_the_folds_looked_at(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.roles import main

    corpus = require_shared(default_corpus() / "groups.csv").parent
    argv = ["--corpus", str(corpus), "--direct", "--formats", "txt", "--look-at", "0", "--verbose", "--repeats", "2"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "over 2 balanced fold assignments (the folds above are the first): held-out accuracy mean" in out
    folds = assign_folds(load_labels(corpus), load_groups(corpus))
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("  ") and line.split()[0] in folds}
    listed |= {line.split()[2] for line in out.splitlines() if line.startswith("kind miss: ")}
    assert listed and {folds[i] for i in listed} == {0}
    assert "folds not looked at, pooled:" in out
    assert "the documents of the folds not looked at, held out in every assignment: accuracy mean" in out
    assert "held out by collection (id prefix; accuracy / macro-F1, title-only accuracy): d 77 files" in out
    assert "held out by the reviewers' confidence in the label (labels.csv; accuracy): high 71 files" in out
