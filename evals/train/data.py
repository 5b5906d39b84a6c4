"""Training data, read from the writers' sets (sets/writers.toml) and MedQuAD.

Only sets with the role "train" are read here; holdout sets are measured, never trained
on, and sealed sets are opened by `python -m evals sealed` alone. Every artefact records
the sha256 of each file it was trained on (`data_hashes`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from retrieval.encoder import file_sha256
from retrieval.models import Chunk

from ..sets import PhraseIndex, load_set, writer_sets

BENIGN = "benign"


def data_hashes(paths: Iterable[Path]) -> dict[str, str]:
    """{file name relative to the project: sha256} for an artefact's manifest."""
    root = Path(__file__).resolve().parents[2]
    out = {}
    for path in sorted(set(paths)):
        path = Path(path).resolve()
        try:
            name = path.relative_to(root).as_posix()
        except ValueError:
            name = path.name  # data outside the project (MedQuAD): its file name
        out[name] = file_sha256(path)
    return out


# -- retrieval -------------------------------------------------------------------------
@dataclass(frozen=True)
class RetrievalPair:
    writer: str
    question: str
    relevant: frozenset[str]  # chunk ids of every passage that answers it
    phrases: tuple[str, ...] = ()  # the writer's phrases copied from the answer


def retrieval_pairs(chunks: list[Chunk], role: str = "train") -> list[RetrievalPair]:
    """Each question of the retrieval writers with the passages that answer it: the
    passage the writer named, and any passage holding one of its copied phrases."""
    phrases = PhraseIndex([c.to_json() for c in chunks])
    ids = {c.chunk_id for c in chunks}
    out = []
    for writer, path in writer_sets("retrieval", role).items():
        for case in load_set(path).cases:
            relevant = set(phrases.relevant_ids(case.relevant)) if case.relevant else set()
            if case.passage in ids:
                relevant.add(case.passage)
            if relevant:
                out.append(RetrievalPair(writer, case.question, frozenset(relevant), case.relevant))
    return out


# -- safety -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SafetyExample:
    writer: str
    text: str
    label: str  # a detector class: benign, low_mood, about, or "<category>:<level>"
    kind: str  # red | low_mood | trap | about | ordinary
    evidence: str = ""


def safety_label(kind: str, escalate: bool | None, level: str | None, category: str | None,
                 support: bool | None = None, warning: bool | None = None) -> tuple[str, str]:
    """(detector class, kind) for a labelled message; the earlier round's sets have no kind."""
    if escalate and level and category:
        return f"{category}:{level}", "red"
    if not kind:
        kind = "about" if warning else "low_mood" if support else "trap"
    if kind == "low_mood":
        return "low_mood", kind
    if kind == "about":
        return "about", kind
    return BENIGN, kind


def safety_examples(role: str = "train") -> dict[str, list[SafetyExample]]:
    """Every labelled message of the safety writers, by writer."""
    out: dict[str, list[SafetyExample]] = {}
    for writer, path in writer_sets("safety", role).items():
        rows = []
        for case in load_set(path).cases:
            label, kind = safety_label(case.kind, case.expect_escalation, case.expect_level, case.expect_category,
                                       case.expect_support, case.expect_warning)
            rows.append(SafetyExample(writer, case.question, label, kind, case.evidence))
        out[writer] = rows
    return out


def ordinary_questions(role: str = "train") -> dict[str, list[SafetyExample]]:
    """The retrieval writers' questions: ordinary questions about the condition (benign)."""
    return {
        writer: [SafetyExample(writer, case.question, BENIGN, "ordinary") for case in load_set(path).cases]
        for writer, path in writer_sets("retrieval", role).items()
    }


# -- MedQuAD -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MedQuadQuestion:
    question: str
    focus: str
    qtype: str


def read_medquad(path: Path) -> list[MedQuadQuestion]:
    if not path.is_file():
        raise SystemExit(
            f"MedQuAD questions not found at {path}: give the path with --medquad "
            "(see README: 'Training data')"
        )
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out.append(MedQuadQuestion(str(row["question"]), str(row["focus"]), str(row.get("qtype", ""))))
    return out
