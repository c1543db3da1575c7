"""Per-IP and per-email limits on new comments, kept in the shared cache.

Fixed windows counted with cache.add + cache.incr, which are atomic in Redis
and in the local-memory cache, so simultaneous posts cannot slip past the limit.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one attempt; True while the count is within `limit`."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit


def comment_allowed(*, ip_address: str, email: str) -> bool:
    """Record an attempt by this IP address and email; False once either is over its limit."""
    window = settings.COMMENTS_THROTTLE_WINDOW_SECONDS
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    # Both counters advance on every attempt, so a blocked IP cannot rotate emails freely.
    ip_ok = _hit(f"comments:throttle:ip:{ip_address}", settings.COMMENTS_THROTTLE_PER_IP, window)
    email_ok = _hit(f"comments:throttle:email:{email_key}", settings.COMMENTS_THROTTLE_PER_EMAIL, window)
    return ip_ok and email_ok


def retry_after_seconds() -> int:
    return settings.COMMENTS_THROTTLE_WINDOW_SECONDS
