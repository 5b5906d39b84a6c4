"""Read CONTRACT §3 test sets. A bad line is reported with its number; the rest still run."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    relevant: tuple[str, ...] = ()
    expect_escalation: bool | None = None
    expect_level: str | None = None
    expect_category: str | None = None
    expect_warning: bool | None = None
    expect_abstain: bool | None = None
    reference: str = ""
    tags: tuple[str, ...] = ()
    history: tuple[dict[str, Any], ...] = ()
    line: int = 0


@dataclass
class LoadedSet:
    path: Path
    cases: list[Case] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 7: not valid JSON ..."


def _optional_bool(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ValueError(f'"{key}" must be true or false')
    return value


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'"{key}" must be a list of strings')
    return tuple(value)


def parse_case(data: Any, line: int) -> Case:
    if not isinstance(data, dict):
        raise ValueError("a case must be a JSON object")
    case_id, question = data.get("id"), data.get("question")
    if not isinstance(case_id, str) or not case_id:
        raise ValueError('"id" must be a non-empty string')
    if not isinstance(question, str):
        raise ValueError('"question" must be a string')
    history = data.get("history") or []
    if not isinstance(history, list):
        raise ValueError('"history" must be a list of {"role", "content"} objects')
    return Case(
        id=case_id,
        question=question,
        relevant=_strings(data, "relevant"),
        expect_escalation=_optional_bool(data, "expect_escalation"),
        expect_level=data.get("expect_level"),
        expect_category=data.get("expect_category"),
        expect_warning=_optional_bool(data, "expect_warning"),
        expect_abstain=_optional_bool(data, "expect_abstain"),
        reference=str(data.get("reference") or ""),
        tags=_strings(data, "tags"),
        history=tuple(h for h in history if isinstance(h, dict)),
        line=line,
    )


def load_set(path: Path) -> LoadedSet:
    loaded = LoadedSet(path)
    seen: set[str] = set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                case = parse_case(json.loads(raw), number)
            except json.JSONDecodeError as exc:
                loaded.problems.append(f"line {number}: not valid JSON ({exc.msg}, column {exc.colno})")
                continue
            except ValueError as exc:
                loaded.problems.append(f"line {number}: {exc}")
                continue
            if case.id in seen:
                loaded.problems.append(f"line {number}: duplicate id {case.id!r}")
                continue
            seen.add(case.id)
            loaded.cases.append(case)
    return loaded
