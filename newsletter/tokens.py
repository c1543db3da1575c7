"""Signed links in newsletter emails.

Tokens carry the subscriber id and a short keyed hash of the address, never
the address itself (links end up in logs and browser history). A token stops
working when the address changes or the subscriber is deleted.
"""

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from newsletter.models import Subscriber

CONFIRM_SALT = "newsletter.confirm"
MANAGE_SALT = "newsletter.manage"


def _email_tag(email: str) -> str:
    return salted_hmac("newsletter.token-email", email, algorithm="sha256").hexdigest()[:16]


def make_token(subscriber: Subscriber, *, salt: str) -> str:
    return signing.dumps({"id": subscriber.pk, "e": _email_tag(subscriber.email)}, salt=salt)


def read_token(token: str, *, salt: str, max_age: int | None = None) -> Subscriber | None:
    """The subscriber the token was made for, or None if it is forged, expired or stale."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    subscriber = Subscriber.objects.filter(pk=payload.get("id")).first()
    if subscriber is None or _email_tag(subscriber.email) != payload.get("e"):
        return None
    return subscriber


def confirm_token(subscriber: Subscriber) -> str:
    return make_token(subscriber, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> Subscriber | None:
    return read_token(token, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRMATION_MAX_AGE_HOURS * 3600)


def manage_token(subscriber: Subscriber) -> str:
    """For the management and one-click unsubscribe links: in every email, so it never expires."""
    return make_token(subscriber, salt=MANAGE_SALT)


def read_manage_token(token: str) -> Subscriber | None:
    return read_token(token, salt=MANAGE_SALT)


def ip_hash(ip: str) -> str:
    """HMAC of the IP with SECRET_KEY: lets us show two consents came from one address, without storing it."""
    return salted_hmac("newsletter.consent-ip", ip or "", algorithm="sha256").hexdigest()
