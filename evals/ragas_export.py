"""ragas.jsonl: the answers in the field names RAGAS expects, for evaluators with an LLM
judge (RAGAS `EvaluationDataset.from_jsonl`, or any tool reading the same fields).

One line per case, in the order of report.json's `cases`:
    user_input          the question
    retrieved_contexts  texts of the top-k retrieved passages, best first
    response            the answer: its cited sentences (`body`), else the whole answer text
    reference           the set's reference answer, or null
Nothing here needs ragas installed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .runner import Run


def ragas_rows(run: Run) -> list[dict[str, Any]]:
    rows = []
    for result in run.results:
        answer = result.answer
        contexts = [p.get("text", "") for p in (answer.get("retrieved") or [])[: run.k] if isinstance(p, dict)]
        rows.append(
            {
                "user_input": result.case.question,
                "retrieved_contexts": contexts,
                "response": answer.get("body") or answer.get("answer") or "",
                "reference": result.case.reference or None,
            }
        )
    return rows


def write_ragas(run: Run, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in ragas_rows(run):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
