"""The per-client sliding window, with a fake clock (no waiting)."""

from __future__ import annotations

from retrieval.web.limits import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_slides_per_client():
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    assert limiter.check("a") is None
    clock.now += 10
    assert limiter.check("a") is None
    wait = limiter.check("a")
    assert wait == 50.0  # the first of the two leaves the window 60 s after it came
    assert limiter.check("b") is None
    clock.now += 50
    assert limiter.check("a") is None


def test_refused_requests_do_not_extend_the_wait():
    clock = Clock()
    limiter = RateLimiter(1, clock=clock)
    limiter.check("a")
    for _ in range(10):
        clock.now += 5
        limiter.check("a")
    clock.now += 10.0
    assert limiter.check("a") is None


def test_idle_clients_are_forgotten():
    clock = Clock()
    limiter = RateLimiter(1, clock=clock)
    for i in range(10_001):
        limiter.check(f"client-{i}")
    clock.now += 61
    limiter.check("new")
    assert len(limiter._hits) <= 2
