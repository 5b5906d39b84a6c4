"""Asking a running server: /api/ask over HTTP (mock transport and a FastAPI stub, no
network) and the Gradio chat through a fake gradio_client."""

import json

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from evals.runner import GradioAnswerer, HttpAnswerer, evaluate, read_index_passages, text_of_chat_output
from evals.sets import load_set

from .conftest import PASSAGES, make_answer, make_case


def http(handler, **kw):
    return HttpAnswerer("http://test", client=httpx.Client(transport=httpx.MockTransport(handler)), **kw)


def test_posts_question_history_and_k_to_api_ask():
    seen = []

    def handler(request):
        seen.append((request.method, request.url.path, json.loads(request.content)))
        return httpx.Response(200, json=make_answer(["p-ct"]))

    history = ({"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"})
    reply = http(handler).ask(make_case(question="is CT better?", history=history), 10)
    assert seen == [("POST", "/api/ask", {"question": "is CT better?", "history": list(history), "k": 10})]
    assert reply.error is None and reply.answer["retrieved"][0]["chunk_id"] == "p-ct"
    assert reply.latency_ms > 0


def test_a_url_that_already_ends_in_api_ask_is_used_as_it_is():
    assert HttpAnswerer("http://h:1/api/ask/", client=object()).endpoint == "http://h:1/api/ask"
    assert HttpAnswerer("http://h:1/", client=object()).endpoint == "http://h:1/api/ask"


def test_a_server_that_refuses_k_is_asked_without_it():
    bodies = []

    def handler(request):
        body = json.loads(request.content)
        bodies.append(body)
        if "k" in body:
            return httpx.Response(422, json={"detail": [{"loc": ["body", "k"], "msg": "extra fields not permitted"}]})
        return httpx.Response(200, json=make_answer(["p-ct"]))

    ours = http(handler)
    assert ours.ask(make_case(), 10).error is None and ours.ask(make_case(), 10).error is None
    assert ["k" in b for b in bodies] == [True, False, False]
    assert any("does not take k" in n for n in ours.notes)


def test_rate_limited_requests_are_retried_after_retry_after():
    statuses = iter([429, 503, 200])

    def handler(request):
        status = next(statuses)
        if status != 200:
            return httpx.Response(status, headers={"Retry-After": "0"}, text="slow down")
        return httpx.Response(200, json=make_answer())

    ours = http(handler)
    assert ours.ask(make_case(), 10).error is None
    assert ours.describe()["rate_limited_waits"] == 2


@pytest.mark.parametrize("response, message", [
    (httpx.Response(500, text="boom"), "HTTP 500: boom"),
    (httpx.Response(429, headers={"Retry-After": "0"}, text="again"), "HTTP 429"),
    (httpx.Response(200, text="<html>"), "not JSON"),
    (httpx.Response(200, json=[1, 2]), "not a JSON object"),
    (httpx.Response(200, json={**make_answer(), "error": "question must be a string"}), "question must be a string"),
])
def test_a_bad_response_becomes_this_case_s_error(response, message):
    reply = http(lambda request: response, max_retries=1).ask(make_case(), 10)
    assert message in reply.error


def test_a_server_that_cannot_be_reached_is_an_error_not_a_crash():
    def handler(request):
        raise httpx.ConnectError("refused")

    reply = http(handler).ask(make_case(), 10)
    assert reply.error.startswith("ConnectError")


def test_a_set_runs_against_a_fastapi_stub(tiny_set, tiny_answers, tmp_path):
    """The whole run over HTTP: same metrics as the answers it serves."""
    app = FastAPI()
    by_question = {c.question: c.id for c in load_set(tiny_set).cases}

    @app.post("/api/ask")
    def ask(body: dict):
        return tiny_answers[by_question[body["question"]]]

    index = tmp_path / "index"
    index.mkdir()
    (index / "passages.json").write_text(json.dumps({"chunks": PASSAGES, "units": []}))
    ours = HttpAnswerer("http://testserver", client=TestClient(app), local_index=index)
    report = evaluate(load_set(tiny_set), ours).report
    assert report["metrics"]["recall@1"] == 0.5 and report["metrics"]["escalation_recall"] == 1.0
    assert report["set"]["set_problems"]  # the local passages.json gave the qrels
    assert report["answerer"]["mode"] == "http"


def test_local_passages_are_read_without_the_model(tmp_path):
    assert read_index_passages(tmp_path) is None
    (tmp_path / "passages.json").write_text(json.dumps({"chunks": PASSAGES}))
    assert read_index_passages(tmp_path) == PASSAGES


class FakeGradioClient:
    def __init__(self, url, verbose=True):
        self.url, self.calls = url, []

    def reset_session(self):
        self.calls.append("reset")

    def predict(self, message, api_name):
        self.calls.append((message, api_name))
        return [{"role": "assistant", "content": "CT shows bone spurs best [1].\n\n_D_"},
                {"role": "assistant", "content": "Sources", "metadata": {"title": "Sources"}}]


def test_gradio_resets_the_session_before_every_case_and_judges_text_only(tiny_set, tmp_path):
    (tmp_path / "passages.json").write_text(json.dumps({"chunks": PASSAGES}))
    clients = []

    def factory(url, verbose=True):
        clients.append(FakeGradioClient(url, verbose))
        return clients[-1]

    ours = GradioAnswerer("http://127.0.0.1:1", disclaimer="D", client_factory=factory, local_index=tmp_path)
    report = evaluate(load_set(tiny_set), ours).report
    calls = clients[0].calls
    assert len(clients) == 1 and calls[0] == "reset"
    assert calls[::2] == ["reset"] * 4 and all(c[1] == "/chat" for c in calls[1::2])
    m = report["metrics"]
    assert m["answer_support"] == 0.5  # "bone spurs" yes, "maximum 3,000 mg/day" no; "ghost" is a set problem
    assert report["set"]["set_problems"]
    assert m["disclaimer_rate"] == 1.0
    assert m["recall@1"] is None and m["escalation_recall"] is None and m["abstention_recall"] is None
    assert any("not available" in n for n in report["notes"])


def test_gradio_without_a_disclaimer_text_cannot_judge_it_in_text_replies():
    assert GradioAnswerer("http://x", client_factory=FakeGradioClient).text_capabilities == frozenset()
    assert GradioAnswerer("http://x", disclaimer="D", client_factory=FakeGradioClient).text_capabilities == {"disclaimer"}


def test_gradio_answer_objects_are_judged_in_full(tiny_set, tiny_answers):
    by_question = {c.question: c.id for c in load_set(tiny_set).cases}

    class ObjectClient(FakeGradioClient):
        def predict(self, message, api_name):
            self.calls.append((message, api_name))
            return tiny_answers[by_question[message]]

    ours = GradioAnswerer("http://x", client_factory=ObjectClient)
    report = evaluate(load_set(tiny_set), ours).report
    assert report["metrics"]["recall@1"] is not None and report["metrics"]["escalation_recall"] == 1.0
    assert report["answerer"]["object_replies"] == 4 and report["answerer"]["text_replies"] == 0


@pytest.mark.parametrize("output, text", [
    ("plain", "plain"),
    ({"role": "assistant", "content": "dict"}, "dict"),
    ([{"content": "a"}, {"content": [{"type": "text", "text": "b"}]}], "a\n\nb"),
    (None, ""),
])
def test_chat_outputs_of_every_shape_give_their_text(output, text):
    assert text_of_chat_output(output) == text
