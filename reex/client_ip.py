"""The real client IP address, the one key for every throttle and lockout.

Behind N trusted proxies, each proxy appends the address it saw to
X-Forwarded-For, so the client is the N-th entry from the right. Entries
further left were written by the client and are ignored: a spoofed header
cannot change the key. With no trusted proxies the header is not read at all.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # "0.0.0.0" is only a placeholder key for a request without an address; nothing binds to it.
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104  # nosec B104
    depth = settings.TRUSTED_PROXY_COUNT
    if depth <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < depth:
        return remote
    return forwarded[-depth]
