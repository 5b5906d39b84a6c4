"""Where the web app's answers come from: the engine in this process, or worker processes.

The web layer (HTTP API and chat) awaits `service.answer(question, history, k)` and gets
the answer object as JSON bytes, ready to send. Two implementations:

- `InProcess(engine)`: the engine runs in this process, in a thread (tests, one-core hosts);
- `WorkerPool(settings)`: `workers` answer processes (default: one per core), each with its
  own engine on one intra-op thread, fed over local sockets. This process only speaks HTTP
  and keeps the Gradio sessions, so conversations need no sticky routing, and both cores
  answer questions.

Back-pressure: at most `queue_limit` questions may be in the building (answering or
waiting); one more raises `Overloaded`, which the API turns into a fast 503 with
Retry-After and the chat into a polite line, never a minute-long wait.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import orjson

from ..errors import ChatbotError
from ..messages import Messages
from ..settings import Settings


class Overloaded(ChatbotError):
    """More questions are waiting than queue_limit allows."""

    code = "overloaded"


class AnswerService(Protocol):
    settings: Settings
    messages: Messages
    document_titles: list[str]

    def index_summary(self) -> dict[str, Any]: ...

    async def answer(self, question: Any, history: Any = None, k: int | None = None) -> bytes: ...


def dumps(answer: dict[str, Any]) -> bytes:
    return orjson.dumps(answer)


class Admission:
    """Counts the questions in the building; refuses one past the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, int(limit))
        self.pending = 0

    def __enter__(self) -> Admission:
        if self.pending >= self.limit:
            raise Overloaded(f"more than {self.limit} questions are waiting")
        self.pending += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.pending -= 1


class InProcess:
    """The engine in this process; answers run in a thread so the event loop stays free."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.messages = engine.messages
        index = getattr(engine, "index", None)
        self.document_titles = [d["title"] for d in getattr(index, "documents", [])]
        self.admission = Admission(getattr(self.settings, "queue_limit", 64))

    def index_summary(self) -> dict[str, Any]:
        return self.engine.index.summary()

    async def answer(self, question: Any, history: Any = None, k: int | None = None) -> bytes:
        with self.admission:
            reply = await asyncio.to_thread(self.engine.answer, question, history, k)
            return dumps(reply.to_dict())
