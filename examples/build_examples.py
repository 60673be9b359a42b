"""Render the example sources in examples/source/ into examples/inbox/ as .txt, .md, .pdf and .docx."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
INBOX = HERE / "inbox"

# source stem -> inbox file name (its extension picks the renderer)
TARGETS = {
    "acme-llm-support-assistant": "acme-llm-support-assistant.txt",
    "northwind-fraud-ml-engineer": "northwind-fraud-ml-engineer.pdf",
    "globex-ai-platform-engineer": "globex-ai-platform-engineer.docx",
    "initech-backend-engineer": "initech-backend-engineer.md",
    "city-of-springfield-rfp-chatbot": "city-of-springfield-rfp-chatbot.pdf",
    "ml-engineer-title-but-llm-work": "ml-engineer-title-but-llm-work.docx",
}


@dataclass
class Block:
    """One block of a source document: a heading, paragraph, bullet or table."""

    kind: str  # 'h1' | 'h2' | 'h3' | 'p' | 'li' | 'table'
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


def parse(markdown: str) -> list[Block]:
    """Parse the small Markdown subset the sources use."""
    blocks: list[Block] = []
    for line in markdown.splitlines():
        line = line.rstrip()
        if not line.strip():
            continue
        if m := re.match(r"(#{1,3})\s+(.*)", line):
            blocks.append(Block(f"h{len(m.group(1))}", m.group(2)))
        elif line.startswith("- "):
            blocks.append(Block("li", line[2:]))
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            if not blocks or blocks[-1].kind != "table":
                blocks.append(Block("table"))
            blocks[-1].rows.append(cells)
        else:
            blocks.append(Block("p", line))
    return blocks


def to_text(blocks: list[Block]) -> str:
    """Plain text: headings on their own lines, '- ' bullets, tables as 'a | b' rows."""
    out: list[str] = []
    for b in blocks:
        if b.kind.startswith("h"):
            out += ["", b.text.upper() if b.kind == "h1" else b.text, ""]
        elif b.kind == "li":
            out.append(f"- {b.text}")
        elif b.kind == "table":
            out += [" | ".join(r) for r in b.rows] + [""]
        else:
            out += [b.text, ""]
    return "\n".join(out).strip() + "\n"


def _latin1(text: str) -> str:
    """Keep PDF core-font text inside latin-1."""
    for a, b in {"\u2013": "-", "\u2014": "-", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(blocks: list[Block], path: Path) -> None:
    """Render with fpdf2 in Helvetica."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    sizes = {"h1": 16, "h2": 13, "h3": 11}
    for b in blocks:
        pdf.set_x(pdf.l_margin)
        if b.kind in sizes:
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", sizes[b.kind])
            pdf.multi_cell(0, 8, _latin1(b.text))
        elif b.kind == "li":
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5.5, _latin1(f"- {b.text}"))
        elif b.kind == "table":
            pdf.set_font("Helvetica", "", 10)
            for row in b.rows:
                pdf.set_x(pdf.l_margin)
                pdf.multi_cell(0, 5.5, _latin1(" | ".join(row)))
        else:
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5.5, _latin1(b.text))
            pdf.ln(1)
    pdf.output(str(path))


def to_docx(blocks: list[Block], path: Path) -> None:
    """Render with python-docx: Heading 1/2/3, 'List Bullet' items and real tables."""
    from docx import Document

    doc = Document()
    doc.core_properties.author = "rolesignal examples"
    for b in blocks:
        if b.kind.startswith("h"):
            doc.add_heading(b.text, level=int(b.kind[1]))
        elif b.kind == "li":
            doc.add_paragraph(b.text, style="List Bullet")
        elif b.kind == "table":
            table = doc.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            table.style = "Table Grid"
            for i, row in enumerate(b.rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
        else:
            doc.add_paragraph(b.text)
    doc.save(str(path))


def build() -> list[Path]:
    """Render every source into the inbox; return the files written."""
    INBOX.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, name in TARGETS.items():
        source = (SOURCE / f"{stem}.md").read_text(encoding="utf-8")
        target = INBOX / name
        blocks = parse(source)
        if target.suffix == ".md":
            target.write_text(source, encoding="utf-8")
        elif target.suffix == ".txt":
            target.write_text(to_text(blocks), encoding="utf-8")
        elif target.suffix == ".pdf":
            to_pdf(blocks, target)
        elif target.suffix == ".docx":
            to_docx(blocks, target)
        else:
            raise ValueError(f"no renderer for {target.suffix}")
        written.append(target)
    return written


if __name__ == "__main__":
    for p in build():
        print(p.relative_to(HERE.parent))
