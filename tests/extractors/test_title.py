"""The title: the first line when it reads as a name, past metadata lines; else the first heading."""

from __future__ import annotations

import pytest

from rolesignal.extractors.text import extract_text


def title(text: str) -> str:
    return extract_text(text.encode(), "/x/a.txt", "h", "txt").title


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A posting pasted from a web page: the name as plain text, a heading much later.
        ("Senior ML Engineer\n\nWe build models.\n\nRequirements:\n- Python\n", "Senior ML Engineer"),
        # Lines a job board puts above the name are skipped.
        ("URL: https://jobs.example.com/17\n\nAI Engineer, Agents\n\nAbout us\n", "AI Engineer, Agents"),
        ("https://jobs.example.com/17\n\n27 June 2024\n\nCall for Proposals: Speech\n", "Call for Proposals: Speech"),
        ("Title: Virtual Agent Solution\n\nScope\n\nThe vendor shall ...\n", "Virtual Agent Solution"),
        # A first heading stays the title.
        ("# Data Engineer\n\nSomething\n", "Data Engineer"),
        # A sentence or a quoted note is no name: the first heading is.
        ("We're looking for an engineer to build agents.\n\n## AI Developer\n", "AI Developer"),
        ("> This call is open to new proposals\n\n## Reputation System\n", "Reputation System"),
        # A form's label is no name: the line below it is.
        ("SOLICITATION NOTICE\n\nA -- SPEECH ANALYTICS PROGRAM\n\nNotice Date\n", "A -- SPEECH ANALYTICS PROGRAM"),
        ("Request for Proposals\n\nFor\n\nChatbot for Citizen Services\n\nScope\n", "Chatbot for Citizen Services"),
        # A tender's cover: whom it is for, who buys and whom to contact are no name; a labelled title loses its label.
        ("Request for Tender\n\nFor the Revenue Agency\n\nAI Use Cases Delivery\n", "AI Use Cases Delivery"),
        ("Buyer Name: Ministry of Works\n\nContact Email: x\n\nLot Title: Chatbot Pilot\n\nScope\n", "Chatbot Pilot"),
        ("Prepared for the City of Springfield\n\nPredictive Maintenance Models\n", "Predictive Maintenance Models"),
        # The end of an address a print wrapped onto its own line is no name.
        ("URL: https://jobs.example.com/jobdetails?id=CXO-1-\n\nS7_en&src=LI\n\nData Analyst\n", "Data Analyst"),
    ],
)
def test_title(text: str, expected: str) -> None:
    assert title(text) == expected


def test_a_long_first_paragraph_is_body_text() -> None:
    body = " ".join(["word"] * 30)
    assert title(f"{body}\n\nModel Training Services\n\nMore.\n") == "Model Training Services"


@pytest.mark.parametrize(
    "text",
    [
        # Body text, a section's own name and a lead-in line name no document.
        " ".join(["word"] * 30) + "\n\nProblem Background & Scope\n\nMore.\n",
        "Specifications include, but are not limited to:\n1.1 Provide a tool that reads transcripts.\n",
        # A notice that is only its cover fields and a description has no title.
        "Buyer Name: Ministry of Works\nContact Name: Commercial Team\n\nThe team leads on digital services.\n",
    ],
)
def test_no_line_names_the_document(text: str) -> None:
    assert title(text) == ""


def test_a_title_in_another_script_is_a_name() -> None:
    assert title("机器学习工程师\n\n职责\n- 训练模型\n") == "机器学习工程师"


def test_an_attachment_label_is_no_name() -> None:
    assert title("(Attach I)\n\nRFP Concept Paper 118\n\nPresented to the board\n") == "RFP Concept Paper 118"


def test_the_first_heading_taken_instead_is_no_piece_of_an_address() -> None:
    body = " ".join(["word"] * 30)
    assert title(f"{body}\n\n## 46be-800c?lg=EN\n\n## Model Training Services\n\nMore.\n") == "Model Training Services"
