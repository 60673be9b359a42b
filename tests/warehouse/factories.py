"""Small hand-built documents, analyses and batches for warehouse tests."""

from __future__ import annotations

import hashlib

import duckdb

from rolesignal.extractors.types import Document, DocumentBuilder, Requirement
from rolesignal.rules.types import QUESTIONS, Analysis, Answer, Classification, SignalHit
from rolesignal.warehouse.connect import CONFIG
from rolesignal.warehouse.schema import migrate
from rolesignal.warehouse.types import Failed, Processed, SeenFile

ROOT = "/data/inbox"
RULES_V1 = "rules-v1"
RULES_V2 = "rules-v2"
CATALOGUE = [
    {
        "id": "ml.train",
        "side": "ml",
        "weight": 2.0,
        "label": "trains models",
        "guide_passage": "An ML engineer trains.",
    },
    {"id": "ml.eval", "side": "ml", "weight": 1.0, "label": "evaluates models", "guide_passage": "Evaluation matters."},
    {"id": "ai.llm_api", "side": "ai", "weight": 2.0, "label": "calls LLM APIs", "guide_passage": "AI devs integrate."},
]


def new_warehouse() -> duckdb.DuckDBPyConnection:
    """A migrated in-memory warehouse."""
    con = duckdb.connect(config=CONFIG)
    migrate(con)
    return con


def content_hash(seed: str) -> str:
    """A realistic sha256 hex for a seed string."""
    return hashlib.sha256(seed.encode()).hexdigest()


def document(seed: str, path: str = "") -> Document:
    """A two-page document with a heading, bullets, a paragraph and a table row."""
    b = DocumentBuilder()
    b.add("heading", f"Senior Engineer {seed}", level=1)
    b.add("paragraph", "We are hiring.")
    b.add("heading", "Requirements", level=2)
    b.add("bullet", "Experience training deep learning models")
    b.add("bullet", "Build features on top of LLM APIs", level=1)
    b.new_page()
    b.add("table_row", "Skill | Level")
    b.add("bullet", "Evaluate models, not just prompts")
    return b.build(path or f"{ROOT}/{seed}.txt", content_hash(seed), "txt")


def analysis(doc: Document, rules_version: str = RULES_V1, role: str = "hybrid") -> Analysis:
    """Three requirements (one without signals), three hits (one negated) and a classification."""
    spans = [blk for blk in doc.blocks if blk.kind == "bullet"]
    requirements = tuple(
        Requirement(
            i,
            blk.text,
            "requirements",
            "Requirements",
            "required",
            blk.page,
            blk.char_start,
            blk.char_end,
            (f"cue.{i}",),
        )
        for i, blk in enumerate(spans)
    )
    r0, r1 = requirements[0], requirements[1]
    hits = (
        SignalHit(0, "ml.train", "ml", 2.0, "training", "p.train", r0.char_start + 11, r0.char_start + 19),
        SignalHit(0, "ml.eval", "ml", 1.0, "deep learning models", "p.dl", r0.char_start + 20, r0.char_end),
        SignalHit(1, "ai.llm_api", "ai", 2.0, "LLM APIs", "p.llm", r1.char_end - 8, r1.char_end),
        SignalHit(1, "ml.train", "ml", -1.0, "features", "p.feat", r1.char_start + 6, r1.char_start + 14, negated=True),
    )
    answers = (Answer(QUESTIONS[0], "yes", 0), Answer(QUESTIONS[1], "no", 1), Answer(QUESTIONS[2], "unknown"))
    verdict = Classification(
        role,
        0.75,
        3.0,
        2.0,
        "job_posting",
        answers,
        "ml_engineer",
        role != "ml_engineer",
        rules_version,
        other_work=("dashboard", "Tableau") if role == "none" else (),
    )
    return Analysis(doc.content_hash, requirements, hits, verdict)


def seen(doc_or_path: Document | str, size: int = 100, mtime_ns: int = 1_000, content: str = "") -> SeenFile:
    """A SeenFile for a document (its path and hash) or for a bare path."""
    if isinstance(doc_or_path, Document):
        return SeenFile(doc_or_path.path, size, mtime_ns, doc_or_path.content_hash)
    return SeenFile(doc_or_path, size, mtime_ns, content)


def processed(seed: str, path: str = "", rules_version: str = RULES_V1, role: str = "hybrid") -> Processed:
    """A successfully processed file."""
    doc = document(seed, path)
    return Processed(seen(doc), doc, analysis(doc, rules_version, role))


def failed(path: str, error_type: str = "encrypted_pdf", message: str = "encrypted PDF: remove the password") -> Failed:
    """A file that could not be read."""
    return Failed(seen(path, content=content_hash(path)), error_type, message)


def table_contents(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row of every base table, sorted, for before/after comparisons."""
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    return {n: sorted(con.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}
