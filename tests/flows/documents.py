"""Small postings written for the flow tests, rendered into real PDF, DOCX and text files."""

from __future__ import annotations

from pathlib import Path

from benchmarks.render import blocks_from_text, render_docx, render_pdf

AI_POSTING = """# Senior AI Engineer

## What you'll do
- Build LLM-powered features on the OpenAI API with structured output and function calling
- Build RAG pipelines with embeddings and a vector database over our help center
- Integrate the assistant with Salesforce and Zendesk

## Requirements
- 4+ years of Python
- Experience with LangChain or LlamaIndex
"""

ML_POSTING = """# Machine Learning Engineer, Fraud

## Responsibilities
- Train and deploy fraud detection models on our transaction data
- Feature engineering on raw payment events
- Run experiments and track them in MLflow

## Qualifications
- Experience with PyTorch or XGBoost
- Strong background in model evaluation
"""

PLAIN_POSTING = """# Backend Engineer

## Responsibilities
- Build REST APIs in Go
- Maintain our PostgreSQL databases

## Requirements
- 3+ years of backend development
"""


def write_inbox(folder: Path) -> dict[str, Path]:
    """An AI posting as PDF, an ML posting as DOCX, a plain one as text, and one unreadable PDF."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "ai": folder / "ai-engineer.pdf",
        "ml": folder / "ml-engineer.docx",
        "plain": folder / "backend.txt",
        "broken": folder / "broken.pdf",
    }
    render_pdf(blocks_from_text(AI_POSTING), paths["ai"])
    render_docx(blocks_from_text(ML_POSTING), paths["ml"])
    paths["plain"].write_text(PLAIN_POSTING, encoding="utf-8")
    paths["broken"].write_bytes(b"<html><body>not a pdf</body></html>")
    return paths
