"""Every state change of the newsletter: signup, confirmation, suppression, digests and their sending.

Exactly-once sending (see docs/newsletter.md for the full argument):

* `digest_send` turns a draft into "sending" under a row lock and creates one
  Delivery per confirmed subscriber; the (digest, subscriber) unique constraint
  plus ON CONFLICT DO NOTHING means re-running it can never add a second row.
* `digest_send_batch` claims due deliveries with SELECT ... FOR UPDATE SKIP
  LOCKED and marks them "sending" with a claim token in the same transaction,
  so two workers never hold the same row. Just before each message it checks
  that the row is still its own and the subscriber still confirmed (and renews
  the lease of its remaining rows every third of a lease); right after the
  SMTP server accepts the message it marks the delivery "sent" (autocommit,
  one row, conditional on the claim token).
* A delivery left in "sending" past NEWSLETTER_SEND_LEASE_SECONDS (its worker
  was killed) is claimed again. The only duplicate window is a kill between
  the server's "250 accepted" and the "sent" commit (milliseconds); those
  resends carry the same Message-ID.
"""

import logging
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from articles.models import Article
from newsletter import emails, tokens
from newsletter.forms import CONSENT_TEXTS
from newsletter.models import ConsentRecord, Delivery, Digest, DigestArticle, Subscriber, normalise_email

logger = logging.getLogger(__name__)

CONFIRMATION_INTERVAL = timedelta(hours=1)
# Who may be sent a (new) confirmation by signing up. Not someone who marked us as spam:
# anyone can type their address, and a complaint is the clearest "never again".
_MAY_RECONFIRM = [Subscriber.Status.PENDING, Subscriber.Status.UNSUBSCRIBED, Subscriber.Status.BOUNCED]


# --- Subscribers -------------------------------------------------------------------------


def subscriber_signup(*, email: str, name: str = "", source: str, source_page: str = "", form_version: str) -> bool:
    """Record a signup; send a confirmation email if one is due. Returns whether one was sent.

    Callers must not reveal the return value: the visitor sees the same page
    whether the address is new, pending, confirmed or unsubscribed.
    Concurrency: the row is created with INSERT ... ON CONFLICT DO NOTHING on the
    case-insensitive unique index, and the right to send a confirmation is taken
    with one conditional UPDATE, so a burst of requests sends at most one
    confirmation per hour even when they run at the same moment.
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
        return False
    subscriber_id = Subscriber.objects.by_email(email).values_list("id", flat=True).get()
    from newsletter.tasks import send_confirmation

    transaction.on_commit(lambda: send_confirmation.enqueue(subscriber_id=subscriber_id, claimed_at=now.isoformat()))
    return True


def subscriber_send_confirmation(*, subscriber_id: int, claimed_at: str) -> bool:
    """Send the confirmation email. On failure, give the hourly allowance back so the visitor can retry."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.PENDING).first()
    if subscriber is None:
        return False
    try:
        emails.confirmation_message(subscriber).send()
    except Exception as exc:
        # Give the claim back: the visitor may sign up again, and send_pending_email (run with
        # send_daily_digest) sends it once SMTP is back. Nothing is lost, nothing sent twice.
        Subscriber.objects.filter(
            pk=subscriber_id, last_confirmation_sent_at=datetime.fromisoformat(claimed_at)
        ).update(last_confirmation_sent_at=None)
        if isinstance(exc, (smtplib.SMTPException, OSError)):
            logger.warning("newsletter: confirmation to subscriber %s not sent, will retry: %r", subscriber_id, exc)
            return False
        raise
    return True


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
    the first connection failure (SMTP still down).
    """
    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            now = timezone.now()
            subscriber = _pending_confirmations(now=now).select_for_update(skip_locked=True).order_by("id").first()
            if subscriber is None:
                break
            try:
                emails.confirmation_message(subscriber).send()
            except (smtplib.SMTPException, OSError) as exc:
                logger.warning("newsletter: pending confirmations not sent, SMTP still failing: %r", exc)
                break
            Subscriber.objects.filter(pk=subscriber.pk).update(last_confirmation_sent_at=now)
        sent += 1
    return sent


def subscriber_confirm(*, subscriber: Subscriber, ip: str) -> bool:
    """Confirm a pending subscription, store the consent record and queue the welcome email.

    Idempotent: confirming twice (a double click, a retried POST) records one
    consent and sends one welcome. Only pending subscribers can be confirmed, so
    an old link cannot re-subscribe someone who has since left.
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
        from newsletter.tasks import send_welcome

        transaction.on_commit(lambda: send_welcome.enqueue(subscriber_id=locked.pk))
    return True


def subscriber_send_welcome(*, subscriber_id: int) -> bool:
    """Send the welcome email once: marked `welcome_sent_at` only after the SMTP server accepted it.

    The row is locked while sending, so the task and the sweep never both send
    it; a failure leaves it unmarked for send_pending_email. The lock waits
    rather than skips (a double-clicked confirmation may briefly hold the row);
    PostgreSQL re-checks `welcome_sent_at` after the wait.
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
        try:
            emails.welcome_message(subscriber).send()
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("newsletter: welcome to subscriber %s not sent, will retry: %r", subscriber_id, exc)
            return False
        Subscriber.objects.filter(pk=subscriber.pk).update(welcome_sent_at=timezone.now())
    return True


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

    A complaint is never downgraded to a bounce.
    """
    assert status in (Subscriber.Status.BOUNCED, Subscriber.Status.COMPLAINED)
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


@dataclass
class ImportResult:
    created: int = 0
    existing: int = 0
    confirmations_sent: int = 0


def subscriber_import(*, rows: list[tuple[str, str]], mode: str, consent_source: str = "", by=None) -> ImportResult:
    """Add addresses from a list. Existing addresses are left exactly as they are.

    mode "send_confirmation": new addresses become pending and get a confirmation email.
    mode "consented": new addresses are confirmed at once, with a consent record naming `consent_source`.
    Never re-subscribes anyone who unsubscribed, bounced or complained.
    """
    result = ImportResult()
    note = f"Import by {by}: {consent_source}".strip() if by else consent_source
    for email, name in rows:
        email = normalise_email(email)
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email, name=name, source=Subscriber.Source.IMPORT, source_page=note[:500]
                )
        except IntegrityError:
            result.existing += 1
            continue
        result.created += 1
        if mode == "consented":
            with transaction.atomic():
                Subscriber.objects.filter(pk=subscriber.pk).update(
                    status=Subscriber.Status.CONFIRMED,
                    confirmed_at=timezone.now(),
                    form_version="import",
                    # Imports get no welcome email; marking it keeps send_pending_email from sending one.
                    welcome_sent_at=timezone.now(),
                )
                ConsentRecord.objects.create(
                    subscriber=subscriber,
                    kind=ConsentRecord.Kind.IMPORTED,
                    form_version="import",
                    consent_text=consent_source,
                    source_page=note[:500],
                )
        elif subscriber_signup(
            email=email, name=name, source=Subscriber.Source.IMPORT, source_page=note, form_version="import"
        ):
            result.confirmations_sent += 1
    return result


# --- Digests ----------------------------------------------------------------------------


def digest_build(*, day=None) -> Digest | None:
    """Today's digest (or `day`'s): the articles published since the previous digest.

    Returns the existing digest if there is one; returns None, and creates
    nothing, when no article has been published since the previous digest.
    Safe to call concurrently: the date is unique.
    """
    day = day or timezone.localdate()
    existing = Digest.objects.filter(date=day).first()
    if existing:
        return existing
    previous = Digest.objects.filter(date__lt=day).order_by("-date").first()
    since = previous.covers_until if previous else timezone.now() - timedelta(days=1)
    articles = list(
        Article.objects.published()
        .filter(published_at__gt=since)
        .select_related("section")
        .order_by("-featured", "-published_at", "-id")
    )
    if not articles:
        return None
    lead = articles[0].title
    subject = f"{settings.SITE_NAME} daily, {day:%-d %b %Y}: {lead}"
    if len(subject) > 200:
        subject = subject[:199] + "…"
    try:
        with transaction.atomic():
            digest = Digest.objects.create(
                date=day,
                subject=subject,
                covers_from=since,
                # Everything up to the newest included article is covered; an article going
                # live after the query falls into the next digest, never into neither.
                covers_until=max(article.published_at for article in articles),
            )
            DigestArticle.objects.bulk_create(
                DigestArticle(digest=digest, article=article, position=position)
                for position, article in enumerate(articles)
            )
    except IntegrityError:
        return Digest.objects.get(date=day)
    return digest


def digest_due_today(*, now=None) -> Digest | None:
    """Build today's digest once the build time has come; return it if it should be sent now."""
    now = timezone.localtime(now or timezone.now())
    send_at = now.replace(hour=settings.NEWSLETTER_SEND_HOUR, minute=0, second=0, microsecond=0)
    if now < send_at - timedelta(minutes=settings.NEWSLETTER_BUILD_LEAD_MINUTES):
        return None
    digest = digest_build(day=now.date())
    if digest and digest.status == Digest.Status.DRAFT and digest.auto_send and now >= send_at:
        return digest
    return None


def digest_send(*, digest: Digest, by=None, enqueue: bool = True) -> int:
    """Start sending a digest to every confirmed subscriber. Idempotent; returns deliveries created.

    The first call (under a row lock) moves draft -> sending and creates the
    Delivery rows; later calls (a double click, a second worker, a re-run)
    create nothing and only hand out batches for what is still due.
    """
    with transaction.atomic():
        locked = Digest.objects.select_for_update().get(pk=digest.pk)
        created = 0
        if locked.status == Digest.Status.SENT:
            return 0
        if locked.status == Digest.Status.DRAFT:
            if not locked.items.exists():
                raise ValueError("This digest has no articles; add some or delete it.")
            locked.status = Digest.Status.SENDING
            locked.send_started_at = timezone.now()
            locked.sent_by = by
            locked.save(update_fields=["status", "send_started_at", "sent_by"])
            subscriber_ids = Subscriber.objects.confirmed().order_by("id").values_list("id", flat=True)
            Delivery.objects.bulk_create(
                (Delivery(digest=locked, subscriber_id=sid) for sid in subscriber_ids.iterator()),
                batch_size=1000,
                ignore_conflicts=True,
            )
            created = Delivery.objects.filter(digest=locked).count()
            logger.info("newsletter: digest %s sending to %s subscribers (by %s)", locked.date, created, by)
        if created == 0:
            _digest_finish_if_done(digest_id=locked.pk)
        if enqueue:
            transaction.on_commit(lambda: digest_enqueue_batches(digest_id=locked.pk))
    return created


def digest_enqueue_batches(*, digest_id: int) -> int:
    """Queue enough batch tasks for the deliveries due now. Extra tasks are harmless: they claim nothing."""
    from newsletter.tasks import send_digest_batch

    due = _due(digest_id=digest_id, now=timezone.now()).count()
    batches = -(-due // settings.NEWSLETTER_BATCH_SIZE)
    for _ in range(batches):
        send_digest_batch.enqueue(digest_id=digest_id)
    return batches


def digest_send_test(*, digest: Digest, to: str) -> None:
    """Send one copy to an editor. Creates no Delivery and changes nothing."""
    preview = Subscriber(pk=0, email=to, name="", status=Subscriber.Status.CONFIRMED)
    message = emails.digest_message(digest, preview, shared=emails.digest_context(digest))
    message.subject = f"[TEST] {message.subject}"
    message.send()


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    bounced: int = 0
    failed: int = 0
    skipped: int = 0
    released: int = 0
    next_retry_at: datetime | None = None
    errors: list = field(default_factory=list)


def _due(*, digest_id: int, now):
    lease = timedelta(seconds=settings.NEWSLETTER_SEND_LEASE_SECONDS)
    queued_and_due = Q(status=Delivery.Status.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(status=Delivery.Status.SENDING, claimed_at__lt=now - lease)
    return Delivery.objects.filter(digest_id=digest_id).filter(queued_and_due | abandoned)


def _worker_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def _refusal_code(exc: smtplib.SMTPRecipientsRefused) -> int:
    codes = [code for code, _msg in exc.recipients.values()]
    return max(codes) if codes else 0


class _ConnectionLost(Exception):
    pass


def digest_send_batch(*, digest_id: int, batch_size: int | None = None) -> BatchResult:
    """Claim up to `batch_size` due deliveries and send them over one SMTP connection.

    Safe to run in any number of workers at once (SKIP LOCKED claims). See the
    module docstring for the exactly-once argument.
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    result = BatchResult()
    claim = uuid.uuid4()
    with transaction.atomic():
        now = timezone.now()
        ids = list(
            _due(digest_id=digest_id, now=now)
            .select_for_update(skip_locked=True)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        Delivery.objects.filter(id__in=ids).update(
            status=Delivery.Status.SENDING,
            claimed_at=now,
            claimed_by=_worker_id(),
            claim_token=claim,
            attempts=F("attempts") + 1,
        )
    result.claimed = len(ids)
    if ids:
        digest = Digest.objects.get(pk=digest_id)
        shared = emails.digest_context(digest)
        deliveries = list(Delivery.objects.filter(claim_token=claim).select_related("subscriber").order_by("id"))
        _send_claimed(digest=digest, deliveries=deliveries, claim=claim, shared=shared, result=result)
    _digest_finish_if_done(digest_id=digest_id)
    result.next_retry_at = Delivery.objects.filter(digest_id=digest_id, status=Delivery.Status.QUEUED).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    return result


def _send_claimed(*, digest, deliveries, claim, shared, result: BatchResult) -> None:
    connection = None
    lease = timedelta(seconds=settings.NEWSLETTER_SEND_LEASE_SECONDS)
    renewed_at = timezone.now()
    try:
        for delivery in deliveries:
            # Keep the lease on the rest of the batch fresh, so no other sender takes over rows
            # we still mean to send (one UPDATE every third of a lease, not one per message).
            if timezone.now() - renewed_at > lease / 3:
                renewed_at = timezone.now()
                Delivery.objects.filter(claim_token=claim, status=Delivery.Status.SENDING).update(claimed_at=renewed_at)
            ours = Delivery.objects.filter(pk=delivery.pk, claim_token=claim, status=Delivery.Status.SENDING)
            # Re-check just before sending: an unsubscribe or bounce committed by now stops this
            # message, and a row another sender took over is left alone.
            if not ours.filter(subscriber__status=Subscriber.Status.CONFIRMED).exists():
                result.skipped += ours.update(
                    status=Delivery.Status.SKIPPED, claim_token=None, last_error="No longer subscribed."
                )
                continue
            try:
                message = emails.digest_message(
                    digest,
                    delivery.subscriber,
                    shared=shared,
                    message_id=emails.delivery_message_id(digest_id=digest.pk, subscriber_id=delivery.subscriber_id),
                )
            except Exception as exc:
                # This subscriber's data cannot make a message (e.g. a line break in a name that
                # came in before names were checked): retrying cannot help. It fails alone; the
                # rest of the batch goes out.
                logger.exception("newsletter: could not build delivery %s", delivery.pk)
                result.failed += ours.update(
                    status=Delivery.Status.FAILED, claim_token=None, last_error=f"message: {exc!r}"[:500]
                )
                continue
            if connection is None:
                try:
                    connection = mailers.default
                    connection.open()
                except (smtplib.SMTPException, OSError) as exc:
                    # Could not even connect: nobody was tried, so nobody's attempt counts.
                    connection = None
                    raise _ConnectionLost(f"connect: {exc!r}") from exc
            try:
                connection.send_messages([message])
            except smtplib.SMTPRecipientsRefused as exc:
                code = _refusal_code(exc)
                detail = f"{code} {exc.recipients}"[:500]
                if code >= 500:
                    _bounce(ours, delivery, detail, result)
                else:
                    _retry_later(ours, delivery, detail, result)
            except smtplib.SMTPSenderRefused as exc:
                # Our sender address is refused: not this subscriber's fault. Stop and retry later.
                _retry_later(ours, delivery, f"sender refused: {exc.smtp_code} {exc.smtp_error!r}", result)
                raise _ConnectionLost(str(exc)) from exc
            except smtplib.SMTPResponseException as exc:
                detail = f"{exc.smtp_code} {exc.smtp_error!r}"[:500]
                if exc.smtp_code >= 500:
                    # The server refused this message's content (not the mailbox): give up on it
                    # without suppressing the subscriber.
                    result.failed += ours.update(status=Delivery.Status.FAILED, claim_token=None, last_error=detail)
                else:
                    _retry_later(ours, delivery, detail, result)
            except (smtplib.SMTPException, OSError) as exc:
                _retry_later(ours, delivery, f"connection: {exc!r}"[:500], result)
                raise _ConnectionLost(repr(exc)) from exc
            except Exception as exc:  # other backends (anymail) report refusals with their own types
                if type(exc).__name__ == "AnymailRecipientsRefused":
                    _bounce(ours, delivery, repr(exc)[:500], result)
                else:
                    logger.exception("newsletter: sending delivery %s failed", delivery.pk)
                    _retry_later(ours, delivery, repr(exc)[:500], result)
            else:
                # Committed on its own, right after the server's acceptance: this is what keeps
                # the duplicate window (a kill between the two) as small as it can be.
                result.sent += ours.update(status=Delivery.Status.SENT, sent_at=timezone.now(), claim_token=None)
    except _ConnectionLost as exc:
        result.errors.append(str(exc))
        # The rest were never tried: hand them back, without counting the attempt.
        pending = Delivery.objects.filter(claim_token=claim, status=Delivery.Status.SENDING)
        result.released = pending.update(
            status=Delivery.Status.QUEUED,
            claim_token=None,
            claimed_at=None,
            attempts=F("attempts") - 1,
            next_attempt_at=timezone.now() + timedelta(seconds=settings.NEWSLETTER_RETRY_BASE_SECONDS),
        )
        logger.warning("newsletter: SMTP connection lost, %s deliveries released: %s", result.released, exc)
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:
                logger.warning("newsletter: closing the SMTP connection failed", exc_info=True)


def _bounce(ours, delivery, detail, result: BatchResult) -> None:
    result.bounced += ours.update(status=Delivery.Status.BOUNCED, claim_token=None, last_error=detail)
    subscriber_suppress(email=delivery.subscriber.email, status=Subscriber.Status.BOUNCED, reason=f"SMTP {detail}")


def _retry_later(ours, delivery, detail, result: BatchResult) -> None:
    attempts = delivery.attempts  # already counts this attempt (incremented when claimed)
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        result.failed += ours.update(status=Delivery.Status.FAILED, claim_token=None, last_error=detail)
        return
    delay = timedelta(seconds=settings.NEWSLETTER_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    result.retrying += ours.update(
        status=Delivery.Status.QUEUED,
        claim_token=None,
        claimed_at=None,
        next_attempt_at=timezone.now() + delay,
        last_error=detail,
    )


def _digest_finish_if_done(*, digest_id: int) -> bool:
    unfinished = Delivery.objects.filter(
        digest_id=digest_id, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    if unfinished.exists():
        return False
    return bool(
        Digest.objects.filter(pk=digest_id, status=Digest.Status.SENDING).update(
            status=Digest.Status.SENT, sent_at=timezone.now()
        )
    )
