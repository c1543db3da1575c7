"""Trusted commenters: auto-approval only for people who proved they are who they type.

Typing a known commenter's email is not proof. A commenter becomes trusted
through a one-time link emailed to them after a held comment (services.
trust_confirmation_send). Following it sets a signed, long-lived cookie in that
browser (PROOF_COOKIE) that names their email and the record's `secret`. A later
comment is trusted only when all of these hold:

- the browser carries a valid proof cookie for exactly this email,
- the record is confirmed and not withdrawn, and its `secret` still matches,
- the name typed matches the record's name (case and spacing aside).

Withdrawing (from the link in any notification email) rotates `secret`, so
every proof cookie stops working at once. Trust never bypasses the link rule
or the moderation lists (comments.moderation runs those first).

The proof cookie changes nothing on the page, so it does not bypass the page
cache; it is only read when a comment is posted.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from comments.errors import CommentError
from comments.models import CommenterTrust

PROOF_COOKIE = "reex_commenter_proof"
_PROOF_SALT = "comments.trust-proof"
_LINK_SALT = "comments.trust-link"
_SETTINGS_SALT = "comments.commenter-settings"
PROOF_MAX_AGE = 365 * 24 * 3600
LINK_MAX_AGE = 7 * 24 * 3600


def normalise_email(email: str) -> str:
    return email.strip().lower()


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _new_secret() -> str:
    return secrets.token_urlsafe(24)


# --- proof in the browser -----------------------------------------------------------------


def proof_from_request(request) -> str:
    return request.COOKIES.get(PROOF_COOKIE, "")


def is_trusted(*, proof: str, name: str, email: str) -> bool:
    """Whether `proof` (the raw cookie value) shows this browser's owner is the trusted `name` <`email`>."""
    if not proof:
        return False
    try:
        data = signing.loads(proof, salt=_PROOF_SALT, max_age=PROOF_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(data, dict) or data.get("e") != normalise_email(email):
        return False
    trust = CommenterTrust.objects.active().filter(email=normalise_email(email)).first()
    if trust is None or not secrets.compare_digest(str(data.get("s", "")), trust.secret):
        return False
    return same_name(trust.name, name)


def set_proof_cookie(response, trust: CommenterTrust) -> None:
    response.set_cookie(
        PROOF_COOKIE,
        signing.dumps({"e": trust.email, "s": trust.secret}, salt=_PROOF_SALT),
        max_age=PROOF_MAX_AGE,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )


# --- the one-time confirmation link ---------------------------------------------------------


def trust_for_confirmation(*, email: str, name: str, now=None) -> tuple[CommenterTrust, bool]:
    """The record a confirmation link is for, and whether a link is due now.

    Due unless one was sent within COMMENTS_TRUST_RESEND_SECONDS, so posting
    several comments (or someone typing another person's email) sends at most
    one message per interval. The name in the link is the one just typed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        trust, _ = CommenterTrust.objects.select_for_update().get_or_create(
            email=normalise_email(email),
            defaults={"name": name, "secret": _new_secret(), "link_nonce": _new_secret()},
        )
        interval = settings.COMMENTS_TRUST_RESEND_SECONDS
        sent = trust.confirmation_sent_at
        if sent is not None and (now - sent).total_seconds() < interval:
            return trust, False
        trust.confirmation_sent_at = now
        trust.save(update_fields=["confirmation_sent_at"])
    return trust, True


def confirmation_token(*, trust: CommenterTrust, name: str) -> str:
    return signing.dumps({"e": trust.email, "n": name, "k": trust.link_nonce}, salt=_LINK_SALT, compress=True)


def confirmation_from_token(token: str) -> dict | None:
    """What a confirmation link says ({"e": email, "n": name, "k": nonce}), or None if forged or older than a week."""
    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(key), str) for key in ("e", "n", "k")):
        return None
    return data


def commenter_trust_confirm(*, token: str, now=None) -> CommenterTrust:
    """Confirm a commenter from their emailed link. The link then stops working (its nonce is rotated).

    Raises CommentError for a forged, expired or already used link. Confirming
    after a withdrawal trusts again, with a new secret.
    """
    data = confirmation_from_token(token)
    if data is None:
        raise CommentError("This confirmation link is not valid or has expired. Post a comment to get a new one.")
    with transaction.atomic():
        trust = CommenterTrust.objects.select_for_update().filter(email=data["e"]).first()
        if trust is None or not secrets.compare_digest(data["k"], trust.link_nonce):
            raise CommentError("This confirmation link was already used. Post a comment to get a new one.")
        if trust.withdrawn_at is not None:
            trust.secret = _new_secret()
        trust.name = data["n"][:80]
        trust.link_nonce = _new_secret()
        trust.confirmed_at = now or timezone.now()
        trust.withdrawn_at = None
        trust.save(update_fields=["name", "link_nonce", "secret", "confirmed_at", "withdrawn_at"])
    return trust


def commenter_trust_withdraw(*, email: str, now=None) -> bool:
    """Stop trusting `email`: every proof cookie stops working. Idempotent; True if trust was active."""
    with transaction.atomic():
        trust = CommenterTrust.objects.select_for_update().filter(email=normalise_email(email)).first()
        if trust is None or not trust.is_active:
            return False
        trust.withdrawn_at = now or timezone.now()
        trust.secret = _new_secret()
        trust.link_nonce = _new_secret()
        trust.save(update_fields=["withdrawn_at", "secret", "link_nonce"])
    return True


# --- the commenter's own page (linked from every email to them) -------------------------------


def settings_token(email: str) -> str:
    return signing.dumps(normalise_email(email), salt=_SETTINGS_SALT, compress=True)


def email_from_settings_token(token: str) -> str | None:
    try:
        email = signing.loads(token, salt=_SETTINGS_SALT)
    except signing.BadSignature:
        return None
    return email if isinstance(email, str) else None
