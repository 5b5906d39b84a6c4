"""The command line as evaluators use it (CONTRACT §2), in real subprocesses."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def run(*args, env=None, stdin=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "retrieval", *args],
        cwd=ROOT, env=full_env, input=stdin, capture_output=True, text=True, timeout=300,
    )


def test_ask_json_prints_one_answer_object(engine):
    proc = run("ask", "what's the max paracetamol a day?", "--json")
    assert proc.returncode == 0, proc.stderr
    reply = json.loads(proc.stdout)
    assert reply["citations"][0]["section"].endswith("Acetaminophen (Analgesic)")
    assert reply["disclaimer"]


def test_ask_human_readable(engine):
    proc = run("ask", "what is a foraminotomy?", "--k", "3")
    assert proc.returncode == 0, proc.stderr
    assert "[1]" in proc.stdout and "Foraminotomy" in proc.stdout
    assert engine.messages.disclaimer in proc.stdout


def test_jsonl_batch_answers_every_line_in_order(engine, tmp_path):
    lines = [
        json.dumps({"id": "a", "question": "what causes it?", "tags": ["x"]}),
        "{not json",
        json.dumps({"question": 42}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"question": ""}),
        json.dumps({"question": "x" * 20000}),
        json.dumps({"id": "b", "question": "how is it diagnosed?"}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    proc = run("ask", "--jsonl", str(path))
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 7
    assert out[0]["case_id"] == "a" and out[0]["citations"]
    assert "not valid JSON" in out[1]["error"]
    assert "question" in out[2]["error"] and "question" in out[3]["error"]
    assert out[4]["abstained"] and out[5]["abstained"]
    assert out[6]["case_id"] == "b" and out[6]["citations"]
    assert all(o["disclaimer"] for o in out)


def test_unreadable_batch_file_is_a_clear_error():
    proc = run("ask", "--jsonl", "/no/such/file.jsonl")
    assert proc.returncode != 0
    assert proc.stderr.strip().startswith("error: cannot read") and "Traceback" not in proc.stderr


def test_missing_index_says_what_to_run(tmp_path):
    proc = run("ask", "hello", env={"CHATBOT_INDEX_DIR": str(tmp_path / "empty")})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "python -m retrieval build" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_stale_index_says_what_to_run(tmp_path, engine):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "x.md").write_text("# X\n\nSomething new.\n", encoding="utf-8")
    proc = run("ask", "hello", env={"CHATBOT_CORPUS_DIR": str(corpus)})
    assert proc.returncode == 2
    assert "changed" in proc.stderr and "python -m retrieval build" in proc.stderr


def test_status_and_help_do_not_need_the_model():
    proc = run("status")
    assert proc.returncode == 0 and "current" in proc.stdout
    assert run("--help").returncode == 0
