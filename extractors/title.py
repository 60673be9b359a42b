"""Which line names the document: its first line when that reads as a name, else its first heading that does."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rolesignal.extractors.types import Block

# The title stands among the first blocks, past at most a few lines of metadata.
TITLE_WINDOW = 6
# A name is short: a posting's title, a tender's subject. A first paragraph longer than this is body text.
MAX_TITLE_WORDS = 25
# Lines a job board or a portal puts above the name: an address, when it was posted, its tags.
_METADATA = re.compile(
    r"^(?:url|link|source|original (?:job )?post|posted(?: on| date)?|published(?: on)?|date(?: posted)?|tags"
    r"|job id|requisition id|reference(?: number)?"
    # a tender's cover: who buys, whom to contact, when answers are due
    r"|(?:buyer|client|purchaser|contact|issuer)(?: name| address| email| e-mail| phone)?"
    r"|contracting (?:authority|office)|notice (?:date|type)|response due|closing date|deadline"
    r"|solicitation (?:number|no\.?)|form number|version)\s*[:#]",
    re.IGNORECASE,
)
# A line that names whom the document is for or from ("For Federal Tax Authority", "Prepared for ..."): the
# document's name is another line.
_PARTY = re.compile(
    r"^(?:for|prepared for|prepared by|issued by|issued for|submitted to|on behalf of)\s+\S", re.IGNORECASE
)
_ADDRESS = re.compile(r"^<?(?:https?|file)://\S+>?$")
# A piece of an address wrapped onto its own line ("S71380_en&src=LINKEDINJP"): one token with an address's marks.
_ADDRESS_PIECE = re.compile(r"^[^\s=&?/]*[=&?/][^\s]*$")
_DATE = re.compile(
    r"^(?:\d{1,2}[ ./-](?:\d{1,2}|[A-Za-z]{3,9})[ ./-]\d{2,4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{4}-\d{2}-\d{2})$"
)
_LABEL = re.compile(r"^(?:(?:lot|project|contract|tender|notice|job) )?(?:title|subject|re)\s*:\s*", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")  # any script's words: a title in Chinese is a title
_LINKING = frozenset({"for", "of", "to", "by", "from", "on", "in", "and", "the", "a", "an", "re", "prepared for"})
# A first line that only says what kind of document this is: a form's label; the document's name follows it.
_KIND_ONLY = re.compile(
    r"^(?:request for (?:proposals?|tenders?|quotations?|qualifications|information|bids?)|invitation to (?:tender|bid)"
    r"|solicitation(?: notice)?|tender(?: notice| document)?|terms of reference|statement of work|scope of work"
    r"|expression of interest|call for (?:proposals|tenders|applications)|notice of intent|job description"
    r"|job posting|vacancy(?: notice| announcement)?|rf[pqi]|itt|eoi|tor|sow)[\s:.-]*$",
    re.IGNORECASE,
)

# A heading made only of a section's words ("Problem Background & Scope", "Overview") names a part, not the document.
_SECTION_WORDS = frozenset(
    "about abstract and background brief context description detail details executive general information"
    " introduction key objective objectives of our overview problem project purpose scope statement summary the"
    " us work requirements requirement deliverables tasks responsibilities qualifications contents table"
    " specifications specification instructions".split()
)
# A line that leads into what follows ("Specifications include, but are not limited to:") is no name.
_LEAD_IN = re.compile(r":\s*$")
# An attachment's label ("(Attach I)", "Appendix B", "Exhibit 2"): the name is another line.
_ATTACHMENT = re.compile(
    r"^\(?(?:attach(?:ment)?|annex|appendix|exhibit|schedule|enclosure)\.?\s*[\w.-]{0,6}\)?$", re.IGNORECASE
)


def pick_title(blocks: Sequence[Block]) -> str:
    """The document's title: its first block, past lines of metadata, when it is a heading or a short paragraph
    (a posting copied from a web page starts with the job's name as plain text, and may have a heading such as
    'Requirements' much later); otherwise the first heading that names something, otherwise none."""
    for block in blocks[:TITLE_WINDOW]:
        text = block.text.strip()
        if _no_name(text):
            continue
        if text.lower() in _LINKING:
            continue  # "Terms of Reference" / "For" / "Design of the ...": the name is on the next line
        if block.kind == "heading":
            return _LABEL.sub("", text) or text
        # A name is no sentence ("We're looking for ...") and no quoted note ("> This call is open ...").
        named = len(text.split()) <= MAX_TITLE_WORDS and text[-1] not in ".!?" and text[0] != ">"
        if block.kind == "paragraph" and named:
            return _LABEL.sub("", text)
        break
    # No first line names it: the first heading that does, else no title (a paragraph of body text is none).
    return next((b.text.strip() for b in blocks if b.kind == "heading" and not _no_name(b.text.strip())), "")


def _no_name(text: str) -> bool:
    """Empty, or a line that only says where the document came from, when, for whom, what kind it is, which part of
    it follows, or that something follows."""
    if not text or any(p.match(text) for p in (_METADATA, _ADDRESS, _ADDRESS_PIECE, _DATE, _KIND_ONLY, _ATTACHMENT)):
        return True
    words = set(_WORD.findall(text.lower()))
    if _LEAD_IN.search(text) or (words and words <= _SECTION_WORDS):
        return True
    return _PARTY.match(text) is not None and len(text.split()) <= 8
