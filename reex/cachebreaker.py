"""Django's Redis cache with a circuit breaker: a Redis that stops answering is skipped, not waited for.

Every cache user (the page cache, throttles, sessions) already treats a cache error as "no
cache". What hurts is the wait: with Redis paused, each request waits out its own socket
timeout. Here the first timeout or refused connection opens the breaker for
CACHE_BREAKER_SECONDS, during which every cache call in this process fails at once (a
redis ConnectionError, as an outage raises), so pages answer in about their uncached time.
Then one request probes Redis; if it answers, the breaker closes, otherwise it opens again.

The state is per process: each app server finds out for itself, after one timeout.
"""

import contextlib
import logging
import threading
import time

import redis
from django.conf import settings
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)

# How long a probing request has Redis to itself before others may probe too.
PROBE_SECONDS = 1.0


class CircuitOpen(redis.ConnectionError):
    """Redis is being skipped after a recent timeout (a ConnectionError, so callers treat it as an outage)."""


class Breaker:
    def __init__(self):
        self._lock = threading.Lock()
        self.open_until = 0.0  # monotonic time; 0 = closed
        self.trips = 0  # how many times Redis made us wait (a test and the logs count them)
        self._probe = threading.local()

    @contextlib.contextmanager
    def bypassed(self):
        """Calls in this block go to Redis even while the breaker is open: for writes that must not be
        skipped (forgetting a page after a save); they still trip it on a timeout, and wait at most one."""
        self._probe.bypass = True
        try:
            yield
        finally:
            self._probe.bypass = False

    def check(self) -> None:
        if not self.open_until or getattr(self._probe, "bypass", False):
            return
        with self._lock:
            now = time.monotonic()
            if not self.open_until or getattr(self._probe, "until", 0) > now:
                return  # closed meanwhile, or this thread is the one probing
            if now < self.open_until:
                raise CircuitOpen("Redis skipped: it timed out recently (circuit breaker open)")
            # This thread probes; the others keep skipping until it succeeds or trips again.
            self.open_until = self._probe.until = now + PROBE_SECONDS

    def trip(self, error: Exception) -> None:
        if getattr(error, "reex_counted", False):  # a handshake's read, seen again by connect()
            return
        error.reex_counted = True
        with self._lock:
            self.trips += 1
            self._probe.until = 0
            was_closed = not self.open_until
            self.open_until = time.monotonic() + settings.CACHE_BREAKER_SECONDS
        if was_closed:
            logger.warning(
                "Redis did not answer (%s): skipping the cache for %ss", error, settings.CACHE_BREAKER_SECONDS
            )

    def succeeded(self) -> None:
        if self.open_until:
            with self._lock:
                if self.open_until:
                    logger.warning("Redis answers again: cache back in use")
                self.open_until = 0.0
                self._probe.until = 0

    def reset(self) -> None:
        with self._lock:
            self.open_until = 0.0
            self.trips = 0


breaker = Breaker()
_FAILURES = (redis.TimeoutError, redis.ConnectionError)


class BreakerConnection(redis.Connection):
    def connect(self, *args, **kwargs):
        breaker.check()
        try:
            return super().connect(*args, **kwargs)
        except CircuitOpen:
            raise
        except _FAILURES as error:
            breaker.trip(error)
            raise

    def send_packed_command(self, *args, **kwargs):
        breaker.check()
        try:
            return super().send_packed_command(*args, **kwargs)
        except CircuitOpen:
            raise
        except _FAILURES as error:
            breaker.trip(error)
            raise

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except _FAILURES as error:
            breaker.trip(error)
            raise
        breaker.succeeded()
        return response


class RedisCache(django_redis.RedisCache):
    """django.core.cache.backends.redis.RedisCache whose connections go through the breaker."""

    def __init__(self, server, params):
        if not str(server).startswith("rediss://"):  # TLS connections keep redis-py's own SSLConnection
            params = {**params, "OPTIONS": {**params.get("OPTIONS", {}), "connection_class": BreakerConnection}}
        super().__init__(server, params)
