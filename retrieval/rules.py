"""Rule files (red_flags.toml, scope.toml): patterns with {VOCAB} words, compiled once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .errors import RuleFileError

_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")


def expand(pattern: str, vocab: Mapping[str, str]) -> str:
    """Replace {NAME} by the vocabulary entry, recursively; unknown names are an error."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in vocab:
            raise RuleFileError(f"unknown vocabulary word {{{name}}} in pattern {pattern!r}")
        return f"(?:{expand(vocab[name], vocab)})"

    return _MACRO.sub(replace, pattern)


def compile_all(patterns: Iterable[str], vocab: Mapping[str, str]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(expand(pattern, vocab)))
        except re.error as exc:
            raise RuleFileError(f"bad pattern {pattern!r}: {exc}") from exc
    return tuple(compiled)
