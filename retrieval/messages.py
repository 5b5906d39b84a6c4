"""The fixed texts of data/messages.toml, with phone numbers from settings filled in."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .settings import DATA_DIR, Settings


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, settings: Settings) -> str:
    values = _Blank(settings.phone_numbers(), clinic_name=settings.clinic_name)
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
    def load(cls, settings: Settings, path: Path | None = None) -> Messages:
        data = tomllib.loads((path or DATA_DIR / "messages.toml").read_text(encoding="utf-8"))
        return cls(**{name: fill(data[name], settings) for name in cls.__dataclass_fields__})
