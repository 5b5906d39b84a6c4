"""Take the README's screenshots with Debian chromium: desktop, phone, embed and bubble.

    .venv/bin/python docs/take_screenshots.py            # starts app.py on a free port
    .venv/bin/python docs/take_screenshots.py --url http://127.0.0.1:7860   # a running server

Writes docs/desktop.png (1280 px: a cited answer with its Sources open),
docs/phone.png (375 px: a red-flag message and its alert), docs/embed.png (the
compact /embed chat framed by a clinic page on another origin) and
docs/bubble.png (the chat bubble of embed/chat-bubble.js on that page).
The app it starts has feedback logging on (into a temporary file) so the
like/dislike buttons show.
"""

from __future__ import annotations

import argparse
import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
RED_FLAG = "my mum can't feel anything when she wipes and she's wet herself today"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not become ready")


def serve_clinic_page(chat_url: str, host: str, port: int) -> http.server.ThreadingHTTPServer:
    page = (ROOT / "embed" / "example.html").read_text(encoding="utf-8").replace("http://127.0.0.1:7860", chat_url)
    body = page.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def ask(page, question: str) -> None:
    before = page.locator('#chat [data-testid="bot"]').count()
    page.get_by_label("Your question").fill(question)
    page.get_by_label("Your question").press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat [data-testid=\"bot\"]').length > n", arg=before, timeout=60_000
    )
    page.wait_for_timeout(400)


def shoot(url: str, clinic: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)

        desktop = browser.new_page(viewport={"width": 1280, "height": 1000})
        desktop.goto(url + "/", wait_until="domcontentloaded")
        ask(desktop, "What's the most paracetamol I can take in a day?")
        ask(desktop, "Can I take ibuprofen?")
        desktop.locator("#chat details.sources summary").last.click()
        desktop.keyboard.press("Shift+Tab")  # show the focus ring on the Sources toggle
        desktop.keyboard.press("Tab")
        desktop.wait_for_timeout(300)
        desktop.screenshot(path=str(DOCS / "desktop.png"))

        phone = browser.new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
        phone.goto(url + "/", wait_until="domcontentloaded")
        ask(phone, RED_FLAG)
        phone.locator("#chat [role=alert]").last.evaluate("el => el.scrollIntoView({block: 'start'})")
        phone.wait_for_timeout(300)
        phone.screenshot(path=str(DOCS / "phone.png"), full_page=True)

        embed = browser.new_page(viewport={"width": 1000, "height": 900})
        embed.goto(clinic + "/", wait_until="domcontentloaded")
        frame = embed.frame_locator("#iframe iframe")
        frame.get_by_label("Your question").fill("How is it diagnosed?")
        frame.get_by_label("Your question").press("Enter")
        frame.locator("details.sources").first.wait_for(timeout=60_000)
        embed.locator("#iframe").scroll_into_view_if_needed()
        embed.wait_for_timeout(500)
        embed.locator("#iframe").screenshot(path=str(DOCS / "embed.png"))

        embed.locator(".scb-toggle").click()
        embed.locator("#scb-input").fill("What can I do at home to help?")
        embed.locator("#scb-input").press("Enter")
        embed.locator(".scb-a").first.wait_for(timeout=60_000)
        embed.locator(".scb-a details").first.evaluate("el => el.open = true")
        embed.wait_for_timeout(300)
        embed.screenshot(path=str(DOCS / "bubble.png"))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (its allowed_origins must include the clinic page)")
    args = parser.parse_args()
    clinic_port = free_port("127.0.0.2")
    clinic = f"http://127.0.0.2:{clinic_port}"
    process = None
    url = args.url
    with tempfile.TemporaryDirectory() as tmp:
        if url is None:
            port = free_port()
            env = {
                **os.environ,
                "PORT": str(port),
                "CHATBOT_ALLOWED_ORIGINS": clinic,
                "CHATBOT_LOG_FEEDBACK": "true",
                "CHATBOT_FEEDBACK_DB": str(Path(tmp) / "feedback.sqlite3"),
            }
            process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env)
            url = f"http://127.0.0.1:{port}"
        server = serve_clinic_page(url, "127.0.0.2", clinic_port)
        try:
            wait_ready(url)
            shoot(url.rstrip("/"), clinic)
        finally:
            server.shutdown()
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
    print("wrote", ", ".join(str(DOCS / n) for n in ("desktop.png", "phone.png", "embed.png", "bubble.png")))


if __name__ == "__main__":
    main()
