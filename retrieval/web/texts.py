"""The words around the answers (labels, examples, limit messages) from data/ui.toml.

Medical and patient-facing wording lives in data files; the disclaimer itself
comes from the engine's messages (data/messages.toml).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..messages import fill
from ..settings import DATA_DIR, Settings

UI_FILE = DATA_DIR / "ui.toml"


@dataclass(frozen=True)
class UiTexts:
    title: str
    intro: str
    disclaimer_heading: str
    conversation_label: str
    question_label: str
    question_placeholder: str
    ask_button: str
    new_conversation_button: str
    examples_heading: str
    sources_label: str
    alert_heading: dict[str, str]
    warning_heading: str
    feedback_thanks: str
    too_many_requests: str
    too_large: str
    busy: str
    examples: tuple[str, ...]

    @classmethod
    def load(cls, settings: Settings, documents: Sequence[str] = (), path: Path | None = None) -> UiTexts:
        data = tomllib.loads((path or UI_FILE).read_text(encoding="utf-8"))
        values: dict[str, object] = {}
        for name in cls.__dataclass_fields__:
            raw = data[name]
            if isinstance(raw, str):
                values[name] = fill(raw, settings, documents)
            elif isinstance(raw, dict):
                values[name] = {str(k): fill(str(v), settings, documents) for k, v in raw.items()}
            else:
                values[name] = tuple(fill(str(v), settings, documents) for v in raw)
        return cls(**values)  # type: ignore[arg-type]

    def alert_title(self, level: str) -> str:
        return self.alert_heading.get(level) or self.alert_heading.get("urgent") or ""
