"""What a clinic changes without touching code (docs/interfaces.md, "Settings").

Read from `settings.toml` in the working directory (or the file named by
CHATBOT_SETTINGS), then from environment variables CHATBOT_<NAME> (e.g.
CHATBOT_COUNTRY=GB, CHATBOT_ALLOWED_ORIGINS="https://clinic.example"). Every
field has a default, so no file is needed. Relative paths (the defaults `corpus`,
`index`, `var/feedback.sqlite3`, or any in the file) are taken from the working
directory when the settings are loaded.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SettingsError

__all__ = ["DATA_DIR", "Settings", "SettingsError", "load_settings"]

DATA_DIR = Path(__file__).resolve().parent / "data"
ENV_PREFIX = "CHATBOT_"


@dataclass(frozen=True)
class Settings:
    # where things are
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # retrieval
    k: int = 5
    # phone numbers in escalation messages: a country preset from data/countries.toml,
    # and any single number overridden here
    country: str = "default"
    emergency_number: str = ""
    urgent_care_line: str = ""
    crisis_line: str = ""
    # the embedded chat
    clinic_name: str = "Spine health information"
    primary_color: str = "#0b5394"
    accent_color: str = "#b3261e"
    # origins allowed to embed the chat or call the API from a browser;
    # same origin and localhost are always allowed
    allowed_origins: tuple[str, ...] = ()
    # privacy: nothing a patient types is stored unless these are on
    log_feedback: bool = False
    log_questions: bool = False
    feedback_db: Path = Path("var") / "feedback.sqlite3"
    # limits for the HTTP API
    max_question_chars: int = 2000
    max_body_bytes: int = 64_000
    rate_limit_per_minute: int = 30
    # Gradio: how many chat answers may run at the same time
    concurrency: int = 8
    # the server: answer processes (0: one per core), and how many questions may be in the
    # building (answering or waiting) before one more gets a fast 503 with Retry-After
    workers: int = 0
    queue_limit: int = 64
    # proxies whose X-Forwarded-For / -Proto headers are believed (addresses or CIDRs; none by
    # default), and the origin patients reach the chat at (for the same-origin check)
    trusted_proxies: tuple[str, ...] = ()
    public_origin: str = ""
    # CPU threads for embedding a question in this process (CLI, Python, `workers = 0`):
    # 2 answers one question fastest on two cores. The server's worker processes use one
    # thread each (retrieval/web/workers.py): under load, more workers are the lever.
    embedding_threads: int = 2

    def phone_numbers(self) -> dict[str, str]:
        presets = country_presets()
        preset = presets.get(self.country) or presets.get(self.country.upper()) or presets["default"]
        return {
            "emergency_number": self.emergency_number or preset["emergency_number"],
            "urgent_care_line": self.urgent_care_line or preset["urgent_care_line"],
            "crisis_line": self.crisis_line or preset["crisis_line"],
        }


@functools.cache
def country_presets() -> dict[str, dict[str, str]]:
    """data/countries.toml, read once per process."""
    return tomllib.loads((DATA_DIR / "countries.toml").read_text(encoding="utf-8"))


def _coerce(name: str, kind: Any, value: Any, base: Path) -> Any:
    kind = str(kind)
    try:
        if "Path" in kind:
            path = Path(str(value)).expanduser()
            return path if path.is_absolute() else base / path
        if kind == "int":
            return int(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            return str(value).strip().lower() in ("1", "true", "yes", "on")
        if "tuple" in kind:
            if isinstance(value, str):
                value = value.split(",")
            return tuple(str(v).strip() for v in value if str(v).strip())
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name!r} has an invalid value {value!r}") from exc


def load_settings(path: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    base = Path.cwd()
    path = path or Path(env.get(f"{ENV_PREFIX}SETTINGS", base / "settings.toml"))
    values: dict[str, Any] = {}
    if path.is_file():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path} is not valid TOML: {exc}") from exc
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise SettingsError(f"{path} has unknown settings: {', '.join(unknown)}")
    for name in fields:
        if f"{ENV_PREFIX}{name.upper()}" in env:
            values[name] = env[f"{ENV_PREFIX}{name.upper()}"]
    for name, spec in fields.items():  # relative default paths, from the working directory
        if name not in values and isinstance(spec.default, Path):
            values[name] = spec.default
    typed = {name: _coerce(name, fields[name].type, value, base) for name, value in values.items()}
    return Settings(**typed)

