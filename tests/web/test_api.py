"""POST /api/ask, /health, /api/info and the API docs, with a fake engine."""

from __future__ import annotations

import jsonschema
import pytest

from retrieval.models import answer_schema

from .fakes import FakeEngine

SCHEMA = answer_schema()


def test_ask_returns_the_contract_answer_object(client, fake_engine):
    response = client.post("/api/ask", json={"question": "  Can I take ibuprofen?  "})
    assert response.status_code == 200
    reply = response.json()
    jsonschema.validate(reply, SCHEMA)
    assert reply == fake_engine.answer("  Can I take ibuprofen?  ").to_dict() | {"id": reply["id"]}
    assert reply["disclaimer"] == fake_engine.messages.disclaimer


def test_ask_passes_history_and_k_to_the_one_answer_path(client, fake_engine):
    history = [{"role": "user", "content": "Can I take ibuprofen?"}, {"role": "assistant", "content": "Yes [1]."}]
    client.post("/api/ask", json={"question": "is it safe?", "history": history, "k": 3})
    assert fake_engine.calls[-1] == {"question": "is it safe?", "history": history, "k": 3}


@pytest.mark.parametrize(
    "payload",
    [{}, {"question": 5}, {"question": "x", "history": [{"role": "doctor", "content": "x"}]}, {"question": "x", "k": 0}],
)
def test_malformed_requests_get_422_and_never_reach_the_engine(client, fake_engine, payload):
    assert client.post("/api/ask", json=payload).status_code == 422
    assert fake_engine.calls == []


def test_body_larger_than_the_limit_gets_413_before_the_engine(make_client):
    engine = FakeEngine(max_body_bytes=1000, rate_limit_per_minute=1000)
    client = make_client(engine)
    response = client.post("/api/ask", json={"question": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert "too large" in response.json()["detail"]
    assert engine.calls == []


def test_streamed_body_without_length_is_counted_too(make_client):
    engine = FakeEngine(max_body_bytes=1000, rate_limit_per_minute=1000)
    client = make_client(engine)

    def chunks():
        yield b'{"question": "'
        yield b"x" * 1500
        yield b'"}'

    response = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert engine.calls == []


def test_small_streamed_body_is_answered(client, fake_engine):
    def chunks():
        yield b'{"question": '
        yield b'"Can I take ibuprofen?"}'

    response = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert fake_engine.calls[-1]["question"] == "Can I take ibuprofen?"


def test_too_many_questions_from_one_client_get_429_with_retry_after(make_client):
    engine = FakeEngine(rate_limit_per_minute=3)
    client = make_client(engine)
    codes = [client.post("/api/ask", json={"question": "hi"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    response = client.post("/api/ask", json={"question": "hi"})
    assert response.json()["error"] == "too_many_requests"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert len(engine.calls) == 3


def test_health_reports_the_index(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "index": {"passages": 2, "documents": 1, "model": "fake"}}


def test_info_gives_a_clinic_page_the_disclaimer_labels_and_colours(make_client):
    engine = FakeEngine(clinic_name="Riverside Spine Clinic", primary_color="#2e7d32")
    info = make_client(engine).get("/api/info").json()
    assert info["title"] == "Riverside Spine Clinic"
    assert info["disclaimer"] == engine.messages.disclaimer
    assert info["primary_color"] == "#2e7d32"
    assert set(info["alert_heading"]) == {"emergency", "urgent", "crisis"}


def test_openapi_documents_ask_with_the_answer_object(client):
    spec = client.get("/openapi.json").json()
    ask = spec["paths"]["/api/ask"]["post"]
    assert set(ask["responses"]) >= {"200", "413", "429"}
    served = spec["components"]["schemas"]["Answer"]
    generated = answer_schema(ref_template="#/components/schemas/{model}")  # one schema, from the model
    records = generated.pop("$defs")
    assert served == generated
    for name, record in records.items():
        assert spec["components"]["schemas"][name] == record


def test_docs_page_uses_bundled_swagger_not_a_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_web_component_loader_and_chat_bubble_are_served(client):
    loader = client.get("/gradio.js")
    assert loader.status_code == 200 and loader.headers["content-type"].startswith("text/javascript")
    assert 'import("./assets/' in loader.text
    asset = loader.text.split('import("./')[1].split('")')[0]
    assert client.get(f"/{asset}").status_code == 200
    bubble = client.get("/chat-bubble.js")
    assert bubble.status_code == 200 and "/api/ask" in bubble.text
    assert "innerHTML" not in bubble.text


def test_embed_without_slash_redirects_and_both_chats_are_served(client):
    response = client.get("/embed", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/embed/"
    assert client.get("/embed/").status_code == 200
    assert client.get("/").status_code == 200
