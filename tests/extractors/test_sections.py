"""Headings map to section types by their longest known phrase."""

from __future__ import annotations

import pytest

from rolesignal.extractors.sections import classify_heading
from rolesignal.rules.load import load_rules


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("Responsibilities", "responsibilities"),
        ("## 👷 What you'll be doing", "responsibilities"),
        ("Requirements:", "requirements"),
        ("What We Hope You Have", "preferred_qualifications"),
        ("Company Description", "about_company"),
        ("Out of Scope", "out_of_scope"),
        ("Minimum Qualifications", "required_qualifications"),
        ("Preferred Qualifications", "preferred_qualifications"),
        ("Nice to have", "preferred_qualifications"),
        ("3. SCOPE", "scope_of_work"),
        ("Statement of Work", "scope_of_work"),
        ("Deliverables", "deliverables"),
        ("Technical Requirements", "technical_requirements"),
        ("Proposal Submission Instructions", "application"),
        ("Evaluation Criteria", "evaluation_criteria"),
        ("About Acme", "about_company"),
        ("Benefits & Perks", "benefits"),
        ("Equal Opportunity Employer", "legal_eeo"),
        ("Quarterly roadmap", None),
    ],
)
def test_heading_section(heading: str, section: str | None) -> None:
    found = classify_heading(heading, load_rules().sections)
    assert (found.id if found else None) == section
