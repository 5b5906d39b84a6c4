"""The app served by uvicorn with a fake engine: the Gradio /chat API and its concurrency."""

from __future__ import annotations

import threading
import time

import jsonschema
import pytest
from gradio_client import Client

from retrieval.models import answer_schema
from retrieval.web.server import create_app

from .fakes import FakeEngine
from .servers import serve_app

SCHEMA = answer_schema()


@pytest.fixture(scope="module")
def live():
    engine = FakeEngine(concurrency=4, rate_limit_per_minute=1000)
    with serve_app(create_app(engine)) as url:
        yield engine, url


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)


def test_gradio_client_chat_returns_the_answer_object(live):
    engine, url = live
    client = Client(f"{url}/", verbose=False)
    reply = client.predict("Can I take ibuprofen?", api_name="/chat")
    jsonschema.validate(reply, SCHEMA)
    assert reply["citations"][0]["chunk_id"] == "c-ibu"
    client.predict("is it safe?", api_name="/chat")
    assert engine.calls[-1]["history"][0] == {"role": "user", "content": "Can I take ibuprofen?"}
    client.reset_session()
    client.predict("is it safe?", api_name="/chat")
    assert engine.calls[-1]["history"] == []


def test_one_patient_never_waits_behind_another(live):
    engine, url = live
    engine.gate = threading.Event()
    slow = Client(f"{url}/", verbose=False)
    fast = Client(f"{url}/", verbose=False)
    try:
        stuck = slow.submit("please wait for me", api_name="/chat")
        wait_until(lambda: any(c["question"] == "please wait for me" for c in engine.calls))
        # the first patient's answer is still being worked on; the second gets theirs anyway
        reply = fast.submit("Can I take ibuprofen?", api_name="/chat").result(timeout=30)
        assert reply["question"] == "Can I take ibuprofen?"
        assert not stuck.done()
    finally:
        engine.gate.set()
    assert stuck.result(timeout=30)["question"] == "please wait for me"
    engine.gate = None


def test_gradio_client_over_the_rate_limit_gets_a_polite_reply_not_a_500():
    engine = FakeEngine(rate_limit_per_minute=1)
    with serve_app(create_app(engine, feedback=None)) as url:
        client = Client(f"{url}/", verbose=False)
        client.predict("Can I take ibuprofen?", api_name="/chat")
        reply = client.predict("Can I take ibuprofen?", api_name="/chat")
        assert reply["error"] == "too_many_requests" and "wait a minute" in reply["detail"]
    assert len(engine.calls) == 1
