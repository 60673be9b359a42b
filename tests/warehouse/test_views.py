"""The contract views: exact columns, current files only, unique non-null keys; plus explanations."""

from __future__ import annotations

import duckdb
import pytest

from rolesignal.warehouse import store
from rolesignal.warehouse.errors import AmbiguousPath
from rolesignal.warehouse.explain import fetch_explanation
from tests.warehouse import factories as f

# Copied from shared/spec/contract.md on purpose: a change to a view must not silently change the contract.
CONTRACT = {
    "document_roles": [
        "path",
        "file_name",
        "file_type",
        "doc_kind",
        "title",
        "role",
        "confidence",
        "ml_score",
        "ai_score",
        "title_role",
        "title_mismatch",
        "trains_own_model",
        "custom_intelligence_layer",
        "model_quality_is_the_challenge",
        "non_text_modality",
        "privacy_blocks_third_party_api",
        "rules_version",
        "classified_at",
    ],
    "document_requirements": [
        "path",
        "ordinal",
        "section",
        "strength",
        "text",
        "page",
        "char_start",
        "char_end",
        "signal_ids",
    ],
    "signal_evidence": ["path", "signal_id", "side", "weight", "requirement_ordinal", "matched_text", "guide_passage"],
    "ingest_failures": ["path", "error_type", "message", "scan_id", "failed_at"],
    "scan_history": [
        "scan_id",
        "flow_run_id",
        "root",
        "started_at",
        "finished_at",
        "files_seen",
        "new",
        "changed",
        "unchanged",
        "removed",
        "failed",
        "rules_version",
    ],
    "role_summary": ["doc_kind", "role", "documents"],
}
KEYS = {
    "document_roles": ["path"],
    "document_requirements": ["path", "ordinal"],
    "ingest_failures": ["path"],
    "scan_history": ["scan_id"],
    "role_summary": ["doc_kind", "role"],
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """A warehouse after two scans: duplicates, a failure, a removed file and a re-added one."""
    con = f.new_warehouse()
    store.write_catalogue(con, f.CATALOGUE, f.RULES_V1)
    first = store.start_scan(con, f.ROOT, "run-1", f.RULES_V1)
    a, gone = f.processed("a", role="ml_engineer"), f.processed("gone")
    store.write_batch(con, first, [a, gone], [f.failed(f"{f.ROOT}/locked.pdf")], [])
    store.finish_scan(con, first, {"files_seen": 3, "new": 3, "failed": 1})
    second = store.start_scan(con, f.ROOT, "run-2", f.RULES_V1)
    copy = f.seen(f"{f.ROOT}/dup/a.txt", content=a.document.content_hash)
    store.write_batch(con, second, [f.processed("b", role="ai_developer")], [f.failed(f"{f.ROOT}/old.doc")], [copy])
    store.mark_removed(con, [gone.file.path], second)
    store.finish_scan(con, second, {"files_seen": 4, "new": 3, "unchanged": 2, "removed": 1, "failed": 1})
    return con


def rows(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    return con.execute(query).fetchall()


def columns(con: duckdb.DuckDBPyConnection, view: str) -> list[str]:
    return [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]


@pytest.mark.parametrize("view", sorted(CONTRACT))
def test_contract_columns_come_first_in_order(con: duckdb.DuckDBPyConnection, view: str) -> None:
    assert columns(con, view)[: len(CONTRACT[view])] == CONTRACT[view]


@pytest.mark.parametrize("view", sorted(KEYS))
def test_keys_are_unique_and_not_null(con: duckdb.DuckDBPyConnection, view: str) -> None:
    key = ", ".join(KEYS[view])
    nulls = " OR ".join(f"{k} IS NULL" for k in KEYS[view])
    assert rows(con, f"SELECT count(*) FROM {view} WHERE {nulls}") == [(0,)]
    assert rows(con, f"SELECT {key}, count(*) FROM {view} GROUP BY ALL HAVING count(*) > 1") == []
    assert rows(con, f"SELECT count(*) FROM {view}")[0][0] > 0


def test_document_roles_has_current_files_and_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "SELECT path, file_name, role, title_mismatch FROM document_roles ORDER BY path") == [
        (f"{f.ROOT}/a.txt", "a.txt", "ml_engineer", False),
        (f"{f.ROOT}/b.txt", "b.txt", "ai_developer", True),
        (f"{f.ROOT}/dup/a.txt", "a.txt", "ml_engineer", False),
    ]
    assert rows(con, "SELECT DISTINCT typeof(title_mismatch), typeof(confidence) FROM document_roles") == [
        ("BOOLEAN", "DOUBLE")
    ]
    assert rows(con, "SELECT count(*) FROM documents") == [(3,)]  # a, gone, b: the duplicate is stored once


def test_document_roles_lists_the_words_for_work_of_neither_role(con: duckdb.DuckDBPyConnection) -> None:
    """What the model counted towards 'none' is in SQL, as the terms of other_work.jsonl it found."""
    scan_id = store.start_scan(con, f.ROOT, "run-3", f.RULES_V1)
    store.write_batch(con, scan_id, [f.processed("report", f"{f.ROOT}/report.txt", role="none")], [], [])
    found = "SELECT file_name, other_work, typeof(other_work) FROM document_roles WHERE len(other_work) > 0"
    assert rows(con, found) == [("report.txt", ["dashboard", "Tableau"], "VARCHAR[]")]


def test_failed_files_appear_only_in_ingest_failures(con: duckdb.DuckDBPyConnection) -> None:
    failed = [f"{f.ROOT}/locked.pdf", f"{f.ROOT}/old.doc"]
    assert rows(con, "SELECT path, error_type FROM ingest_failures ORDER BY path") == [
        (p, "encrypted_pdf") for p in failed
    ]
    for view in ("document_roles", "document_requirements", "signal_evidence"):
        assert rows(con, f"SELECT count(*) FROM {view} WHERE path IN ('{failed[0]}', '{failed[1]}')") == [(0,)]


def test_removed_files_leave_every_view(con: duckdb.DuckDBPyConnection) -> None:
    gone = f"{f.ROOT}/gone.txt"
    for view in ("document_roles", "document_requirements", "signal_evidence", "ingest_failures"):
        assert rows(con, f"SELECT count(*) FROM {view} WHERE path = '{gone}'") == [(0,)], view


def test_requirements_list_their_non_negated_signals(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con, f"SELECT ordinal, signal_ids FROM document_requirements WHERE path = '{f.ROOT}/a.txt' ORDER BY ordinal"
    ) == [(0, ["ml.eval", "ml.train"]), (1, ["ai.llm_api"]), (2, [])]


def test_signal_evidence_excludes_negated_hits_and_carries_the_guide(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "SELECT signal_id, side, weight, requirement_ordinal, matched_text, guide_passage FROM signal_evidence "
        f"WHERE path = '{f.ROOT}/b.txt' ORDER BY requirement_ordinal, signal_id",
    ) == [
        ("ml.eval", "ml", 1.0, 0, "deep learning models", "Evaluation matters."),
        ("ml.train", "ml", 2.0, 0, "training", "An ML engineer trains."),
        ("ai.llm_api", "ai", 2.0, 1, "LLM APIs", "AI devs integrate."),
    ]


def test_role_summary_and_scan_history(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "SELECT * FROM role_summary") == [
        ("job_posting", "ai_developer", 1),
        ("job_posting", "ml_engineer", 2),
    ]
    assert rows(con, "SELECT scan_id, flow_run_id, files_seen, removed, status FROM scan_history ORDER BY 1") == [
        (1, "run-1", 3, 0, "completed"),
        (2, "run-2", 4, 1, "completed"),
    ]


def test_every_current_file_is_in_exactly_one_view(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        rows(
            con,
            "SELECT path FROM files WHERE status <> 'removed' "
            "EXCEPT ALL (SELECT path FROM document_roles UNION ALL SELECT path FROM ingest_failures)",
        )
        == []
    )
    assert rows(con, "SELECT path FROM document_roles INTERSECT SELECT path FROM ingest_failures") == []


def test_explanation_by_path_and_by_unique_suffix(con: duckdb.DuckDBPyConnection) -> None:
    exp = fetch_explanation(con, f"{f.ROOT}/b.txt")
    assert exp is not None and exp.document["role"] == "ai_developer"
    assert [r.ordinal for r in exp.requirements] == [0, 1, 2]
    assert exp.requirements[0].heading == "Requirements"
    assert [(h.signal_id, h.guide_passage, h.label) for h in exp.requirements[1].hits] == [
        ("ai.llm_api", "AI devs integrate.", "calls LLM APIs")
    ]
    assert [(a.question, a.value, a.requirement_ordinal) for a in exp.answers][:3] == [
        ("trains_own_model", "yes", 0),
        ("custom_intelligence_layer", "no", 1),
        ("model_quality_is_the_challenge", "unknown", None),
    ]
    assert fetch_explanation(con, "b.txt") == exp
    assert fetch_explanation(con, "dup/a.txt").document["path"] == f"{f.ROOT}/dup/a.txt"
    assert fetch_explanation(con, "nothing.txt") is None
    assert fetch_explanation(con, "gone.txt") is None, "removed files are not explained"
    with pytest.raises(AmbiguousPath) as err:
        fetch_explanation(con, "a.txt")
    assert err.value.candidates == [f"{f.ROOT}/a.txt", f"{f.ROOT}/dup/a.txt"]
