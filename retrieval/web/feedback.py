"""Like / dislike feedback in SQLite, only when the clinic turns logging on.

With `log_feedback` off nothing is written and no file is created. With it on,
each verdict stores the answer id, the cited passage ids and the verdict; the
question text is stored only when `log_questions` is on as well. Never a CSV,
never the conversation. One verdict per answer and browser session (a hash of the
session id, so a session cannot be traced back): a second one is ignored. The file is
created readable by its owner only (0600).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,          -- UTC, ISO 8601
    answer_id TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,           -- JSON list of the cited passage ids
    verdict TEXT NOT NULL CHECK (verdict IN ('like', 'dislike')),
    question TEXT,                     -- only when log_questions is on
    session TEXT NOT NULL DEFAULT '',  -- sha256 of the browser session id, first 16 hex digits
    UNIQUE (answer_id, session)
)
"""


@dataclass(frozen=True)
class FeedbackRecord:
    answer_id: str
    chunk_ids: tuple[str, ...]
    verdict: str  # like | dislike
    question: str | None = None


class FeedbackStore:
    """Appends verdicts to one SQLite file; safe to call from several threads."""

    def __init__(self, path: Path, keep_questions: bool) -> None:
        self.path = Path(path)
        self.keep_questions = keep_questions
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(self.path, 0o600)
        with self._connect() as db:
            db.execute(SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore | None:
        """The store, or None when the clinic has not turned feedback logging on."""
        if not settings.log_feedback:
            return None
        return cls(settings.feedback_db, keep_questions=settings.log_questions)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success and is always closed."""
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def record(self, item: FeedbackRecord, session: str = "") -> bool:
        """Store one verdict; False when this session already gave one for this answer."""
        if item.verdict not in ("like", "dislike"):
            raise ValueError(f"unknown verdict {item.verdict!r}")
        question = item.question if self.keep_questions else None
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            item.answer_id,
            json.dumps(list(item.chunk_ids)),
            item.verdict,
            question,
            hashlib.sha256(session.encode()).hexdigest()[:16] if session else "",
        )
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO feedback (created_at, answer_id, chunk_ids, verdict, question, session) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            return cursor.rowcount == 1

    def rows(self) -> list[dict[str, object]]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [
                {**dict(r), "chunk_ids": json.loads(r["chunk_ids"])}
                for r in db.execute("SELECT * FROM feedback ORDER BY id")
            ]
