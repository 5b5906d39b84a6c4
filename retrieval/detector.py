"""The learned red-flag detector: which red flag, if any, a message describes.

A softmax classifier over the encoder's vectors scores the whole message and each of its
clauses (question.py: one forward pass gives all of them). Its classes are `benign`,
`low_mood` (sad, lonely or exhausted, with no thought of death or self-harm), `about` (a
question ABOUT a red flag) and one class per red flag and level (`cauda_equina:emergency`,
`weakness:urgent`, `weakness:emergency`, ...: the level the clinical rules give that
evidence). A part's red-flag mass is one minus the three benign classes.

It is written to data/red_flag_model.json by `python -m evals train`, with the cut-offs
chosen on training writers only, the encoder fingerprint it was trained on and the sha256
of every data file; numpy alone scores it. See README ("Safety").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelUnavailable

NOT_RED = ("benign", "low_mood", "about")


@dataclass(frozen=True)
class Detection:
    """The detector's reading of one message."""

    red: float  # the highest red-flag mass of any part (the message or a clause)
    category: str  # the likeliest red flag in that part ("" when none)
    level: str  # its level
    part: int  # 0: the whole message; i > 0: clause i - 1
    low_mood: float  # the highest low-mood probability of any part
    about: float  # the highest probability of a question about a red flag
    nerve: float  # the highest probability of nerve symptoms (cauda equina or weakness) in any part
    probabilities: dict[str, float] = field(default_factory=dict)  # of the chosen part


@dataclass(frozen=True)
class DetectorModel:
    classes: tuple[str, ...]
    coef: np.ndarray  # classes x dim
    intercept: np.ndarray
    cut_offs: dict[str, Any]  # escalate / caution per category, support, about, nerve
    encoder_fingerprint: str
    about: dict[str, Any]

    @classmethod
    def load(cls, path: Path, encoder_fingerprint: str) -> DetectorModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(
                classes=tuple(data["classes"]),
                coef=np.asarray(data["coef"], dtype=np.float32),
                intercept=np.asarray(data["intercept"], dtype=np.float32),
                cut_offs=dict(data["cut_offs"]),
                encoder_fingerprint=str(data["encoder_sha256"]),
                about={k: v for k, v in data.items() if k not in ("coef", "intercept")},
            )
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"the red-flag model {path} is missing or unreadable (run: python -m evals train)") from exc
        if model.encoder_fingerprint != encoder_fingerprint:
            raise ModelUnavailable(
                f"the red-flag model {path.name} was trained on another encoder (run: python -m evals train)"
            )
        return model

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def column(self, name: str) -> int:
        return self.classes.index(name)

    def read(self, vectors: np.ndarray) -> Detection:
        """`vectors`: the message's vector first, then one per clause."""
        probs = self.probabilities(vectors)
        index = {c: i for i, c in enumerate(self.classes)}
        red_columns = [i for c, i in index.items() if c not in NOT_RED]
        red_mass = probs[:, red_columns].sum(axis=1)
        part = int(np.argmax(red_mass))
        best = red_columns[int(np.argmax(probs[part, red_columns]))]
        category, _, level = self.classes[best].partition(":")
        nerve_columns = [i for c, i in index.items() if c.split(":")[0] in ("cauda_equina", "weakness")]
        return Detection(
            red=float(red_mass[part]),
            category=category,
            level=level,
            part=part,
            low_mood=float(probs[:, index["low_mood"]].max()),
            about=float(probs[:, index["about"]].max()),
            nerve=float(probs[:, nerve_columns].sum(axis=1).max()),
            probabilities={c: round(float(probs[part, i]), 4) for c, i in index.items()},
        )
