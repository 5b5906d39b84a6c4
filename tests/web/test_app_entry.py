"""`python app.py`: arguments and environment, without loading the model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[2]


def test_host_and_port_come_from_arguments_then_environment_then_defaults():
    assert (app.parse_args([], env={}).host, app.parse_args([], env={}).port) == ("127.0.0.1", 7860)
    from_env = app.parse_args([], env={"HOST": "0.0.0.0", "PORT": "8080"})
    assert (from_env.host, from_env.port) == ("0.0.0.0", 8080)
    given = app.parse_args(["--host", "127.0.0.1", "--port", "7871"], env={"HOST": "0.0.0.0", "PORT": "8080"})
    assert (given.host, given.port) == ("127.0.0.1", 7871)


def test_help_is_quick_and_names_the_options():
    result = subprocess.run([sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "--host" in result.stdout and "--port" in result.stdout
