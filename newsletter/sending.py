"""Sending a digest: claiming due deliveries and delivering them exactly once, over several connections.

Exactly-once (see docs/newsletter.md for the full argument):

* `digest_send` (newsletter/digests.py) creates one Delivery per confirmed
  subscriber; the (digest, subscriber) unique constraint plus ON CONFLICT DO
  NOTHING means re-running it can never add a second row.
* `digest_send_batch` claims due deliveries with SELECT ... FOR UPDATE SKIP
  LOCKED and marks them "sending" with a claim token in the same transaction
  (one UPDATE for the batch), so two workers never hold the same row. Just
  before each message it checks that the row is still its own and the
  subscriber still confirmed (and renews the lease of its remaining rows every
  third of a lease); right after the SMTP server accepts the message it marks
  the delivery "sent" (autocommit, one row, conditional on the claim token).
* A delivery left in "sending" past NEWSLETTER_SEND_LEASE_SECONDS (its worker
  was killed) is claimed again. The only duplicate window is a kill between
  the server's "250 accepted" and the "sent" commit (milliseconds, for each of
  the NEWSLETTER_SMTP_CONNECTIONS messages in flight); those resends carry the
  same Message-ID.

Speed: the digest is rendered once (newsletter/emails.py) and each copy only
fills in its reader's links; messages go out over NEWSLETTER_SMTP_CONNECTIONS
connections at once: the batch is split into slices with a claim token each,
and each slice is sent by its own thread, SMTP connection and database
connection, exactly as a lone sender would. What an SMTP failure means is
decided by reex.mail.classify.
"""

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from newsletter import emails
from newsletter.analytics import delivery_counts
from newsletter.models import Delivery, Digest, Subscriber
from newsletter.subscribers import subscriber_note_undeliverable, subscriber_suppress
from reex import mail

logger = logging.getLogger(__name__)


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

    def add(self, other: "BatchResult") -> None:
        for name in ("sent", "retrying", "bounced", "failed", "skipped", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


def due_deliveries(*, digest_id: int, now):
    lease = timedelta(seconds=settings.NEWSLETTER_SEND_LEASE_SECONDS)
    queued_and_due = Q(status=Delivery.Status.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(status=Delivery.Status.SENDING, claimed_at__lt=now - lease)
    return Delivery.objects.filter(digest_id=digest_id).filter(queued_and_due | abandoned)


def _worker_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def digest_send_batch(*, digest_id: int, batch_size: int | None = None, connections: int | None = None) -> BatchResult:
    """Claim up to `batch_size` due deliveries and send them over up to `connections` SMTP connections.

    Safe to run in any number of workers at once (SKIP LOCKED claims). See the
    module docstring for the exactly-once argument. With one connection it all
    runs in this thread; with more, the batch is split into slices, each with a
    claim token of its own, sent by one thread with its own SMTP and database
    connection (a slice records each acceptance itself, at once).
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    connections = max(1, connections or settings.NEWSLETTER_SMTP_CONNECTIONS)
    if db_connection.in_atomic_block:
        # Called inside the caller's transaction: the claims are not committed, so the threads'
        # own database connections could not see them. Send from this thread instead.
        connections = 1
    result = BatchResult()
    with transaction.atomic():
        now = timezone.now()
        ids = list(
            due_deliveries(digest_id=digest_id, now=now)
            .select_for_update(skip_locked=True)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        slices = [ids[i::connections] for i in range(connections) if ids[i::connections]]
        claims = [uuid.uuid4() for _ in slices]
        for claim, slice_ids in zip(claims, slices, strict=True):
            Delivery.objects.filter(id__in=slice_ids).update(
                status=Delivery.Status.SENDING,
                claimed_at=now,
                claimed_by=_worker_id(),
                claim_token=claim,
                attempts=F("attempts") + 1,
            )
    result.claimed = len(ids)
    if ids:
        rendering = emails.digest_rendering(Digest.objects.get(pk=digest_id))
        senders = [_SliceSender(rendering=rendering, claim=claim) for claim in claims]
        if len(senders) == 1:
            senders[0].run()
        else:
            threads = [threading.Thread(target=sender.run_in_thread, name="digest-smtp") for sender in senders]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        for sender in senders:
            result.add(sender.result)
    digest_finish_if_done(digest_id=digest_id)
    result.next_retry_at = Delivery.objects.filter(digest_id=digest_id, status=Delivery.Status.QUEUED).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    return result


class _ConnectionLost(Exception):
    pass


class _SliceSender:
    """Sends the deliveries of one claim token, one after the other, over one SMTP connection."""

    def __init__(self, *, rendering, claim):
        self.rendering = rendering
        self.claim = claim
        self.result = BatchResult()

    def run_in_thread(self) -> None:
        try:
            self.run()
        except Exception as exc:  # a bug: leave the rows to the lease, as a killed worker would
            logger.exception("newsletter: a sending thread failed")
            self.result.errors.append(repr(exc))
        finally:
            db_connection.close()  # this thread's own database connection

    def run(self) -> None:
        deliveries = list(Delivery.objects.filter(claim_token=self.claim).select_related("subscriber").order_by("id"))
        lease = timedelta(seconds=settings.NEWSLETTER_SEND_LEASE_SECONDS)
        renewed_at = timezone.now()
        backend = None
        try:
            for delivery in deliveries:
                # Keep the lease on the rest of the slice fresh, so no other sender takes over rows
                # we still mean to send (one UPDATE every third of a lease, not one per message).
                if timezone.now() - renewed_at > lease / 3:
                    renewed_at = timezone.now()
                    self._pending().update(claimed_at=renewed_at)
                message = self._prepare(delivery)
                if message is None:
                    continue
                if backend is None:
                    backend = mailers.default
                    try:
                        backend.open()
                    except Exception as exc:
                        # Could not even connect: nobody was tried, so nobody's attempt counts.
                        backend = None
                        failure = mail.classify(exc)
                        if failure is None:
                            raise
                        raise _ConnectionLost(f"connect: {failure.detail}") from exc
                try:
                    backend.send_messages([message])
                except Exception as exc:
                    self._failed(delivery, exc)
                else:
                    # Committed on its own, right after the server's acceptance: this is what keeps
                    # the duplicate window (a kill between the two) as small as it can be.
                    self.result.sent += self._ours(delivery).update(
                        status=Delivery.Status.SENT, sent_at=timezone.now(), claim_token=None
                    )
        except _ConnectionLost as exc:
            self.result.errors.append(str(exc))
            # The rest were never tried: hand them back, without counting the attempt.
            self.result.released = self._pending().update(
                status=Delivery.Status.QUEUED,
                claim_token=None,
                claimed_at=None,
                attempts=F("attempts") - 1,
                next_attempt_at=timezone.now() + timedelta(seconds=settings.NEWSLETTER_RETRY_BASE_SECONDS),
            )
            logger.warning("newsletter: SMTP connection lost, %s deliveries released: %s", self.result.released, exc)
        finally:
            if backend is not None:
                try:
                    backend.close()
                except Exception:
                    logger.warning("newsletter: closing the SMTP connection failed", exc_info=True)

    def _pending(self):
        return Delivery.objects.filter(claim_token=self.claim, status=Delivery.Status.SENDING)

    def _ours(self, delivery):
        return Delivery.objects.filter(pk=delivery.pk, claim_token=self.claim, status=Delivery.Status.SENDING)

    def _prepare(self, delivery):
        """The message for this delivery, or None when it must not (or cannot) be sent."""
        ours = self._ours(delivery)
        # Re-check just before sending: an unsubscribe or bounce committed by now stops this
        # message, and a row another sender took over is left alone.
        if not ours.filter(subscriber__status=Subscriber.Status.CONFIRMED).exists():
            self.result.skipped += ours.update(
                status=Delivery.Status.SKIPPED, claim_token=None, last_error="No longer subscribed."
            )
            return None
        try:
            return emails.digest_message(
                self.rendering,
                delivery.subscriber,
                message_id=emails.delivery_message_id(
                    digest_id=self.rendering.digest_id, subscriber_id=delivery.subscriber_id
                ),
            )
        except Exception as exc:
            # This subscriber's data cannot make a message (e.g. a line break in a name that came
            # in before names were checked): retrying cannot help. It fails alone; the rest go out.
            logger.exception("newsletter: could not build delivery %s", delivery.pk)
            self.result.failed += ours.update(
                status=Delivery.Status.FAILED, claim_token=None, last_error=f"message: {exc!r}"[:500]
            )
            return None

    def _failed(self, delivery, exc: Exception) -> None:
        """Record what this failure means (reex.mail.classify decides); raise _ConnectionLost to stop the slice."""
        ours = self._ours(delivery)
        failure = mail.classify(exc)
        if failure is None:
            logger.exception("newsletter: sending delivery %s failed", delivery.pk)
            self._retry_later(ours, delivery, repr(exc)[:500])
        elif failure.kind is mail.Failure.REFUSED:
            self.result.bounced += ours.update(
                status=Delivery.Status.BOUNCED, claim_token=None, last_error=failure.detail
            )
            subscriber_suppress(
                email=delivery.subscriber.email, status=Subscriber.Status.BOUNCED, reason=f"SMTP {failure.detail}"
            )
        elif failure.kind is mail.Failure.UNSUPPORTED:
            # The address is fine; this server cannot carry it. Keep the subscriber, say why.
            self.result.failed += ours.update(
                status=Delivery.Status.FAILED, claim_token=None, last_error=failure.detail
            )
            subscriber_note_undeliverable(subscriber_id=delivery.subscriber_id, failure=failure)
        elif failure.kind is mail.Failure.REJECTED:
            # The server refused this message's content (not the mailbox): give up on it without
            # suppressing the subscriber.
            self.result.failed += ours.update(
                status=Delivery.Status.FAILED, claim_token=None, last_error=failure.detail
            )
        else:
            self._retry_later(ours, delivery, failure.detail)
            if failure.connection_lost:
                raise _ConnectionLost(failure.detail) from exc

    def _retry_later(self, ours, delivery, detail: str) -> None:
        attempts = delivery.attempts  # already counts this attempt (incremented when claimed)
        if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
            self.result.failed += ours.update(status=Delivery.Status.FAILED, claim_token=None, last_error=detail)
            return
        delay = timedelta(seconds=settings.NEWSLETTER_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
        self.result.retrying += ours.update(
            status=Delivery.Status.QUEUED,
            claim_token=None,
            claimed_at=None,
            next_attempt_at=timezone.now() + delay,
            last_error=detail,
        )


def digest_finish_if_done(*, digest_id: int) -> bool:
    unfinished = Delivery.objects.filter(
        digest_id=digest_id, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    if unfinished.exists():
        return False
    return bool(
        Digest.objects.filter(pk=digest_id, status=Digest.Status.SENDING).update(
            status=Digest.Status.SENT, sent_at=timezone.now(), delivery_counts=delivery_counts(digest_id=digest_id)
        )
    )
