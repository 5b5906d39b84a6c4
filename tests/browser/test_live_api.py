"""The running server over HTTP and gradio_client (no browser needed), real engine."""

from __future__ import annotations

import httpx
import jsonschema
import pytest
from gradio_client import Client

from retrieval.models import answer_schema

pytestmark = pytest.mark.integration
SCHEMA = answer_schema()


def test_api_ask_matches_the_answer_object_schema(live):
    response = httpx.post(f"{live.url}/api/ask", json={"question": "is a CT better for bone spurs?"}, timeout=60)
    assert response.status_code == 200
    reply = response.json()
    jsonschema.validate(reply, SCHEMA)
    assert reply["citations"] and not reply["abstained"]
    assert reply["disclaimer"] in reply["answer"]


def test_api_ask_follow_up_with_history(live):
    history = [{"role": "user", "content": "Can I take ibuprofen?"}, {"role": "assistant", "content": "..."}]
    reply = httpx.post(f"{live.url}/api/ask", json={"question": "is it safe?", "history": history}, timeout=60).json()
    jsonschema.validate(reply, SCHEMA)
    assert any("Ibuprofen" in c["section"] for c in reply["citations"])


def test_api_ask_refuses_oversized_bodies_with_413(live):
    response = httpx.post(f"{live.url}/api/ask", json={"question": "x" * 70_000}, timeout=60)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_gradio_client_chat_answers_and_follows_the_session(live):
    client = Client(f"{live.url}/", verbose=False)
    first = client.predict("What treatments are there?", api_name="/chat")
    jsonschema.validate(first, SCHEMA)
    follow_up = client.predict("what about surgery?", api_name="/chat")
    jsonschema.validate(follow_up, SCHEMA)
    client.reset_session()
    client.predict("Can I take ibuprofen?", api_name="/chat")
    safe = client.predict("is it safe?", api_name="/chat")
    assert any("Ibuprofen" in c["section"] for c in safe["citations"])
