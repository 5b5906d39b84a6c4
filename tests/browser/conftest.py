"""Real-browser fixtures: Debian chromium via playwright, the real app in a subprocess,
a fake-engine app in a thread, and two "clinic" origins serving embed/example.html.

- `live`: `python app.py` on a free port with the real engine and index, feedback
  logging on (into a temporary SQLite file), and one clinic origin allowed. One per session.
- `fake_live`: the same app around tests/web/fakes.FakeEngine (instant; escalates on demand).
- Clinic pages: http://127.0.0.2:P (allowed) and http://127.0.0.3:P (not allowed): the
  same example page on two loopback addresses, so two real origins, neither "localhost".

Without /usr/bin/chromium the browser tests are skipped locally; under CI they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from retrieval.web.server import create_app
from tests.web.fakes import FakeEngine
from tests.web.servers import free_port, serve_app, serve_pages, wait_for_health

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
EXAMPLE_SERVER = "http://127.0.0.1:7860"  # the address embed/example.html is written for
STARTUP_SECONDS = 300


@dataclass(frozen=True)
class Live:
    url: str
    feedback_db: Path
    log: Path


@dataclass(frozen=True)
class ClinicPages:
    allowed: str  # origin listed in allowed_origins
    refused: str  # origin not listed


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing in CI: .ci/run must install it")
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium); CI installs it")
    return CHROMIUM


@pytest.fixture(scope="package")  # stopped after the browser tests: the sync API keeps an event loop running
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh desktop-sized page; `page.dialogs` collects any alert()/confirm() raised."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs = []  # type: ignore[attr-defined]

    def on_dialog(dialog) -> None:
        tab.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()


@pytest.fixture(scope="session")
def clinic_port() -> int:
    return free_port("127.0.0.2")


@pytest.fixture(scope="session")
def live(tmp_path_factory, clinic_port) -> Iterator[Live]:
    """The real app (`python app.py`) with the real engine; stopped at the end of the session."""
    folder = tmp_path_factory.mktemp("live")
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "CHATBOT_ALLOWED_ORIGINS": f"http://127.0.0.2:{clinic_port}",
        "CHATBOT_LOG_FEEDBACK": "true",
        "CHATBOT_LOG_QUESTIONS": "false",
        "CHATBOT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
        "CHATBOT_RATE_LIMIT_PER_MINUTE": "10000",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_health(url, STARTUP_SECONDS, alive=lambda: process.poll() is None)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}\n--- server log ---\n{log.read_text(errors='replace')[-4000:]}") from exc
        yield Live(url, folder / "feedback.sqlite3", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def fake_live(clinic_port) -> Iterator[str]:
    engine = FakeEngine(rate_limit_per_minute=10000, allowed_origins=(f"http://127.0.0.2:{clinic_port}",))
    with serve_app(create_app(engine, feedback=None)) as url:
        yield url


@pytest.fixture(scope="session")
def clinic_pages(live, clinic_port) -> Iterator[ClinicPages]:
    """embed/example.html pointed at the live server, on an allowed and a refused origin."""
    html = (ROOT / "embed" / "example.html").read_text(encoding="utf-8").replace(EXAMPLE_SERVER, live.url)
    pages = {"/": ("text/html; charset=utf-8", html.encode())}
    with serve_pages(pages, "127.0.0.2", clinic_port) as allowed, serve_pages(pages, "127.0.0.3", clinic_port) as refused:
        yield ClinicPages(allowed, refused)
