"""CORS, CSP frame-ancestors and the API's origin check, from settings."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from retrieval.web.security import OriginPolicy, normalize_origin
from retrieval.web.server import create_app

from .fakes import FakeEngine

CLINIC = "https://www.clinic.example"
OTHER = "https://evil.example"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://Clinic.Example/", "https://clinic.example"),
        ("https://clinic.example:443", "https://clinic.example"),
        ("http://clinic.example:8080", "http://clinic.example:8080"),
        ("clinic.example", None),
        ("https://clinic.example/path", None),
        ("*", None),
        ("https://*.clinic.example", None),
        ("ftp://clinic.example", None),
    ],
)
def test_normalize_origin(raw, expected):
    assert normalize_origin(raw) == expected


def test_policy_allows_localhost_and_configured_origins_only():
    policy = OriginPolicy.from_settings([CLINIC + "/", "not an origin"])
    assert policy.allowed == (CLINIC,)
    assert policy.allows(CLINIC)
    assert policy.allows("http://localhost:3000") and policy.allows("http://127.0.0.1:8123")
    assert not policy.allows(OTHER)
    assert not policy.allows("http://127.0.0.2:8123")
    assert not policy.allows("null")
    assert policy.frame_ancestors().split()[:2] == ["frame-ancestors", "'self'"]
    assert policy.frame_ancestors().endswith(CLINIC)


@pytest.fixture(scope="module")
def clinic_client():
    app = create_app(FakeEngine(allowed_origins=(CLINIC,), rate_limit_per_minute=1000), feedback=None)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/embed/", "/health", "/api/info"])
def test_every_page_may_only_be_framed_by_allowed_origins(clinic_client, path):
    csp = clinic_client.get(path).headers["content-security-policy"]
    assert csp.startswith("frame-ancestors 'self' ")
    assert CLINIC in csp.split()
    assert OTHER not in csp
    assert "*" not in csp.replace(":*", "")  # port wildcards for localhost only, never any host


def test_preflight_from_allowed_origin_is_accepted(clinic_client):
    response = clinic_client.options(
        "/api/ask",
        headers={"Origin": CLINIC, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == CLINIC


def test_the_web_components_preflight_from_an_allowed_origin_is_accepted(clinic_client):
    """The Gradio web component on a clinic's page sends x-gradio-user with every event: a
    preflight that refused it left the embedded chat silent (caught by the browser test)."""
    response = clinic_client.options(
        "/embed/gradio_api/queue/join",
        headers={"Origin": CLINIC, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,x-gradio-user"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == CLINIC


def test_preflight_from_other_origin_is_refused(clinic_client):
    response = clinic_client.options(
        "/api/ask",
        headers={"Origin": OTHER, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("path", ["/gradio.js", "/embed/config", "/config", "/api/info"])
def test_gradio_and_api_responses_name_only_allowed_origins(clinic_client, path):
    allowed = clinic_client.get(path, headers={"Origin": CLINIC})
    refused = clinic_client.get(path, headers={"Origin": OTHER})
    assert allowed.headers.get("access-control-allow-origin") == CLINIC
    assert "access-control-allow-origin" not in refused.headers  # Gradio no longer reflects any origin


def test_ask_from_a_page_on_another_origin_is_refused_with_403(clinic_client):
    refused = clinic_client.post("/api/ask", json={"question": "hi"}, headers={"Origin": OTHER})
    assert refused.status_code == 403
    assert refused.json()["error"] == "origin_not_allowed"
    assert clinic_client.post("/api/ask", json={"question": "hi"}, headers={"Origin": CLINIC}).status_code == 200
    # same origin (the chat's own host) and servers without an Origin header are fine
    assert clinic_client.post("/api/ask", json={"question": "hi"}, headers={"Origin": "http://testserver"}).status_code == 200
    assert clinic_client.post("/api/ask", json={"question": "hi"}).status_code == 200


def test_default_settings_allow_only_same_origin_and_localhost(client):
    csp = client.get("/").headers["content-security-policy"]
    assert csp == "frame-ancestors 'self' http://localhost:* http://127.0.0.1:* https://localhost:* https://127.0.0.1:*"
    assert client.post("/api/ask", json={"question": "hi"}, headers={"Origin": CLINIC}).status_code == 403
    assert client.post("/api/ask", json={"question": "hi"}, headers={"Origin": "http://localhost:5173"}).status_code == 200
