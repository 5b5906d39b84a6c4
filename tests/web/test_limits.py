"""The rate limiter: token buckets per key in a bounded LRU, with a fake clock (no waiting)."""

from __future__ import annotations

from retrieval.web.limits import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_minute_allows_the_limit_then_says_how_long_to_wait():
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    assert limiter.check("a") is None and limiter.check("a") is None
    assert limiter.check("a") == 30.0  # one question every 30 s comes back
    assert limiter.check("b") is None  # per client
    clock.now += 30
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


def test_every_key_of_a_request_counts():
    limiter = RateLimiter(2, clock=Clock())
    assert limiter.check("10.0.0.1", "session:s1") is None
    assert limiter.check("10.0.0.2", "session:s1") is None
    assert limiter.check("10.0.0.3", "session:s1") is not None  # the session is over its limit
    assert limiter.check("10.0.0.1") is None  # a refused request costs nothing


def test_memory_is_bounded_however_many_clients_come():
    limiter = RateLimiter(30, clock=Clock(), max_keys=1000)
    for i in range(20_000):
        assert limiter.check(f"client-{i}") is None
    assert len(limiter) == 1000
