"""Subscribers: signup, confirmation, welcome, unsubscribe, suppression, erasure and export.

These functions change state and send mail; they enqueue nothing. The caller
(newsletter/services.py, which views and the admin use) queues the follow-up
tasks on commit, so this module and newsletter/tasks.py never import each other.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from newsletter import emails, tokens
from newsletter.addresses import normalise_email
from newsletter.consent import CONSENT_TEXTS
from newsletter.errors import NewsletterError
from newsletter.models import ConsentRecord, Delivery, Subscriber
from reex import mail

logger = logging.getLogger(__name__)

CONFIRMATION_INTERVAL = timedelta(hours=1)
# Who may be sent a (new) confirmation by signing up. Not someone who marked us as spam:
# anyone can type their address, and a complaint is the clearest "never again".
_MAY_RECONFIRM = [Subscriber.Status.PENDING, Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.BOUNCED]


@dataclass(frozen=True)
class ConfirmationDue:
    """A confirmation email the caller must queue (newsletter.tasks.send_confirmation)."""

    subscriber_id: int
    claimed_at: str


def subscriber_signup(
    *, email: str, name: str = "", source: str, source_page: str = "", form_version: str
) -> ConfirmationDue | None:
    """Record a signup. Returns the confirmation to send, or None when none is due.

    Callers must not reveal the result: the visitor sees the same page whether
    the address is new, pending, confirmed or unsubscribed. Concurrency: the row
    is created with INSERT ... ON CONFLICT DO NOTHING on the case-insensitive
    unique index, and the right to send a confirmation is taken with one
    conditional UPDATE, so a burst of requests sends at most one confirmation
    per hour even when they run at the same moment.
    """
    email = normalise_email(email)
    source_page = source_page[:500]
    Subscriber.objects.bulk_create(
        [Subscriber(email=email, name=name, source=source, source_page=source_page, form_version=form_version)],
        ignore_conflicts=True,
    )
    now = timezone.now()
    changes = {
        "status": Subscriber.Status.PENDING,
        "last_confirmation_sent_at": now,
        "source": source,
        "source_page": source_page,
        "form_version": form_version,
        "updated_at": now,
    }
    if name:
        changes["name"] = name
    due = Q(last_confirmation_sent_at__isnull=True) | Q(last_confirmation_sent_at__lte=now - CONFIRMATION_INTERVAL)
    taken = Subscriber.objects.by_email(email).filter(status__in=_MAY_RECONFIRM).filter(due).update(**changes)
    if not taken:
        return None
    subscriber_id = Subscriber.objects.by_email(email).values_list("id", flat=True).get()
    return ConfirmationDue(subscriber_id=subscriber_id, claimed_at=now.isoformat())


def subscriber_note_undeliverable(*, subscriber_id: int, failure: mail.SendFailure) -> None:
    """Keep the subscriber, and show editors why mail to them cannot go out (e.g. no SMTPUTF8)."""
    Subscriber.objects.filter(pk=subscriber_id).update(
        delivery_problem=f"{timezone.now():%Y-%m-%d}: {failure.detail}"[:500]
    )


def subscriber_send_confirmation(*, subscriber_id: int, claimed_at: str) -> bool:
    """Send the confirmation email. On failure, give the hourly allowance back so the visitor can retry."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.PENDING).first()
    if subscriber is None:
        return False
    try:
        failure = mail.send(emails.confirmation_message(subscriber))
    except Exception:
        _give_back(subscriber_id=subscriber_id, claimed_at=claimed_at)
        raise
    if failure is None:
        return True
    if failure.kind is mail.Failure.UNSUPPORTED:
        # No retry can help until the server changes; keep the claim so the sweep does not loop on it.
        subscriber_note_undeliverable(subscriber_id=subscriber_id, failure=failure)
        return False
    # Give the claim back: the visitor may sign up again, and send_pending_email (run with
    # send_daily_digest) sends it once SMTP is back. Nothing is lost, nothing sent twice.
    _give_back(subscriber_id=subscriber_id, claimed_at=claimed_at)
    return False


def _give_back(*, subscriber_id: int, claimed_at: str) -> None:
    Subscriber.objects.filter(pk=subscriber_id, last_confirmation_sent_at=datetime.fromisoformat(claimed_at)).update(
        last_confirmation_sent_at=None
    )


def _pending_confirmations(*, now):
    """Pending signups whose confirmation never got through and whose signup is recent enough to confirm."""
    max_age = timedelta(hours=settings.NEWSLETTER_CONFIRMATION_MAX_AGE_HOURS)
    return Subscriber.objects.filter(
        status=Subscriber.Status.PENDING, last_confirmation_sent_at__isnull=True, updated_at__gte=now - max_age
    )


def subscriber_confirmations_resend_pending(*, limit: int = 500) -> int:
    """Send every confirmation that failed (SMTP down) and is still wanted. Returns how many went out.

    Each row is locked (SKIP LOCKED, so parallel runs share the work) while its
    message is sent, and marked in that same transaction right after the server
    accepted it: a failure rolls back and leaves it for the next run. Stops at
    the first failure that is not about one address (SMTP still down).
    """
    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            now = timezone.now()
            subscriber = _pending_confirmations(now=now).select_for_update(skip_locked=True).order_by("id").first()
            if subscriber is None:
                break
            failure = mail.send(emails.confirmation_message(subscriber))
            if failure is not None and failure.kind is mail.Failure.UNSUPPORTED:
                subscriber_note_undeliverable(subscriber_id=subscriber.pk, failure=failure)
            elif failure is not None:
                break
            Subscriber.objects.filter(pk=subscriber.pk).update(last_confirmation_sent_at=now)
        sent += failure is None
    return sent


def subscriber_confirm(*, subscriber: Subscriber, ip: str) -> bool:
    """Confirm a pending subscription and store the consent record. True if it was confirmed now.

    The caller queues the welcome email when this returns True. Idempotent:
    confirming twice (a double click, a retried POST) records one consent.
    Only pending subscribers can be confirmed, so an old link cannot
    re-subscribe someone who has since left.
    """
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
        if locked is None or locked.status != Subscriber.Status.PENDING:
            return False
        now = timezone.now()
        locked.status = Subscriber.Status.CONFIRMED
        locked.confirmed_at = now
        locked.unsubscribed_at = None
        locked.suppressed_at = None
        locked.suppressed_reason = ""
        locked.welcome_sent_at = None  # someone coming back is welcomed again
        locked.save()
        ConsentRecord.objects.create(
            subscriber=locked,
            kind=ConsentRecord.Kind.CONFIRMED,
            form_version=locked.form_version,
            consent_text=CONSENT_TEXTS.get(locked.form_version, ""),
            source_page=locked.source_page,
            ip_hash=tokens.ip_hash(ip),
        )
    return True


def subscriber_send_welcome(*, subscriber_id: int) -> bool:
    """Send the welcome email once: marked `welcome_sent_at` only after the SMTP server accepted it.

    The row is locked while sending, so the task and the sweep never both send
    it; a failure leaves it unmarked for send_pending_email. The lock waits
    rather than skips (a double-clicked confirmation may briefly hold the row);
    PostgreSQL re-checks `welcome_sent_at` after the wait. An address this
    server cannot take (no SMTPUTF8) is marked too, with the reason shown.
    """
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.confirmed()
            .filter(pk=subscriber_id, welcome_sent_at__isnull=True)
            .select_for_update()
            .first()
        )
        if subscriber is None:
            return False
        failure = mail.send(emails.welcome_message(subscriber))
        if failure is not None and failure.kind is not mail.Failure.UNSUPPORTED:
            return False
        if failure is not None:
            subscriber_note_undeliverable(subscriber_id=subscriber_id, failure=failure)
        Subscriber.objects.filter(pk=subscriber.pk).update(welcome_sent_at=timezone.now())
    return failure is None


def subscriber_welcomes_send_pending(*, limit: int = 500) -> int:
    """Send every welcome email that has not gone out yet. Returns how many went out."""
    sent = 0
    ids = (
        Subscriber.objects.confirmed().filter(welcome_sent_at__isnull=True).order_by("id").values_list("id", flat=True)
    )
    for subscriber_id in list(ids[:limit]):
        if subscriber_send_welcome(subscriber_id=subscriber_id):
            sent += 1
        elif Subscriber.objects.confirmed().filter(pk=subscriber_id, welcome_sent_at__isnull=True).exists():
            break  # SMTP still failing: leave the rest for the next run
    return sent


def subscriber_unsubscribe(*, subscriber: Subscriber, by: object = "subscriber") -> bool:
    """Stop all mail to this subscriber. Idempotent; takes effect before the next digest message.

    The sending loop re-checks the status right before each message, so an
    unsubscribe committed now is honoured even mid-send. `by` (a user or a
    description of the channel) goes to the log.
    """
    now = timezone.now()
    changed = Subscriber.objects.filter(
        pk=subscriber.pk, status__in=[Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED]
    ).update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now, updated_at=now)
    if changed:
        logger.info("newsletter: subscriber %s unsubscribed by %s", subscriber.pk, by)
    return bool(changed)


def subscriber_suppress(*, email: str, status: str, reason: str) -> int:
    """Mark an address bounced or complained (from SMTP 5xx or a provider webhook). Returns rows changed.

    A complaint is never downgraded to a bounce. Raises NewsletterError for any other status.
    """
    if status not in (Subscriber.Status.BOUNCED, Subscriber.Status.COMPLAINED):
        raise NewsletterError(f"An address can be suppressed as bounced or complained, not {status!r}.")
    now = timezone.now()
    rows = Subscriber.objects.by_email(email).exclude(status__in=[status, Subscriber.Status.COMPLAINED])
    changed = rows.update(status=status, suppressed_at=now, suppressed_reason=reason[:500], updated_at=now)
    if changed:
        logger.info("newsletter: suppressed %s as %s: %s", email, status, reason)
    return changed


def subscriber_delete(*, subscriber: Subscriber) -> None:
    """Erase the subscriber and everything stored about them (consents, deliveries)."""
    Subscriber.objects.filter(pk=subscriber.pk).delete()


def subscriber_export(*, subscriber: Subscriber) -> dict:
    """Everything we hold about one subscriber, for the "download my data" link."""

    def iso(value):
        return value.isoformat() if value else None

    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "status": subscriber.status,
        "source": subscriber.source,
        "source_page": subscriber.source_page,
        "signed_up_at": iso(subscriber.created_at),
        "confirmed_at": iso(subscriber.confirmed_at),
        "unsubscribed_at": iso(subscriber.unsubscribed_at),
        "suppressed_at": iso(subscriber.suppressed_at),
        "suppressed_reason": subscriber.suppressed_reason,
        "consents": [
            {
                "kind": consent.kind,
                "at": iso(consent.created_at),
                "form_version": consent.form_version,
                "consent_text": consent.consent_text,
                "source_page": consent.source_page,
                "ip_address_hash": consent.ip_hash,
            }
            for consent in subscriber.consents.all()
        ],
        "digests_received": [
            {
                "date": delivery.digest.date.isoformat(),
                "subject": delivery.digest.subject,
                "sent_at": iso(delivery.sent_at),
            }
            for delivery in subscriber.deliveries.filter(status=Delivery.Status.SENT).select_related("digest")
        ],
    }
