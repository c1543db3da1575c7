"""Per-IP and per-email limits on new comments, counted by reex.throttle.

With the cache down both limits let the comment through (reex.throttle logs
the outage); moderation still holds every new commenter's comment.
"""

import hashlib

from django.conf import settings

from reex.throttle import within_limit


def comment_allowed(*, ip_address: str, email: str) -> bool:
    """Record an attempt by this IP address and email; False once either is over its limit."""
    window = settings.COMMENTS_THROTTLE_WINDOW_SECONDS
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    # Both counters advance on every attempt, so a blocked IP cannot rotate emails freely.
    ip_ok = within_limit(f"comments:throttle:ip:{ip_address}", limit=settings.COMMENTS_THROTTLE_PER_IP, window=window)
    email_ok = within_limit(
        f"comments:throttle:email:{email_key}", limit=settings.COMMENTS_THROTTLE_PER_EMAIL, window=window
    )
    return ip_ok and email_ok


def retry_after_seconds() -> int:
    return settings.COMMENTS_THROTTLE_WINDOW_SECONDS


REPORTS_PER_IP = 10
REPORTS_WINDOW_SECONDS = 3600


def report_allowed(*, ip_address: str) -> bool:
    """Record a report by this IP address; False past REPORTS_PER_IP in an hour (a reader reports a few, a bot many)."""
    return within_limit(f"comments:report:ip:{ip_address}", limit=REPORTS_PER_IP, window=REPORTS_WINDOW_SECONDS)
