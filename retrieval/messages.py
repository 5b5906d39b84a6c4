"""The fixed texts of data/messages.toml, with phone numbers from settings and what the
documents cover (their titles, from the index) filled in."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .settings import DATA_DIR, Settings


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def documents_phrase(titles: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C": what the assistant covers, from its documents' titles."""
    titles = [t for t in titles if t]
    if not titles:
        return "the documents it holds"
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def fill(template: str, settings: Settings, documents: Sequence[str] = ()) -> str:
    values = _Blank(settings.phone_numbers(), clinic_name=settings.clinic_name, documents=documents_phrase(documents))
    return template.format_map(values).strip()


@dataclass(frozen=True)
class Messages:
    disclaimer: str
    not_covered: str
    out_of_scope: str
    empty: str
    too_long: str
    error: str
    medication_notice: str

    @classmethod
    def load(cls, settings: Settings, documents: Sequence[str] = (), path: Path | None = None) -> Messages:
        """The texts, with phone numbers from settings and {documents} from the documents' titles."""
        data = tomllib.loads((path or DATA_DIR / "messages.toml").read_text(encoding="utf-8"))
        return cls(**{name: fill(data[name], settings, documents) for name in cls.__dataclass_fields__})
