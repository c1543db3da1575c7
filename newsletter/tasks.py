"""Background work for the newsletter. Each task takes ids and calls one topic service; none enqueues work
for another module (newsletter/services.py queues these on commit).
"""

from django.tasks import default_task_backend, task

from newsletter.sending import digest_send_batch
from newsletter.subscribers import subscriber_send_confirmation, subscriber_send_welcome


@task(queue_name="email")
def send_confirmation(*, subscriber_id: int, claimed_at: str) -> bool:
    return subscriber_send_confirmation(subscriber_id=subscriber_id, claimed_at=claimed_at)


@task(queue_name="email")
def send_welcome(*, subscriber_id: int) -> bool:
    return subscriber_send_welcome(subscriber_id=subscriber_id)


@task(queue_name="email")
def send_digest_batch(*, digest_id: int) -> dict:
    result = digest_send_batch(digest_id=digest_id)
    # Temporary failures come back later; on a backend that can defer, schedule a batch for
    # then. Elsewhere the cron run of send_daily_digest picks them up.
    if result.next_retry_at and default_task_backend.supports_defer:
        send_digest_batch.using(run_after=result.next_retry_at).enqueue(digest_id=digest_id)
    return {
        "claimed": result.claimed,
        "sent": result.sent,
        "retrying": result.retrying,
        "bounced": result.bounced,
        "failed": result.failed,
        "skipped": result.skipped,
    }
