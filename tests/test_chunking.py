"""Chunking along the document's own structure, on small hand-made documents."""

from pathlib import Path

from retrieval.chunking import ChunkerSettings, chunk_document
from retrieval.corpus import corpus_fingerprint, load_corpus, parse_document

DOC = """---
title: Test Doc
---

# Test Doc

Intro paragraph one. <!-- sources: SiteA; SiteB -->

## Drugs

1. **Acetaminophen (Analgesic)**
   500–1,000 mg every 6 hours; maximum 3,000 mg/day.

2. **Manual Therapy**
   - **Description:** Hands-on manipulation.
   - **Purpose:** Reduce stiffness.

### Avoid

1. Heavy lifting.
2. Smoking.

## Frequently Asked Questions

1. **Can exercises cure it?**
   Exercises can relieve symptoms.

## When to See a Doctor

- Symptoms persist beyond 4–6 weeks.
"""


def chunks_of(text: str, **kw):
    return chunk_document(parse_document(text, "doc.md"), ChunkerSettings(**kw) if kw else None)


def test_one_passage_per_item_paragraph_and_bullet():
    chunks = chunks_of(DOC)
    sections = [c.section for c in chunks]
    assert sections == [
        "Test Doc",
        "Drugs › 1. Acetaminophen (Analgesic)",
        "Drugs › 2. Manual Therapy",
        "Drugs › Avoid",
        "Drugs › Avoid",
        "Frequently Asked Questions › 1. Can exercises cure it?",
        "When to See a Doctor",
    ]
    assert [c.kind for c in chunks] == ["paragraph", "item", "item", "item", "item", "faq", "bullet"]


def test_sub_fields_stay_on_their_own_lines_and_markup_is_removed():
    manual = chunks_of(DOC)[2]
    assert manual.title == "Manual Therapy"
    assert manual.text == "Description: Hands-on manipulation.\nPurpose: Reduce stiffness."


def test_sources_comments_become_the_passage_sources():
    intro = chunks_of(DOC)[0]
    assert intro.text == "Intro paragraph one."
    assert intro.sources == ("SiteA", "SiteB")


def test_long_paragraphs_are_split_at_sentence_ends():
    sentence = "This sentence is about forty characters. "
    doc = "# T\n\n" + sentence * 40 + "Last one. <!-- sources: X -->\n"
    chunks = chunks_of(doc, max_chars=300)
    assert len(chunks) > 1
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.text.endswith(".") for c in chunks)
    assert chunks[-1].sources == ("X",)
    assert " ".join(c.text for c in chunks) == (sentence * 40 + "Last one.").strip()


def test_ids_are_unique_and_survive_reordering_and_renumbering():
    original = {c.text: c.chunk_id for c in chunks_of(DOC)}
    swapped = DOC.replace("1. **Acetaminophen", "9. **Acetaminophen").replace("1. Heavy lifting.\n2. Smoking.", "1. Smoking.\n2. Heavy lifting.")
    moved = {c.text: c.chunk_id for c in chunks_of(swapped)}
    assert moved == original
    assert len(set(original.values())) == len(original)


def test_repeated_text_under_one_heading_gets_distinct_ids():
    chunks = chunks_of("# T\n\n## Avoid\n\n1. Smoking.\n2. Smoking.\n")
    assert len({c.chunk_id for c in chunks}) == 2


def test_loader_reads_md_and_txt_at_any_depth_and_skips_hidden(tmp_path: Path):
    (tmp_path / "a.md").write_text("# Alpha\n\nText.\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("Plain text document.\n\nSecond paragraph.\n", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("# Hidden\n", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    docs = load_corpus(tmp_path)
    assert [d.path for d in docs] == ["a.md", "sub/b.txt"]
    assert [d.title for d in docs] == ["Alpha", "B"]
    before = corpus_fingerprint(tmp_path)
    (tmp_path / "sub" / "b.txt").write_text("Changed.\n", encoding="utf-8")
    assert corpus_fingerprint(tmp_path) != before


def test_real_corpus_passages(tmp_path):
    from tests.conftest import ROOT

    chunks = [c for d in load_corpus(ROOT / "corpus") for c in chunk_document(d)]
    assert 180 <= len(chunks) <= 260
    assert all(len(c.text) <= 700 for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    acetaminophen = [c for c in chunks if c.section == "Drugs for Symptomatic Relief › 5. Acetaminophen (Analgesic)"]
    assert len(acetaminophen) == 1
    assert sum(c.kind == "faq" for c in chunks) == 15
    # the article's own closing disclaimer is not a retrievable passage
    assert not any("journey is unique" in c.text for c in chunks)
    assert not any("<!--" in c.text or "**" in c.text for c in chunks)
