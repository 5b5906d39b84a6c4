"""`python -m evals run` as evaluators and CI call it: once in a real subprocess, and
once in this process (same main(), with the session's engine) for the exit-0 path."""

import json
import os
import subprocess
import sys

import pytest

from evals.cli import main
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def mini_set(tmp_path):
    """Six dev cases and one broken line (line 2)."""
    cases = (ROOT / "evals" / "sets" / "retrieval" / "alder.jsonl").read_text().splitlines()[:6]
    (tmp_path / "mini.jsonl").write_text("\n".join([cases[0], "{broken", *cases[1:]]) + "\n")
    return tmp_path


def test_run_in_a_subprocess_reports_bad_lines_and_exits_1_below_a_floor(engine, mini_set):
    (mini_set / "floors.toml").write_text('["mini.jsonl"]\n"recall@5" = 0.5\nanswer_support = 1.01\n')
    proc = subprocess.run(
        [sys.executable, "-m", "evals", "run", "mini.jsonl", "--out", "out", "--no-baseline", "--thresholds", "floors.toml"],
        cwd=mini_set, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CHATBOT_CORPUS_DIR": str(ROOT / "corpus"), "CHATBOT_INDEX_DIR": str(ROOT / "index")},
    )
    assert proc.returncode == 1, proc.stderr
    assert "mini.jsonl: line 2: not valid JSON" in proc.stderr
    listed = proc.stderr.split("outside the thresholds")[1]
    assert "answer_support" in listed and "below its floor 1.01" in listed
    assert "recall@5" not in listed  # met, so not listed
    assert "| recall@1 |" in proc.stdout
    report = json.loads((mini_set / "out" / "report.json").read_text())
    assert report["metrics"]["cases"] == 6 and report["baseline"] is None
    assert all((mini_set / "out" / name).is_file() for name in ("report.md", "report.html", "ragas.jsonl"))


def test_run_exits_0_when_floors_are_met_and_compare_reads_two_runs(engine, mini_set, monkeypatch, capsys):
    from retrieval.engine import Engine

    monkeypatch.setattr(Engine, "load", classmethod(lambda cls, *a, **kw: engine))
    monkeypatch.chdir(mini_set)
    (mini_set / "floors.toml").write_text('["mini.jsonl"]\n"recall@5" = 0.5\n')
    for out in ("a", "b"):
        assert main(["run", "mini.jsonl", "--out", out, "--no-baseline", "--thresholds", "floors.toml"]) == 0
    capsys.readouterr()
    assert main(["compare", "a", "b"]) == 0
    text = capsys.readouterr().out
    assert "## Ours" in text and "Cases that now fail (0)" in text and "| recall@1 |" in text
