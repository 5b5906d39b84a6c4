"""Floors (and ceilings) for metrics, per test set: `evals run --thresholds FILE` exits
non-zero when a metric falls outside them, so CI can hold a change back.

The file is TOML, one table per set, keyed by the set's path (matched by its trailing
path parts, so "evals/sets/dev.jsonl" matches /anywhere/evals/sets/dev.jsonl); each key
is a metric name and its value the floor. Metrics where lower is better take a ceiling
in a `.max` sub-table:

    ["evals/sets/dev.jsonl"]
    "recall@1" = 0.90

    ["evals/sets/safety.jsonl".max]
    false_alarm_rate = 0.05
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .metrics import METRICS

_DYNAMIC = re.compile(r"^recall@\d+$")


class ThresholdsError(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    key: str  # the table's key in the file
    floors: dict[str, float] = field(default_factory=dict)
    ceilings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Breach:
    metric: str
    value: float | None
    limit: float
    kind: str  # "floor" | "ceiling"

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.metric}: not measured (its {self.kind} is {self.limit})"
        word = "below its floor" if self.kind == "floor" else "above its ceiling"
        return f"{self.metric} = {self.value:.3f}, {word} {self.limit}"


def _known(metric: str) -> bool:
    return metric in METRICS or bool(_DYNAMIC.match(metric))


def _numbers(table: dict[str, Any], where: str) -> dict[str, float]:
    out = {}
    for metric, value in table.items():
        if not _known(metric):
            raise ThresholdsError(f"{where}: unknown metric {metric!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ThresholdsError(f"{where}: {metric} must be a number")
        out[metric] = float(value)
    return out


def load_thresholds(path: Path) -> list[Limits]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdsError(f"cannot read {path}: {exc}") from exc
    limits = []
    for key, table in data.items():
        if not isinstance(table, dict):
            raise ThresholdsError(f"{path}: {key!r} must be a table of metric = floor")
        ceilings = table.get("max", {})
        floors = {k: v for k, v in table.items() if k != "max"}
        limits.append(Limits(key, _numbers(floors, f"{path} [{key}]"), _numbers(ceilings, f"{path} [{key}.max]")))
    return limits


def _same_set(key: str, set_path: Path) -> bool:
    wanted = Path(key)
    if wanted.is_absolute():
        return wanted.resolve() == set_path.resolve()
    parts, mine = wanted.parts, set_path.resolve().parts
    return len(parts) <= len(mine) and mine[-len(parts) :] == parts


def limits_for(limits: list[Limits], set_path: Path) -> Limits | None:
    matching = [lim for lim in limits if _same_set(lim.key, set_path)]
    # the most specific key wins ("evals/sets/dev.jsonl" over "dev.jsonl")
    return max(matching, key=lambda lim: len(Path(lim.key).parts)) if matching else None


def check(metrics: dict[str, Any], limits: Limits) -> list[Breach]:
    breaches = []
    for metric, floor in limits.floors.items():
        value = metrics.get(metric)
        if value is None or value < floor:
            breaches.append(Breach(metric, value, floor, "floor"))
    for metric, ceiling in limits.ceilings.items():
        value = metrics.get(metric)
        if value is None or value > ceiling:
            breaches.append(Breach(metric, value, ceiling, "ceiling"))
    return breaches
