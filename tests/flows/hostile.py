"""Hostile and broken files for the flow tests, each built here from scratch (no binary fixtures)."""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from pathlib import Path

import docx
from fpdf import FPDF
from pypdf import PdfWriter

from benchmarks.render import blocks_from_text, render_pdf
from tests.flows.documents import AI_POSTING


def text_pdf(path: Path, text: str = AI_POSTING) -> bytes:
    return render_pdf(blocks_from_text(text), path).read_bytes()


def encrypted_pdf(readable: bytes) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(readable))
    writer.encrypt(user_password="secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A page with a filled shape and no text: what a scanner produces, minus the photo."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 150, 200, style="F")
    return bytes(pdf.output())


def slow_pdf(operations: int = 1_500_000) -> bytes:
    """A 15 KB PDF whose one page shows 'a' 1.5 million times: PDFium needs well over 10 s for its text."""
    content = zlib.compress(b"BT /F1 12 Tf 72 700 Td " + b"(a) Tj " * operations + b"ET", 6)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replace_part(package: bytes, name: str, data: bytes | None) -> bytes:
    """A copy of a zip package with one part replaced (or left out, when data is None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info))
        if data is not None:
            dst.writestr(name, data)
    return out.getvalue()


def docx_bomb() -> bytes:
    """A .docx whose document.xml inflates from ~11 KB to 11 MB (the ratio of a crafted bomb)."""
    return replace_part(docx_bytes("x"), "word/document.xml", b"\0" * (11 * 1024 * 1024))


def docx_with_external_entity(secret: Path) -> bytes:
    """A .docx whose document.xml declares an external entity reading a local file, and uses it in the text."""
    xml = f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Build RAG pipelines on the OpenAI API for our support team.</w:t></w:r></w:p>
<w:p><w:r><w:t>Leak: &xxe;</w:t></w:r></w:p>
</w:body></w:document>"""
    return replace_part(docx_bytes("placeholder"), "word/document.xml", xml.encode())
