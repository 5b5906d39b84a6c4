"""The web surface attacked from outside, on loopback: every finding of the security review
as a regression test, a table of malformed input, and a crowd of clients. The server runs in
its own process with the product's own options; afterwards its log must hold no traceback
and none of what a patient typed."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.web.servers import free_port, wait_for_health

pytestmark = pytest.mark.server

MARKER = "zq-patient-marker-7781"  # a unique string in what the "patient" sends
EVIL = "https://evil.example"
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


class Live:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log

    def healthy(self) -> bool:
        return httpx.get(f"{self.url}/health", timeout=5).status_code == 200


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("abuse")
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "CHATBOT_FEEDBACK_DB": str(folder / "feedback.sqlite3")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.web.fake_app", str(port), "rate_limit_per_minute=20", "log_feedback=true"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            wait_for_health(f"http://127.0.0.1:{port}", timeout=120, alive=lambda: process.poll() is None)
            yield Live(f"http://127.0.0.1:{port}", log)
        finally:
            process.terminate()
            process.wait(timeout=20)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
    assert MARKER not in text


def error_shape(response: httpx.Response) -> None:
    body = response.json()
    assert set(body) >= {"error", "detail"} and isinstance(body["detail"], str)
    assert MARKER not in response.text  # nothing the person sent is echoed back
    for header in SECURITY_HEADERS:
        assert header in response.headers, header


# -- finding 1: anyone could store files on the server ------------------------------------------
def test_upload_and_file_routes_are_gone(live):
    files = {"files": ("x.html", b"<script>alert(1)</script>", "text/html")}
    for origin in (EVIL, None):
        headers = {"Origin": origin} if origin else {}
        response = httpx.post(f"{live.url}/gradio_api/upload", files=files, headers=headers)
        assert response.status_code == 404
        error_shape(response)
    assert httpx.get(f"{live.url}/gradio_api/file=/etc/hostname").status_code == 404
    assert httpx.post(f"{live.url}/embed/gradio_api/upload", files=files).status_code == 404
    assert live.healthy()


# -- finding 2: NaN or Infinity gave a 500 and logged patient text ------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        '{"question": NaN}',
        '{"question": "hello", "k": 1e400}',
        '{"question": "hi", "history": [{"role": "user", "content": -Infinity}]}',
        '{"question": "I found a lump zq-patient-marker-7781", "history": [{"role": "user", "content": Infinity}]}',
    ],
)
def test_nan_and_infinity_are_refused_at_parsing(live, body):
    response = httpx.post(f"{live.url}/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    error_shape(response)
    assert live.healthy()


# -- finding 3: X-Forwarded-For chose the client; X-Forwarded-Host passed the origin check ------------
def test_forwarded_headers_from_an_untrusted_peer_are_ignored(live):
    statuses = []
    for i in range(35):
        response = httpx.post(f"{live.url}/api/ask", json={"question": f"spoof {i}"},
                              headers={"X-Forwarded-For": f"203.0.113.{i}"})
        statuses.append(response.status_code)
    assert 429 in statuses  # one client, however many addresses it claims
    refused = httpx.post(f"{live.url}/api/ask", json={"question": "x"},
                         headers={"Origin": EVIL, "X-Forwarded-Host": "evil.example"})
    assert refused.status_code == 403
    error_shape(refused)
    time.sleep(1)


# -- finding 4: idle connections to dev/reload burned CPU -------------------------------------------------
def test_dev_reload_and_monitoring_are_gone(live):
    for path in ("/gradio_api/dev/reload", "/monitoring", "/monitoring/summary", "/embed/monitoring/summary"):
        response = httpx.get(f"{live.url}{path}", timeout=5)
        assert response.status_code == 404, path
        error_shape(response)


# -- finding 5: feedback could be spammed from a foreign page ------------------------------------------
def test_gradio_events_from_a_foreign_origin_are_refused(live):
    event = {"data": [None, {"index": [1, None], "value": "x", "liked": True}], "fn_index": 0, "session_hash": "abc"}
    for path in ("/gradio_api/queue/join", "/embed/gradio_api/queue/join"):
        response = httpx.post(f"{live.url}{path}", json=event, headers={"Origin": EVIL})
        assert response.status_code == 403
        error_shape(response)


# -- finding 6: smaller holes ----------------------------------------------------------------------------------
def test_gradio_api_by_name_is_gone_and_nothing_claims_credentials(live):
    for path in ("/gradio_api/call/chat", "/gradio_api/call/ask", "/gradio_api/run/chat", "/gradio_api/api/chat"):
        assert httpx.post(f"{live.url}{path}", json={"data": ["hi"]}).status_code == 404, path
    response = httpx.options(f"{live.url}/api/ask", headers={"Origin": "http://localhost:9999",
                                                              "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-credentials" not in response.headers
    assert "access-control-allow-credentials" not in httpx.get(f"{live.url}/health", headers={"Origin": "http://localhost:9999"}).headers


def test_queue_data_for_an_unknown_session_is_quiet(live):
    with httpx.stream("GET", f"{live.url}/gradio_api/queue/data", params={"session_hash": "x"}, timeout=5) as response:
        assert response.status_code in (200, 404)
    assert live.healthy()


def ask(live, **request) -> httpx.Response:
    """POST /api/ask; when other tests spent this minute's questions (429), wait as told and retry once."""
    response = httpx.post(f"{live.url}/api/ask", **request)
    if response.status_code == 429:
        time.sleep(float(response.headers.get("retry-after", "3")))
        response = httpx.post(f"{live.url}/api/ask", **request)
    return response


def test_validation_errors_name_the_field_not_the_value(live):
    response = ask(live, json={"question": ["zq-patient-marker-7781"], "k": "many"})
    assert response.status_code == 422
    error_shape(response)
    assert "question" in response.json()["detail"]


# -- malformed input ------------------------------------------------------------------------------------------
MALFORMED = [
    ("not json", b"this is not json", 400),
    ("invalid utf-8", b'{"question": "\xff\xfe"}', 400),
    ("lone surrogate", b'{"question": "\\ud800"}', 400),
    ("array", b"[1, 2, 3]", 422),
    ("number question", b'{"question": 42}', 422),
    ("null question", b'{"question": null}', 422),
    ("object question", b'{"question": {"a": 1}}', 422),
    ("k out of range", b'{"question": "hi", "k": 0}', 422),
    ("k huge", b'{"question": "hi", "k": 99999999999999999999}', 422),
    ("bad role", b'{"question": "hi", "history": [{"role": "system", "content": "x"}]}', 422),
    ("deep nesting", b'{"question": "hi", "history": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400),
    ("too large", b'{"question": "' + b"a" * 70_000 + b'"}', 413),
    ("control characters", b'{"question": "hi\\u0000\\u0007\\u001b[31m there"}', 200),
    ("empty body", b"", 400),
]


@pytest.mark.parametrize(("name", "body", "status"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input(live, name, body, status):
    response = ask(live, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text[:300]
    for header in SECURITY_HEADERS:
        assert header in response.headers
    if status != 200:
        error_shape(response)
    else:
        assert json.loads(response.text)["disclaimer"]
    assert live.healthy()


# -- a crowd ------------------------------------------------------------------------------------------------------
def test_thirty_two_clients_at_once_get_no_error(tmp_path):
    port = free_port()
    log = tmp_path / "crowd.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "tests.web.fake_app", str(port), "rate_limit_per_minute=100000"],
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_health(url, timeout=120, alive=lambda: process.poll() is None)

            def ask(i: int) -> int:
                with httpx.Client(timeout=30) as client:
                    return max(client.post(f"{url}/api/ask", json={"question": f"question {i} {j}"}).status_code
                               for j in range(4))

            with concurrent.futures.ThreadPoolExecutor(32) as pool:
                assert set(pool.map(ask, range(32))) == {200}
            assert httpx.get(f"{url}/health").status_code == 200
        finally:
            process.terminate()
            process.wait(timeout=20)
    assert "Traceback" not in log.read_text(errors="replace")
