"""Redis paused under load (CLIENT PAUSE): pages keep answering, and the cache is skipped after the first
timeouts instead of waited for by every request (reex/cachebreaker.py).

CLIENT PAUSE pauses the whole Redis server (everyone's databases), so the pause is short (2 s) and there
is one. The load is small and bounded (4 readers). Latencies are recorded as figures in
bench/results/redis_pause.json (with RECORD_BENCH_RESULTS=1), never asserted: what is asserted is how many cache calls waited.
"""

import json
import os
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

from reex.cachebreaker import CircuitOpen, breaker
from tests.factories import make_article

REDIS_URL = os.environ.get("REDIS_URL", "")
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "redis_pause.json"
READERS = 4
PAUSE_MS = 2000

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis (REDIS_URL)"),
]


@pytest.fixture
def fresh_breaker(settings):
    settings.CACHE_BREAKER_SECONDS = 1
    breaker.reset()
    yield breaker
    breaker.reset()


def test_the_cache_backend_is_the_breaker():
    assert django_settings.CACHES["default"]["BACKEND"] == "reex.cachebreaker.RedisCache"


def test_an_open_breaker_fails_at_once_then_one_probe_closes_it(fresh_breaker):
    cache.set("breaker-probe", "1")
    fresh_breaker.trip(redis.TimeoutError("test"))
    with pytest.raises(CircuitOpen):
        cache.get("breaker-probe")
    fresh_breaker.open_until = time.monotonic() - 0.01  # the window is over: the next call probes
    assert cache.get("breaker-probe") == "1"
    assert fresh_breaker.open_until == 0.0


def _read(url, results, stop):
    while not stop.is_set():
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                status, page_cache = answer.status, answer.headers.get("X-Page-Cache")
        except Exception as error:  # recorded, and the test fails on it below
            status, page_cache = repr(error), None
        results.append({"at": started, "seconds": time.monotonic() - started, "status": status, "cache": page_cache})


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else None


def test_pages_answer_through_a_redis_pause_and_the_cache_comes_back(live_server, fresh_breaker):
    make_article(title="Scandium supply")
    url = live_server.url + "/"
    assert urllib.request.urlopen(url).status == 200
    results, stop = [], threading.Event()
    readers = [threading.Thread(target=_read, args=(url, results, stop)) for _ in range(READERS)]
    for each in readers:
        each.start()
    time.sleep(1.0)
    admin = redis.Redis.from_url(REDIS_URL)
    paused_at = time.monotonic()
    admin.execute_command("CLIENT", "PAUSE", PAUSE_MS, "ALL")
    time.sleep(PAUSE_MS / 1000 + 2.5)  # the pause, then past the breaker's window
    stop.set()
    for each in readers:
        each.join()
    resumed_at = paused_at + PAUSE_MS / 1000

    assert {r["status"] for r in results} == {200}
    # Every cache call that waited out a timeout tripped the breaker once: the readers in flight at
    # the pause, then at most one probe per breaker window (1 s) while paused. Without the breaker,
    # every request during the pause would have waited.
    during = [r for r in results if paused_at <= r["at"] < resumed_at]
    assert len(during) > 2 * READERS, "the load did not run through the pause"
    probes = PAUSE_MS // 1000 + 1  # one per breaker window (1 s) while paused
    assert 1 <= fresh_breaker.trips <= READERS + probes, fresh_breaker.trips
    # Redis answers again: the breaker closed and pages are served from the cache once more.
    assert fresh_breaker.open_until == 0.0
    assert any(r["cache"] == "hit" for r in results if r["at"] > resumed_at + 1.0)

    if not os.environ.get("RECORD_BENCH_RESULTS"):  # a test run leaves the recorded figures alone
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    before = [r["seconds"] for r in results if r["at"] < paused_at]
    paused = [r["seconds"] for r in during]
    RESULTS.write_text(
        json.dumps(
            {
                "what": "GET / on the test server (runserver thread) with 4 readers; CLIENT PAUSE 2000 ALL",
                "socket_timeout_s": django_settings.CACHES["default"]["OPTIONS"]["socket_timeout"],
                "breaker_seconds": 1,
                "requests": len(results),
                "requests_during_pause": len(paused),
                "breaker_trips": fresh_breaker.trips,
                "p50_before_s": round(_percentile(before, 0.5), 4),
                "p50_during_pause_s": round(_percentile(paused, 0.5), 4),
                "p99_during_pause_s": round(_percentile(paused, 0.99), 4),
                "max_during_pause_s": round(max(paused), 4),
            },
            indent=2,
        )
        + "\n"
    )


def test_forgetting_pages_is_never_skipped_by_an_open_breaker(fresh_breaker):
    from reex import pagecache

    before = pagecache._generations([pagecache.LISTS_GEN])
    fresh_breaker.trip(redis.TimeoutError("test"))
    with pytest.raises(CircuitOpen):
        cache.get(pagecache.LISTS_GEN)  # reads skip Redis ...
    pagecache.invalidate_lists()  # ... but an invalidation still reaches it
    fresh_breaker.reset()
    assert pagecache._generations([pagecache.LISTS_GEN]) == [before[0] + 1]
