"""`evals run --url`: the same set over HTTP (POST /api/ask) and over gradio_client gives
the same quality numbers as in process. The servers here are small stand-ins on
127.0.0.1 wrapping the real engine, so this test does not depend on the web app's code."""

import socket
import threading
import time

import pytest

from evals.runner import EngineAnswerer, GradioAnswerer, HttpAnswerer, evaluate
from evals.sets import LoadedSet, load_set
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

SET = ROOT / "evals" / "sets" / "retrieval" / "cypress.jsonl"
CASES = 20  # a Gradio round trip costs ~100 ms: a part of the set is enough to compare
SAME = ("recall@1", "recall@3", "recall@5", "mrr@10", "ndcg@5", "answer_support", "citation_precision",
        "escalation_rate_unlabelled", "abstention_rate", "disclaimer_rate", "error_rate", "pass_rate")


def some_cases() -> LoadedSet:
    loaded = load_set(SET)
    return LoadedSet(loaded.path, loaded.cases[:CASES], loaded.problems)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def in_process(engine):
    return evaluate(some_cases(), EngineAnswerer(engine)).report


@pytest.fixture(scope="module")
def http_server(engine):
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/api/ask")
    def ask(body: dict):
        return engine.answer(body["question"], history=body.get("history"), k=body.get("k")).to_dict()

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_over_http_the_numbers_match_in_process(http_server, in_process):
    report = evaluate(some_cases(), HttpAnswerer(http_server, local_index=ROOT / "index")).report
    assert report["answerer"]["mode"] == "http" and report["metrics"]["cases"] == in_process["metrics"]["cases"]
    for name in SAME:
        assert report["metrics"][name] == pytest.approx(in_process["metrics"][name]), name


@pytest.fixture(scope="module")
def gradio_server(engine):
    import gradio as gr

    with gr.Blocks(analytics_enabled=False) as blocks:
        question = gr.Textbox(visible=False)
        as_object, as_text = gr.JSON(visible=False), gr.Textbox(visible=False)
        gr.Button(visible=False).click(lambda q: engine.answer(q).to_dict(), question, as_object, api_name="chat")
        gr.Button(visible=False).click(lambda q: engine.answer(q).answer, question, as_text, api_name="chat_text")
    blocks.queue(default_concurrency_limit=2)
    blocks.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    yield blocks.local_url
    blocks.close()


def test_over_gradio_answer_objects_match_in_process(gradio_server, in_process):
    """/chat takes no k: the server's 5 passages come back, so MRR@10 can only be lower."""
    ours = GradioAnswerer(gradio_server, local_index=ROOT / "index")
    report = evaluate(some_cases(), ours).report
    assert report["answerer"]["object_replies"] == report["metrics"]["cases"]
    for name in SAME:
        if name != "mrr@10":
            assert report["metrics"][name] == pytest.approx(in_process["metrics"][name]), name
    assert report["metrics"]["mrr@10"] <= in_process["metrics"]["mrr@10"]
    assert any("at most 5 passages came back" in note for note in report["notes"])


def test_over_gradio_text_only_what_text_can_show_is_judged(engine, gradio_server, in_process):
    ours = GradioAnswerer(gradio_server, engine.messages.disclaimer, api_name="/chat_text", local_index=ROOT / "index")
    report = evaluate(some_cases(), ours).report
    m = report["metrics"]
    assert m["answer_support"] == pytest.approx(in_process["metrics"]["answer_support"])
    assert m["disclaimer_rate"] == 1.0
    assert m["recall@1"] is None and m["citation_precision"] is None and m["abstention_rate"] is None
    assert any("text only" in note for note in report["notes"])
