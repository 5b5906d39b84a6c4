"""`python -m evals` argument handling that stops before any model loads."""

import json

from evals.cli import main

from .conftest import write_set


def test_unknown_command_is_a_usage_error(capsys):
    assert main(["nope"]) == 64
    assert "run" in capsys.readouterr().err


def test_run_with_a_missing_set_cannot_run(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_run_with_only_bad_lines_reports_each_and_cannot_run(tmp_path, capsys):
    path = write_set(tmp_path / "bad.jsonl", ["{oops", json.dumps({"question": "no id"})])
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 1: not valid JSON" in err and 'line 2: "id" must be a non-empty string' in err
    assert "no valid case" in err


def test_run_with_a_bad_thresholds_file_cannot_run(tmp_path, capsys):
    path = write_set(tmp_path / "ok.jsonl", [{"id": "a", "question": "q"}])
    (tmp_path / "t.toml").write_text('["ok.jsonl"]\nnot_a_metric = 1\n')
    assert main(["run", str(path), "--thresholds", str(tmp_path / "t.toml")]) == 2
    assert "unknown metric" in capsys.readouterr().err
