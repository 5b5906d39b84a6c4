"""Fixtures for the web layer's fast tests: a fake engine and a FastAPI TestClient."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from retrieval.web.feedback import FeedbackStore
from retrieval.web.server import create_app

from .fakes import FakeEngine


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine(rate_limit_per_minute=1000)


@pytest.fixture
def make_client():
    """make_client(engine, feedback=None) -> TestClient with the app's lifespan running."""
    clients: list[TestClient] = []

    def make(engine: FakeEngine, feedback: FeedbackStore | None = None) -> TestClient:
        client = TestClient(create_app(engine, feedback=feedback))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(fake_engine, make_client) -> TestClient:
    return make_client(fake_engine)
