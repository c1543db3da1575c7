"""Fixed-window counters in the shared cache: the one mechanism behind every throttle.

cache.add + cache.incr are atomic in Redis and in the local-memory cache, so
simultaneous requests cannot slip past the limit. A throttle guards against
abuse; it must never turn a visitor's signup or comment into a 500, so when the
cache is unreachable the attempt is allowed (and the outage logged) rather than
refused or failed.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def within_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one attempt under `key`; True while the count in this window is at most `limit`.

    A cache error counts as allowed: losing the throttle for the length of an
    outage is better than losing the signup or comment it guards.
    """
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception:
        logger.exception("throttle: cache unavailable, allowing %s", key)
        return True
    return count <= limit
