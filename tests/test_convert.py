"""The web-to-Markdown converter: boilerplate out, site names out of sentences, reproducible."""

import re

import pytest

from retrieval.convert import CleaningRules, convert, move_site_names

from .conftest import ROOT

RULES = CleaningRules.load(ROOT / "sources" / "cleaning.toml")
RAW = ROOT / "sources" / "raw" / "000_fd3a8ebaeca0f43e.txt"
CORPUS_FILE = ROOT / "corpus" / "posterior-neural-foraminal-narrowing-at-l1-l2.md"


@pytest.fixture(scope="module")
def markdown() -> str:
    return convert(RAW.read_text(encoding="utf-8"), RULES, source_name=RAW.name)


def test_committed_corpus_is_what_the_converter_produces(markdown):
    assert CORPUS_FILE.read_text(encoding="utf-8") == markdown, "re-run: python -m retrieval convert"


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Newsletter",
        "Mobile Apps",
        "Social Media",
        "©",
        "All rights reserved",
        "PDF Document For This Disease Conditions",
        "References",
        "privacy policy",
        "bookmark this website",
        "Each person’s journey is unique",
        "Powered by Mediarx",
    ],
)
def test_no_web_boilerplate_survives(markdown, boilerplate):
    assert boilerplate.casefold() not in markdown.casefold()


def test_no_boilerplate_lines_survive(markdown):
    lines = {line.strip() for line in markdown.splitlines()}
    assert not lines & {"Logo", "RxHarun", "References", "Download Mobile Apps", "Follow us on Social Media"}


def test_site_names_are_moved_out_of_sentences(markdown):
    body = re.sub(r"<!--.*?-->", "", markdown)
    for name in RULES.site_names:
        assert not re.search(re.escape(name) + r"\.(\s|$)", body), name
    assert "lower back and hips. <!-- sources: Radiopaedia; WebMD -->" in markdown
    assert "on the foramen. <!-- sources: Mayo Clinic; NYU Langone Health -->" in markdown
    assert "or sitting. <!-- sources: Dr. Tony Mork, MD; WebMD --> Diagnosis" in markdown


def test_move_site_names_leaves_ordinary_sentences_alone():
    assert move_site_names("Walking or cycling helps.", RULES) == "Walking or cycling helps."


def test_headings_numbered_items_and_fields_are_kept(markdown):
    assert markdown.count("\n# ") == 1
    for heading in (
        "## Diagnostic Tests for Posterior Neural Foraminal Narrowing",
        "### Physical Examination Tests",
        "### Imaging Tests",
        "## Non-Pharmacological Treatments",
        "### A. Physiotherapy and Electrotherapy Therapies",
        "## Drugs for Symptomatic Relief",
        "### Do",
        "### Avoid",
        "## Frequently Asked Questions",
    ):
        assert f"\n{heading}\n" in markdown
    assert "5. **Acetaminophen (Analgesic)**\n   500–1,000 mg every 6 hours; maximum 3,000 mg/day" in markdown
    assert "   - **Purpose:** Reduce joint stiffness" in markdown
    assert "2. **Foraminotomy**\n   - **Procedure:** Widening" in markdown
    assert "15. **What role does weight play?**" in markdown
    raw = RAW.read_text(encoding="utf-8")
    assert markdown.count("**Description:**") == raw.count("Description:") == 17
    assert markdown.count("**Mechanism:**") == raw.count("Mechanism:")


def test_front_matter_keeps_facts_about_the_page(markdown):
    head = markdown.split("\n---\n", 1)[0]
    assert "title: Posterior Neural Foraminal Narrowing at L1–L2" in head
    assert "last_updated: May 21, 2025" in head
