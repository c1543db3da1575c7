"""What views, the admin and commands call: the newsletter's services, plus the tasks they queue on commit.

The work itself lives in modules of one topic each: newsletter/subscribers.py,
newsletter/importing.py, newsletter/digests.py and newsletter/sending.py.
Those enqueue nothing. This module adds the follow-up (a confirmation, a
welcome, the batch tasks of a send) with `transaction.on_commit`, so a task
never runs for a change that was rolled back. The dependency is one way:
services -> tasks -> topic modules; no topic module imports a task.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from newsletter import tasks
from newsletter.digests import digest_build, digest_due_today, digest_send_test
from newsletter.digests import digest_send as _digest_send
from newsletter.errors import NewsletterError
from newsletter.importing import ImportResult
from newsletter.importing import subscriber_import as _subscriber_import
from newsletter.sending import BatchResult, digest_send_batch, due_deliveries
from newsletter.subscribers import (
    ConfirmationDue,
    subscriber_confirmations_resend_pending,
    subscriber_delete,
    subscriber_export,
    subscriber_send_confirmation,
    subscriber_send_welcome,
    subscriber_suppress,
    subscriber_unsubscribe,
    subscriber_welcomes_send_pending,
)
from newsletter.subscribers import subscriber_confirm as _subscriber_confirm
from newsletter.subscribers import subscriber_signup as _subscriber_signup

__all__ = [
    "BatchResult",
    "ImportResult",
    "NewsletterError",
    "digest_build",
    "digest_due_today",
    "digest_enqueue_batches",
    "digest_send",
    "digest_send_batch",
    "digest_send_test",
    "subscriber_confirm",
    "subscriber_confirmations_resend_pending",
    "subscriber_delete",
    "subscriber_export",
    "subscriber_import",
    "subscriber_send_confirmation",
    "subscriber_send_welcome",
    "subscriber_signup",
    "subscriber_suppress",
    "subscriber_unsubscribe",
    "subscriber_welcomes_send_pending",
]


def _queue_confirmation(due: ConfirmationDue) -> None:
    transaction.on_commit(
        lambda: tasks.send_confirmation.enqueue(subscriber_id=due.subscriber_id, claimed_at=due.claimed_at)
    )


def subscriber_signup(**kwargs) -> bool:
    """newsletter.subscribers.subscriber_signup, then queue the confirmation. True if one is due."""
    due = _subscriber_signup(**kwargs)
    if due is not None:
        _queue_confirmation(due)
    return due is not None


def subscriber_confirm(*, subscriber, ip: str) -> bool:
    """newsletter.subscribers.subscriber_confirm, then queue the welcome email."""
    confirmed = _subscriber_confirm(subscriber=subscriber, ip=ip)
    if confirmed:
        transaction.on_commit(lambda: tasks.send_welcome.enqueue(subscriber_id=subscriber.pk))
    return confirmed


def subscriber_import(**kwargs) -> ImportResult:
    """newsletter.importing.subscriber_import, then queue each confirmation it made due."""
    result = _subscriber_import(**kwargs)
    for due in result.confirmations:
        _queue_confirmation(due)
    return result


def digest_send(*, digest, by=None, enqueue: bool = True) -> int:
    """newsletter.digests.digest_send, then (unless `enqueue=False`) queue batch tasks for what is due."""
    created = _digest_send(digest=digest, by=by)
    if enqueue:
        transaction.on_commit(lambda: digest_enqueue_batches(digest_id=digest.pk))
    return created


def digest_enqueue_batches(*, digest_id: int) -> int:
    """Queue enough batch tasks for the deliveries due now. Extra tasks are harmless: they claim nothing."""
    due = due_deliveries(digest_id=digest_id, now=timezone.now()).count()
    batches = -(-due // settings.NEWSLETTER_BATCH_SIZE)
    for _ in range(batches):
        tasks.send_digest_batch.enqueue(digest_id=digest_id)
    return batches
