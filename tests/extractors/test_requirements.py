"""Requirements are found per section and cue, with strength and exact offsets (one phenomenon per test)."""

from __future__ import annotations

from functools import lru_cache

from rolesignal.extractors.nlp import build_nlp
from rolesignal.extractors.requirements import RequirementFinder
from rolesignal.extractors.types import Document, DocumentBuilder
from rolesignal.rules.load import load_rules


@lru_cache(maxsize=1)
def finder() -> RequirementFinder:
    rules = load_rules()
    return RequirementFinder(rules.cues, rules.sections, build_nlp(rules.scoring.get("lemma_overrides")))


def make(*blocks: tuple[str, str]) -> Document:
    builder = DocumentBuilder()
    for kind, text in blocks:
        builder.add(kind, text, level=1 if kind == "heading" else 0)
    return builder.build("/x/doc.txt", "h", "txt")


def found(document: Document, kind: str = "job_posting") -> list[tuple[str, str, str]]:
    return [(r.text, r.strength, r.section) for r in finder()(document, kind)]


def test_bullets_under_requirements_are_required() -> None:
    doc = make(("heading", "Requirements"), ("bullet", "Python and SQL"), ("bullet", "Experience with Kubernetes"))
    assert found(doc) == [
        ("Python and SQL", "required", "requirements"),
        ("Experience with Kubernetes", "required", "requirements"),
    ]


def test_bullets_under_responsibilities_are_responsibilities() -> None:
    doc = make(("heading", "What you'll do"), ("bullet", "Build retrieval pipelines for support agents"))
    assert found(doc) == [("Build retrieval pipelines for support agents", "responsibility", "responsibilities")]


def test_nice_to_have_section_is_preferred() -> None:
    doc = make(("heading", "Nice to have"), ("bullet", "Experience with LangChain"))
    assert found(doc) == [("Experience with LangChain", "preferred", "preferred_qualifications")]


def test_preferred_cue_inside_required_section() -> None:
    doc = make(("heading", "Qualifications"), ("bullet", "Familiarity with Terraform is a plus"))
    assert found(doc) == [("Familiarity with Terraform is a plus", "preferred", "required_qualifications")]


def test_paragraph_in_requirement_section_splits_into_sentences() -> None:
    doc = make(("heading", "The Role"), ("paragraph", "You will own our chat assistant. You will ship weekly."))
    assert found(doc) == [
        ("You will own our chat assistant.", "responsibility", "responsibilities"),
        ("You will ship weekly.", "responsibility", "responsibilities"),
    ]


def test_cue_sentences_outside_sections() -> None:
    doc = make(("paragraph", "We are a small team in Lisbon. You must have 5+ years of Python experience."))
    assert found(doc) == [("You must have 5+ years of Python experience.", "required", "")]


def test_company_and_benefits_sections_give_nothing() -> None:
    doc = make(
        ("heading", "About us"),
        ("paragraph", "You will love our culture and you must see our office."),
        ("heading", "Benefits"),
        ("bullet", "Experience with a generous 401k match"),
    )
    assert found(doc) == []


def test_proposal_logistics_are_not_requirements() -> None:
    doc = make(("paragraph", "Proposals must be submitted by 5 pm on March 3. The contractor shall build a portal."))
    assert found(doc, "rfp") == [("The contractor shall build a portal.", "deliverable", "")]


def test_scope_of_work_is_deliverable() -> None:
    doc = make(("heading", "Scope of Work"), ("bullet", "Develop a citizen-services chatbot"))
    assert found(doc, "rfp") == [("Develop a citizen-services chatbot", "deliverable", "scope_of_work")]


def test_colon_paragraph_acts_as_heading() -> None:
    doc = make(("paragraph", "Requirements:"), ("bullet", "Strong SQL"))
    assert found(doc) == [("Strong SQL", "required", "requirements")]


def test_offsets_point_at_the_text() -> None:
    doc = make(("heading", "The Role"), ("paragraph", "Intro words here.  You will build agents for sales teams."))
    requirements = finder()(doc, "job_posting")
    assert requirements
    for requirement in requirements:
        assert doc.text[requirement.char_start : requirement.char_end] == requirement.text
    assert [r.ordinal for r in requirements] == list(range(len(requirements)))


def test_unknown_subheading_keeps_section() -> None:
    builder = DocumentBuilder()
    builder.add("heading", "Requirements", level=2)
    builder.add("heading", "Backend", level=3)
    builder.add("bullet", "Go or Rust services")
    doc = builder.build("/x", "h", "txt")
    assert [(r.text, r.section) for r in finder()(doc, "job_posting")] == [("Go or Rust services", "requirements")]


def test_requirements_heading_in_an_rfp_is_deliverable() -> None:
    doc = make(("heading", "Requirements"), ("bullet", "Resolve names through a fallback resolver"))
    assert found(doc, "rfp") == [("Resolve names through a fallback resolver", "deliverable", "requirements")]


def test_vendor_tasks_in_an_rfp_are_deliverables() -> None:
    doc = make(("heading", "Tasks"), ("bullet", "Contractor shall host the portal"))
    assert found(doc, "rfp") == [("Contractor shall host the portal", "deliverable", "responsibilities")]


def test_multi_sentence_bullet_splits_into_sentences() -> None:
    doc = make(("heading", "Scope of Work"), ("bullet", "Contractor shall post all code. Contractor shall write docs."))
    assert found(doc, "rfp") == [
        ("Contractor shall post all code.", "deliverable", "scope_of_work"),
        ("Contractor shall write docs.", "deliverable", "scope_of_work"),
    ]


def test_labelled_bullet_stays_whole() -> None:
    doc = make(("heading", "Responsibilities"), ("bullet", "Deploy LLMs: Use Kubernetes. Scale them well."))
    assert found(doc) == [("Deploy LLMs: Use Kubernetes. Scale them well.", "responsibility", "responsibilities")]


def test_narrative_prose_in_scope_section_is_skipped() -> None:
    doc = make(
        ("heading", "Project Description"),
        ("paragraph", "For context, Handshake is a naming project. The vendor will add a resolver."),
    )
    assert found(doc, "rfp") == [("The vendor will add a resolver.", "deliverable", "scope_of_work")]


def test_out_of_scope_heading_gives_nothing() -> None:
    doc = make(("heading", "The Contractor will not be responsible for the following"), ("bullet", "Host the data"))
    assert found(doc, "rfp") == []


def test_hedged_lead_in_makes_items_preferred() -> None:
    doc = make(
        ("heading", "Scope of Work"),
        ("paragraph", "Develop features that could include:"),
        ("bullet", "Maps of every post"),
    )
    assert found(doc, "rfp")[-1] == ("Maps of every post", "preferred", "scope_of_work")


def test_repeated_requirement_counted_once() -> None:
    doc = make(("heading", "Responsibilities"), ("bullet", "Build the API layer"), ("bullet", "Build the API layer"))
    assert found(doc) == [("Build the API layer", "responsibility", "responsibilities")]


def test_must_makes_a_responsibility_required() -> None:
    doc = make(("heading", "The Role"), ("paragraph", "You must travel to customer sites monthly."))
    assert found(doc) == [("You must travel to customer sites monthly.", "required", "responsibilities")]


def test_if_you_is_preferred_only_inside_a_section() -> None:
    inside = make(("heading", "The Role"), ("paragraph", "If you love hard problems, you will fit in."))
    outside = make(("paragraph", "If you live near an office, come in as often as you like."))
    assert found(inside) == [("If you love hard problems, you will fit in.", "preferred", "responsibilities")]
    assert found(outside) == []


def test_encouragement_to_apply_is_not_a_requirement() -> None:
    doc = make(("heading", "Qualifications"), ("paragraph", "We encourage everyone who meets most of these to apply."))
    assert found(doc) == []


def test_inline_caps_label_opens_a_section() -> None:
    doc = make(("paragraph", "OBJECTIVE: Develop a routine to classify spectra. It is hard."))
    assert found(doc, "rfp") == [("Develop a routine to classify spectra.", "deliverable", "scope_of_work")]


def test_looking_for_states_the_role() -> None:
    doc = make(("paragraph", "We are looking for an engineer to build our assistant."))
    assert found(doc) == [("We are looking for an engineer to build our assistant.", "required", "")]


def test_unknown_heading_of_several_words_ends_the_section() -> None:
    doc = make(("heading", "Qualifications"), ("heading", "Life at our company"), ("bullet", "Free lunches on Fridays"))
    assert found(doc) == []


def test_several_shall_clauses_split() -> None:
    doc = make(
        ("heading", "Scope of Work"), ("paragraph", "The Contractor shall host the portal; and shall train staff.")
    )
    assert found(doc, "rfp") == [
        ("The Contractor shall host the portal", "deliverable", "scope_of_work"),
        ("shall train staff.", "deliverable", "scope_of_work"),
    ]


def test_each_later_shall_starts_a_requirement_and_one_shall_keeps_the_sentence_whole() -> None:
    # Through the finder, not its private splitter: the joiners before a later "shall" ("; and", ", also") belong to
    # neither requirement, and the sentence before ("Intro.") to none.
    text = "Intro. The Contractor shall host it; and shall train staff, also shall report on progress monthly."
    assert found(make(("heading", "Scope of Work"), ("paragraph", text)), "rfp") == [
        ("The Contractor shall host it", "deliverable", "scope_of_work"),
        ("shall train staff", "deliverable", "scope_of_work"),
        ("shall report on progress monthly.", "deliverable", "scope_of_work"),
    ]
    one = make(("heading", "Scope of Work"), ("paragraph", "Intro. The Contractor shall host it and train staff."))
    assert found(one, "rfp") == [("The Contractor shall host it and train staff.", "deliverable", "scope_of_work")]


def passages(document: Document, kind: str = "rfp") -> list[tuple[str, str, str]]:
    text, findings = document.text, finder().find_all(document, kind)
    return [(p.source, p.section, text[p.char_start : p.char_end]) for p, _ in findings.passages]


def test_sentences_that_are_not_requirements_are_passages_where_work_may_be_stated() -> None:
    doc = make(
        ("paragraph", "The city seeks a partner for an AI-powered permit assistant."),
        ("heading", "Project Description"),
        ("paragraph", "For context, permits take weeks today. The vendor will add a resolver."),
        ("heading", "About Us"),
        ("paragraph", "We are a city of parks and machine learning enthusiasts."),
    )
    assert passages(doc) == [
        ("prose", "", "The city seeks a partner for an AI-powered permit assistant."),
        ("scope", "scope_of_work", "For context, permits take weeks today."),
    ]
    assert found(doc, "rfp") == [("The vendor will add a resolver.", "deliverable", "scope_of_work")]


def test_short_fragments_and_logistics_are_not_passages() -> None:
    doc = make(("paragraph", "Thank you."), ("paragraph", "Proposals are due by 5 pm on March 3."))
    assert passages(doc) == []


def test_headings_run_into_a_paragraph_open_their_sections() -> None:
    # A page pasted without its line breaks: each heading phrase, where the words after it start anew, opens its
    # section for the text up to the next one ("The Role Build ..." is "The Role").
    text = "Acme builds trains.The Role Build the data platform. Minimum Qualifications Strong SQL skills."
    assert found(make(("paragraph", text))) == [
        ("Build the data platform.", "responsibility", "responsibilities"),
        ("Strong SQL skills.", "required", "required_qualifications"),
    ]


def test_glued_headings_follow_each_other() -> None:
    doc = make(("paragraph", "What You’ll DoThe Ideal CandidateHas strong SQL skills."))
    assert found(doc) == [("Has strong SQL skills.", "required", "required_qualifications")]


def test_a_heading_with_a_colon_runs_into_its_text_and_ends_with_the_paragraph() -> None:
    doc = make(
        ("paragraph", "Responsibilities: You will build agents. Location: Remote, you must live in the US."),
        ("paragraph", "You must speak English."),
    )
    assert found(doc) == [
        ("You will build agents.", "responsibility", "responsibilities"),
        ("You must speak English.", "required", ""),
    ]


def test_glued_items_are_separate_requirements_at_their_offsets() -> None:
    doc = make(
        ("heading", "Qualifications"),
        ("paragraph", "Strong SQL skillsFive years of Python experience.3+ years with Airflow and SharePoint"),
    )
    requirements = finder()(doc, "job_posting")
    assert [r.text for r in requirements] == [
        "Strong SQL skills",
        "Five years of Python experience.",
        "3+ years with Airflow and SharePoint",
    ]
    assert all(doc.text[r.char_start : r.char_end] == r.text for r in requirements)


def test_a_capitalised_title_line_is_not_a_heading_run_into_text() -> None:
    # "REQUEST FOR QUALIFICATIONS" before more capitals is a title, not the qualifications section.
    doc = make(("paragraph", "REQUEST FOR QUALIFICATIONS RFQ 12 FORECASTING The city owns a power plant."))
    assert found(doc, "rfp") == []


def test_prose_sentences_that_start_with_a_work_verb_are_tasks_in_a_responsibilities_section() -> None:
    text = "Architect the ingestion pipelines. Drives process compliance across teams. Our office is in Lisbon."
    assert found(make(("heading", "The Role"), ("paragraph", text))) == [
        ("Architect the ingestion pipelines.", "responsibility", "responsibilities"),
        ("Drives process compliance across teams.", "responsibility", "responsibilities"),
    ]
    assert found(make(("heading", "Our Story"), ("paragraph", text))) == []


def test_a_sentence_about_it_under_a_qualifications_heading_needs_a_cue() -> None:
    text = "Keen attention to detail. This is a fast-moving team. It requires fluent German."
    assert found(make(("heading", "Qualifications"), ("paragraph", text))) == [
        ("Keen attention to detail.", "required", "required_qualifications"),
        ("It requires fluent German.", "required", "required_qualifications"),
    ]


def test_an_excerpt_cut_off_mid_sentence_keeps_only_its_complete_sentences() -> None:
    text = "The contractor shall build a portal. The contractor shall train the staff of the"
    assert found(make(("heading", "Scope of Work"), ("paragraph", text)), "rfp") == [
        ("The contractor shall build a portal.", "deliverable", "scope_of_work")
    ]
    # A list item without a full stop is not cut off, nor is a paragraph before the last block.
    whole = make(("heading", "Scope of Work"), ("paragraph", text), ("bullet", "Host the portal for a year"))
    assert [t for t, _, _ in found(whole, "rfp")] == [
        "The contractor shall build a portal.",
        "The contractor shall train the staff of the",
        "Host the portal for a year",
    ]


def test_a_long_unfinished_last_sentence_is_cut_off_but_a_short_unpunctuated_item_is_not() -> None:
    long = "You must know SQL. Our forecasting team models the demand of every region for the coming year in detail"
    assert [t for t, _, _ in found(make(("heading", "Qualifications"), ("paragraph", long)))] == ["You must know SQL."]
    short = "You must know SQL. Strong Python skills"
    assert [t for t, _, _ in found(make(("heading", "Qualifications"), ("paragraph", short)))] == [
        "You must know SQL.",
        "Strong Python skills",
    ]


def test_numbered_items_run_together_in_a_paragraph_are_separate_requirements() -> None:
    text = "Qualifications:1.Strong SQL skills; 2.Ability to ship models3.Python and Go. We ship in phase 2. Docker."
    assert [t for t, _, _ in found(make(("paragraph", text)))] == [
        "Strong SQL skills;",
        "Ability to ship models",
        "Python and Go.",
        "We ship in phase 2.",
    ]


def test_list_items_pasted_without_stops_start_at_a_capitalised_cue_word() -> None:
    text = "Build dashboards for sales insights Present findings to leadership Experience with SQL and Google Sheets"
    assert [t for t, _, _ in found(make(("heading", "Skills"), ("paragraph", text)))] == [
        "Build dashboards for sales insights",
        "Present findings to leadership",
        "Experience with SQL and Google Sheets",
    ]


def test_a_run_in_heading_may_have_a_space_before_its_colon_and_an_ampersand() -> None:
    doc = make(("paragraph", "We sell maps. Skills & Experience :10+ years of Python."))
    assert found(doc) == [("10+ years of Python.", "required", "required_qualifications")]


def test_a_heading_in_a_list_pasted_without_stops_must_be_all_heading_words() -> None:
    text = "Strong SQL skills and ability to multi-task Benefits Open vacation policy and free lunches"
    assert [t for t, _, _ in found(make(("heading", "Skills"), ("paragraph", text)))] == [
        "Strong SQL skills and ability to multi-task"
    ]
    name = "Experience managing data in a complex Global Product Management environment"
    assert [t for t, _, _ in found(make(("heading", "Skills"), ("paragraph", name)))] == [name]


def test_a_link_to_a_reference_asks_for_nothing() -> None:
    doc = make(
        ("heading", "Acceptance Criteria"),
        ("bullet", "Developer docs: https://docs.example.org/dns"),
        ("bullet", "The resolver must pass the tests at https://example.org/tests before merging"),
    )
    assert [text for text, _, _ in found(doc, "rfp")] == [
        "The resolver must pass the tests at https://example.org/tests before merging"
    ]


def test_more_about_the_company_and_a_candidate_profile_are_sections() -> None:
    # "More About Acme" closes the requirements like "About Acme"; "Candidate Profile" heads the qualifications.
    text = "The Role Build the data platform. Candidate Profile Keen attention to detail.More About AcmeWe sell maps."
    assert found(make(("paragraph", text))) == [
        ("Build the data platform.", "responsibility", "responsibilities"),
        ("Keen attention to detail.", "required", "required_qualifications"),
    ]


def test_a_masters_degree_asks_for_a_qualification_but_master_data_does_not() -> None:
    text = "A Master’s degree in statistics. Master data drives our planning. We master hard problems."
    assert found(make(("paragraph", text))) == [("A Master’s degree in statistics.", "required", "")]


def test_an_equal_opportunity_statement_opens_legal_text_up_to_the_next_heading() -> None:
    doc = make(
        ("heading", "Preferred Experience"),
        ("paragraph", "Experience with Rust. Acme is an equal opportunity employer. We may check public records."),
        ("paragraph", "Agencies should not send us CVs."),
        ("heading", "Requirements"),
        ("bullet", "Strong SQL skills"),
    )
    assert found(doc) == [
        ("Experience with Rust.", "preferred", "preferred_qualifications"),
        ("Strong SQL skills", "required", "requirements"),
    ]


def test_a_sentence_about_you_in_qualifications_prose_needs_a_cue() -> None:
    text = "You love road trips. You're a natural host. You have 5+ years of Python. Your SQL must be strong."
    assert found(make(("heading", "About You"), ("paragraph", text))) == [
        ("You have 5+ years of Python.", "required", "required_qualifications"),
        ("Your SQL must be strong.", "required", "required_qualifications"),
    ]
    # Bullets and responsibilities keep their "you" sentences: there the section states what they ask.
    assert found(make(("heading", "About You"), ("bullet", "You love clean code"))) == [
        ("You love clean code", "required", "required_qualifications")
    ]
    assert found(make(("heading", "What you'll do"), ("paragraph", "You develop vision models."))) == [
        ("You develop vision models.", "responsibility", "responsibilities")
    ]


def test_where_the_role_sits_and_what_the_team_does_are_not_duties_of_the_hire() -> None:
    text = (
        "You will join our platform team. Our data team will run the lake. "
        "The engineer will be part of the search group. You will build the ranking service. "
        "At Acme, the operations team is responsible for all required supply chain work."
    )
    doc = make(("heading", "The Role"), ("paragraph", text))
    assert found(doc) == [("You will build the ranking service.", "responsibility", "responsibilities")]
    # In an RFP the vendor joining the meetings is an obligation.
    rfp = make(("heading", "Scope of Work"), ("paragraph", "The vendor will join the weekly project meetings."))
    assert found(rfp, "rfp") == [("The vendor will join the weekly project meetings.", "deliverable", "scope_of_work")]


def test_desired_qualifications_are_preferred_though_the_heading_says_qualifications() -> None:
    doc = make(("heading", "Desired Qualifications"), ("bullet", "Experience with Kafka"))
    assert found(doc) == [("Experience with Kafka", "preferred", "preferred_qualifications")]


def test_items_glued_after_a_name_a_bracket_or_a_short_word_are_separate() -> None:
    # A page pasted without breaks: an item opener glued to a name or acronym, a closing bracket glued to the next
    # item, and a two-letter word that ends a clause ("doing so") glued to the next heading.
    text = (
        "Own the roadmap (end to end)Write clean tests with pandas and SQLBuild dashboards for sales teamsGood "
        "knowledge of RustExperience with Kafka and a wish to keep doing soNice to HaveEnjoy pair programming"
    )
    assert found(make(("heading", "Requirements"), ("paragraph", text))) == [
        ("Own the roadmap (end to end)", "required", "requirements"),
        ("Write clean tests with pandas and SQL", "required", "requirements"),
        ("Build dashboards for sales teams", "required", "requirements"),
        ("Good knowledge of Rust", "required", "requirements"),
        ("Experience with Kafka and a wish to keep doing so", "required", "requirements"),
        ("Enjoy pair programming", "preferred", "preferred_qualifications"),
    ]
    # Without such glue a capitalised word inside a name is part of it.
    name = "Deploy with our QuickBuild pipeline"
    assert [t for t, _, _ in found(make(("heading", "Requirements"), ("paragraph", name)))] == [name]


def test_a_lone_work_verb_before_a_capital_opens_a_task_not_a_section() -> None:
    # "Apply" is also a heading (how to apply), but "Apply Bayesian Methods ..." is a task of the list.
    text = "Build the feature store. Apply Bayesian Methods to pricing problems"
    assert found(make(("heading", "Responsibilities"), ("paragraph", text))) == [
        ("Build the feature store.", "responsibility", "responsibilities"),
        ("Apply Bayesian Methods to pricing problems", "responsibility", "responsibilities"),
    ]


def test_an_item_glued_into_a_paragraph_is_read_as_a_bullet() -> None:
    # After a word glued to the next item the piece is a list item: under responsibilities it needs no cue, under
    # qualifications two words suffice. After a full stop glued to the next word it may be prose and needs one.
    text = "Build the ETL jobsUnderstand the sales data models. Our office is in Lisbon.Understand our customers"
    assert found(make(("heading", "Responsibilities"), ("paragraph", text))) == [
        ("Build the ETL jobs", "responsibility", "responsibilities"),
        ("Understand the sales data models.", "responsibility", "responsibilities"),
    ]
    terse = "Strong SQL skillsMapping experiencePlatform ("
    assert [t for t, _, _ in found(make(("heading", "Qualifications"), ("paragraph", terse)))] == [
        "Strong SQL skills",
        "Mapping experience",
    ]


def test_what_is_not_required_is_asked_for_only_as_a_preference() -> None:
    text = (
        "A site visit before the bid is not required. The vendor will not be required to host the site. "
        "Go is a plus but not required. The vendor shall train staff but is not required to travel."
    )
    assert found(make(("paragraph", text)), "rfp") == [
        ("Go is a plus but not required.", "preferred", ""),
        ("The vendor shall train staff but is not required to travel.", "deliverable", ""),
    ]


def test_an_export_control_notice_is_legal_text_up_to_the_next_section() -> None:
    notice = "Work on this topic falls under export control rules. Offerors must list any staff who need a visa."
    doc = make(("paragraph", notice), ("paragraph", "OBJECTIVE: Develop a drone detector that runs on a phone."))
    assert found(doc, "rfp") == [("Develop a drone detector that runs on a phone.", "deliverable", "scope_of_work")]


def test_a_lead_in_that_leaves_its_clause_open_for_the_list_states_nothing_itself() -> None:
    doc = make(
        ("heading", "Scope of Work"),
        ("paragraph", "The contractor shall meet the following:"),
        ("bullet", "Host the portal"),
        ("paragraph", "Key skills include:"),
        ("bullet", "Experience with Drupal"),
        ("paragraph", "The contractor shall use the approved languages, including:"),
        ("bullet", "Python 3"),
    )
    assert [t for t, _, _ in found(doc, "rfp")] == [
        "Host the portal",
        "Experience with Drupal",
        "The contractor shall use the approved languages, including:",
        "Python 3",
    ]


def test_a_tables_header_row_names_its_columns_and_states_nothing() -> None:
    doc = make(
        ("heading", "Deliverables"),
        ("table_row", "Item | Due date | Owner"),
        ("table_row", "Sprint demo | Every two weeks | A working increment shown to the product owner"),
    )
    assert [t for t, _, _ in found(doc, "rfp")] == [
        "Sprint demo | Every two weeks | A working increment shown to the product owner"
    ]
    # A first row with figures is content, not labels.
    rows = make(("heading", "Deliverables"), ("table_row", "Prototype | 30 days"), ("table_row", "Pilot | 90 days"))
    assert [t for t, _, _ in found(rows, "rfp")] == ["Prototype | 30 days", "Pilot | 90 days"]


def test_a_funding_amount_is_money_not_a_deliverable() -> None:
    doc = make(("heading", "Milestones & Funding"), ("bullet", "Funding amount: up to $5,000"), ("bullet", "Ship v1"))
    assert [t for t, _, _ in found(doc, "rfp")] == ["Ship v1"]


def test_what_can_be_done_describes_and_what_shall_be_done_asks() -> None:
    text = "Current tools can detect faces but fail in the dark. The vendor will build a detector that works at night."
    assert found(make(("heading", "Description"), ("paragraph", text)), "rfp") == [
        ("The vendor will build a detector that works at night.", "deliverable", "scope_of_work")
    ]


def test_the_aim_of_a_call_and_what_it_seeks_state_the_work_asked_for() -> None:
    text = (
        "Field crews lack tools. The goal of this topic is to develop a leak detector. "
        "A portable implementation is sought. Propose a training method for small data sets."
    )
    assert [t for t, _, _ in found(make(("heading", "Description"), ("paragraph", text)), "rfp")] == [
        "The goal of this topic is to develop a leak detector.",
        "A portable implementation is sought.",
        "Propose a training method for small data sets.",
    ]
    # The employer's own purpose is a mission statement.
    mission = make(("heading", "Description"), ("paragraph", "At Acme, our purpose is to make shopping easy."))
    assert found(mission) == []
