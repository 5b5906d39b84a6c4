"""The three reports and the RAGAS export, written from one run."""

import base64
import json
import re

from evals.reports import read_report
from evals.runner import run_set
from evals.sets import load_set

from .conftest import FakeAnswerer, make_answer

REQUIRED = ("recall@1", "recall@5", "mrr@10", "ndcg@5", "answer_support", "citation_precision", "escalation_recall",
            "false_alarm_rate", "abstention_recall", "disclaimer_rate", "latency_p50_ms", "latency_p95_ms")


def write(tmp_path, tiny_set, tiny_answers, with_baseline=True):
    baseline = None
    if with_baseline:
        baseline = FakeAnswerer({c: make_answer(["p-walk"], show_disclaimer=False, disclaimer="") for c in tiny_answers},
                                name="baseline")
    return run_set(load_set(tiny_set), FakeAnswerer(tiny_answers), baseline, tmp_path / "out", k=2)


def test_writes_all_reports(tmp_path, tiny_set, tiny_answers):
    outcome = write(tmp_path, tiny_set, tiny_answers)
    names = {p.name for p in outcome.files}
    assert {"report.json", "report.md", "report.html", "ragas.jsonl", "ragas_baseline.jsonl"} <= names
    assert all(p.is_file() and p.stat().st_size > 0 for p in outcome.files)


def test_report_json_has_the_metrics_object(tmp_path, tiny_set, tiny_answers):
    write(tmp_path, tiny_set, tiny_answers)
    report = read_report(tmp_path / "out")
    assert set(REQUIRED) <= set(report["metrics"])
    assert set(REQUIRED) <= set(report["baseline"]["metrics"])
    assert report["k"] == 2 and report["set"]["sha256"]
    assert report["cases"][0]["retrieved"] == ["p-liver", "p-dose"]
    assert report["cases"][0]["relevant_ranks"] == [2]


def test_markdown_shows_ours_next_to_the_baseline_and_the_failures(tmp_path, tiny_set, tiny_answers):
    write(tmp_path, tiny_set, tiny_answers)
    text = (tmp_path / "out" / "report.md").read_text()
    assert "| metric | ours | baseline | what it measures |" in text
    assert re.search(r"\| disclaimer_rate \| 1\.000 \| 0\.000 \|", text)
    assert "line 3: not valid JSON" in text and "line 6: case 'ghost'" in text
    assert "## By tag" in text and "| drugs |" in text
    assert "## Failures" in text


def test_markdown_without_baseline_has_no_baseline_column(tmp_path, tiny_set, tiny_answers):
    write(tmp_path, tiny_set, tiny_answers, with_baseline=False)
    text = (tmp_path / "out" / "report.md").read_text()
    assert "| metric | ours | what it measures |" in text and "baseline pass rate" not in text


def test_html_is_standalone_with_embedded_png_plots(tmp_path, tiny_set, tiny_answers):
    write(tmp_path, tiny_set, tiny_answers)
    page = (tmp_path / "out" / "report.html").read_text()
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page must not load anything"
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2  # latency histogram and per-tag bars
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "<table>" in page and "baseline" in page
    assert (tmp_path / "out" / "latency.png").read_bytes().startswith(b"\x89PNG")


def test_ragas_export_has_the_ragas_fields_in_case_order(tmp_path, tiny_set, tiny_answers):
    write(tmp_path, tiny_set, tiny_answers)
    rows = [json.loads(line) for line in (tmp_path / "out" / "ragas.jsonl").read_text().splitlines()]
    assert len(rows) == 4
    assert all(set(r) == {"user_input", "retrieved_contexts", "response", "reference"} for r in rows)
    first = rows[0]
    assert first["user_input"] == "max paracetamol?"
    assert first["response"] == "Maximum 3,000 mg/day [1]."
    assert first["reference"] == "At most 3,000 mg a day."
    assert len(first["retrieved_contexts"]) == 2  # the top k=2 texts, best first
    assert first["retrieved_contexts"][0].startswith("Risk of hepatotoxicity")
    assert rows[1]["reference"] is None


def test_reports_render_again_from_report_json_alone(tmp_path, tiny_set, tiny_answers):
    from evals.reports import render_html, render_md

    write(tmp_path, tiny_set, tiny_answers)
    report = read_report(tmp_path / "out" / "report.json")
    assert render_md(report).startswith("# Evaluation: tiny.jsonl")
    assert "<h1>Evaluation: tiny.jsonl</h1>" in render_html(report, {})
