"""Where answers come from during an evaluation.

Each answerer takes a test case and gives back the answer object (CONTRACT §1) it
received, with the wall-clock time the call took:

- `EngineAnswerer`: the same `engine.answer()` path the CLI and the web app use;
- `HttpAnswerer`: a running server, over `POST /api/ask` (CONTRACT §4);
- `GradioAnswerer`: a running server's Gradio chat, through `gradio_client`; when the
  chat returns only text, the metrics that text cannot support are reported as not
  available;
- the naive baseline (evals/baseline.py) has the same shape.

`capabilities` says which parts of the answer object an answerer really provides, so
the metrics never judge what was not there.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .dataset import Case

RETRIEVAL, CITATIONS, ESCALATION, WARNING, ABSTENTION, DISCLAIMER = (
    "retrieval",
    "citations",
    "escalation",
    "warning",
    "abstention",
    "disclaimer",
)
FULL = frozenset({RETRIEVAL, CITATIONS, ESCALATION, WARNING, ABSTENTION, DISCLAIMER})


@dataclass
class Reply:
    answer: dict[str, Any]  # the answer object as received (possibly partial)
    latency_ms: float  # wall-clock time of the call, measured by the evaluator
    error: str | None = None  # transport problem, or the answer object's own `error`
    capabilities: frozenset[str] | None = None  # what this reply carries, when it differs from the answerer's


class Answerer(Protocol):
    name: str
    mode: str
    capabilities: frozenset[str]
    notes: list[str]

    def passages(self) -> list[dict[str, Any]] | None:
        """Every passage of the corpus answers come from (for qrels), or None if unknown."""

    def ask(self, case: Case, k: int) -> Reply: ...

    def describe(self) -> dict[str, Any]: ...


def read_index_passages(index_dir: Path) -> list[dict[str, Any]] | None:
    """The passages of a local index (index/passages.json), read as JSON without the model."""
    try:
        payload = json.loads((index_dir / "passages.json").read_text(encoding="utf-8"))
        return [dict(c) for c in payload["chunks"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _own_error(answer: dict[str, Any]) -> str | None:
    error = answer.get("error")
    return str(error) if error else None


class EngineAnswerer:
    """In-process: `engine.answer(question, history, k)`."""

    mode = "in-process"
    capabilities = FULL

    def __init__(self, engine: Any, name: str = "ours") -> None:
        self.engine = engine
        self.name = name
        self.notes: list[str] = []

    def passages(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.engine.index.chunks]

    def ask(self, case: Case, k: int) -> Reply:
        started = time.perf_counter()
        answer = self.engine.answer(case.question, history=list(case.history), k=k).to_dict()
        return Reply(answer, (time.perf_counter() - started) * 1000.0, _own_error(answer))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode, "index": self.engine.index.summary()}


@dataclass
class HttpAnswerer:
    """`POST {url}/api/ask` with {"question", "history", "k"}.

    `k` is an added field (our server takes it); a server that refuses it (HTTP 422) is
    asked again without it, and then ranks only its own k passages. 429 and 503 are
    retried after the server's Retry-After (a server's rate limit slows the run down;
    raise its rate_limit_per_minute for a fast run)."""

    url: str
    client: Any = None  # an httpx.Client (tests pass one with a mock transport)
    local_index: Path | None = None  # the local index/ whose passages.json gives the qrels
    timeout_s: float = 60.0
    max_retries: int = 10
    max_wait_s: float = 65.0
    send_k: bool = True
    waits: int = 0  # how often the server said "too many requests" or "unavailable"
    name: str = "ours"
    mode: str = "http"
    capabilities: frozenset[str] = FULL
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        base = self.url.rstrip("/")
        self.endpoint = base if base.endswith("/api/ask") else f"{base}/api/ask"
        if self.client is None:
            import httpx

            self.client = httpx.Client(timeout=self.timeout_s)
        self.notes.append("answers came over HTTP; latency is the client's round trip")

    def passages(self) -> list[dict[str, Any]] | None:
        return read_index_passages(self.local_index) if self.local_index else None

    def ask(self, case: Case, k: int) -> Reply:
        body: dict[str, Any] = {"question": case.question, "history": list(case.history)}
        started = time.perf_counter()
        for attempt in range(self.max_retries + 1):
            if self.send_k:
                body["k"] = k
            try:
                response = self.client.post(self.endpoint, json=body)
            except Exception as exc:  # connection refused, timeout ...: this case fails, the rest run
                return Reply({}, (time.perf_counter() - started) * 1000.0, f"{type(exc).__name__}: {exc}")
            if response.status_code == 422 and self.send_k and '"k"' in response.text:
                self.send_k = False
                body.pop("k", None)
                self.notes.append(
                    "the server does not take k: MRR@10 and nDCG@5 rank only the passages it returned"
                )
                continue
            if response.status_code in (429, 503) and attempt < self.max_retries:
                self.waits += 1
                time.sleep(self._wait(response, attempt))
                started = time.perf_counter()  # latency is the answered attempt, not the waiting
                continue
            break
        latency = (time.perf_counter() - started) * 1000.0
        if response.status_code != 200:
            return Reply({}, latency, f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError:
            return Reply({}, latency, "the response is not JSON")
        if not isinstance(answer, dict):
            return Reply({}, latency, "the response is not a JSON object")
        return Reply(answer, latency, _own_error(answer))

    def _wait(self, response: Any, attempt: int) -> float:
        try:
            wait = float(response.headers.get("retry-after", ""))
        except ValueError:
            wait = 0.5 * 2**attempt
        return max(0.0, min(self.max_wait_s, wait))

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode, "url": self.endpoint, "rate_limited_waits": self.waits}


def text_of_chat_output(output: Any) -> str:
    """The answer text in what a Gradio chat function returned: a string, a message
    dict, or a list of them (e.g. the answer and a collapsible "Sources" message)."""
    if isinstance(output, str):
        return output
    if isinstance(output, dict):
        content = output.get("content", output.get("text", ""))
        return text_of_chat_output(content)
    if isinstance(output, list | tuple):
        return "\n\n".join(t for t in (text_of_chat_output(o) for o in output) if t)
    return "" if output is None else str(output)


def looks_like_answer_object(output: Any) -> bool:
    return isinstance(output, dict) and {"answer", "disclaimer", "retrieved"} <= set(output)


@dataclass
class GradioAnswerer:
    """`gradio_client.Client(url).predict(question, api_name="/chat")`, a fresh session per case.

    When the chat returns the answer object (our app's /chat does), everything is judged
    as over HTTP. When it returns only text, answer support and disclaimer presence
    (against this installation's disclaimer text) are judged; retrieval, citations,
    escalation and abstention are reported as not available. The request has no k and
    no history: ranks stop at the server's k, and a case's history is not sent.
    """

    url: str
    disclaimer: str = ""  # the disclaimer text to look for in a text reply; "" = cannot judge
    client_factory: Any = None  # gradio_client.Client, or a fake in tests
    local_index: Path | None = None  # its passages.json gives the qrels
    api_name: str = "/chat"
    name: str = "ours"
    mode: str = "gradio"
    capabilities: frozenset[str] = FULL
    object_replies: int = 0
    text_replies: int = 0
    cases_with_history: int = 0

    def __post_init__(self) -> None:
        self._client = None
        self.text_capabilities = frozenset({DISCLAIMER}) if self.disclaimer else frozenset()

    @property
    def notes(self) -> list[str]:
        out = ["answers came through gradio_client; latency is the client's round trip"]
        if self.text_replies:
            out.append(
                f"{self.text_replies} answer(s) came back as text only: retrieval, citation, escalation and "
                "abstention metrics are not available for them"
                + ("; disclaimer presence was checked against this installation's text" if self.disclaimer else "")
            )
        if self.cases_with_history:
            out.append(f"{self.cases_with_history} case(s) have a history, which gradio_client cannot send")
        return out

    def passages(self) -> list[dict[str, Any]] | None:
        return read_index_passages(self.local_index) if self.local_index else None

    def _connect(self) -> Any:
        if self._client is None:
            factory = self.client_factory
            if factory is None:
                from gradio_client import Client as factory
            self._client = factory(self.url, verbose=False)
        return self._client

    def ask(self, case: Case, k: int) -> Reply:
        self.cases_with_history += bool(case.history)
        started = time.perf_counter()
        try:
            client = self._connect()
            client.reset_session()
            output = client.predict(case.question, api_name=self.api_name)
        except Exception as exc:
            return Reply({}, (time.perf_counter() - started) * 1000.0, f"{type(exc).__name__}: {exc}")
        latency = (time.perf_counter() - started) * 1000.0
        if isinstance(output, tuple | list) and output and looks_like_answer_object(output[0]):
            output = output[0]
        if looks_like_answer_object(output):
            self.object_replies += 1
            return Reply(output, latency, _own_error(output))
        self.text_replies += 1
        answer = {"question": case.question, "answer": text_of_chat_output(output), "disclaimer": self.disclaimer}
        return Reply(answer, latency, capabilities=self.text_capabilities)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode, "url": self.url, "api_name": self.api_name,
                "object_replies": self.object_replies, "text_replies": self.text_replies}
