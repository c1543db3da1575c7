"""Real sender processes (`manage.py send_daily_digest`) against the test database and a loopback SMTP server.

Two senders at once, and a sender killed with SIGKILL in the middle of a batch
and started again: every confirmed subscriber gets the digest exactly once.
"""

import os
import signal
from collections import Counter

import pytest

from newsletter import services
from newsletter.models import Delivery, Digest
from tests.factories import make_article, make_subscriber
from tests.newsletter.conftest import start_manage, start_sender, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def finish(process, timeout=120):
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


def test_two_concurrent_senders_send_each_subscriber_exactly_one(gated_smtp):
    # Every RCPT waits until both senders have an SMTP session open, so they really overlap.
    smtp = gated_smtp(min_sessions=2)
    people = [make_subscriber(email=f"pair{i:03d}@example.org") for i in range(40)]
    make_article(title="Two workers")

    first = start_sender(smtp, "--batch-size", "5")
    second = start_sender(smtp, "--batch-size", "5")
    outputs = [finish(first), finish(second)]

    assert Counter(smtp.recipients()) == Counter({p.email: 1 for p in people})
    digest = Digest.objects.get()
    assert digest.status == "sent"
    assert Delivery.objects.filter(status="sent").count() == 40
    workers = set(Delivery.objects.values_list("claimed_by", flat=True))
    assert len(workers) == 2, workers  # both processes did part of the work
    # Whichever sender ran out of work first left the in-flight rest to the other, and said so.
    assert any("finished" in out for out in outputs), outputs


def test_sender_killed_mid_batch_then_restarted_sends_everyone_once(gated_smtp):
    # After 12 accepted messages the server stalls the 13th at RCPT: the sender is mid-batch.
    smtp = gated_smtp(hold_after=12)
    people = [make_subscriber(email=f"kill{i:03d}@example.org") for i in range(30)]
    make_article(title="Killed worker")

    victim = start_sender(smtp, "--batch-size", "5", NEWSLETTER_SMTP_CONNECTIONS="1")
    try:
        assert smtp.handler.held.wait(timeout=120), "the sender never reached the 13th message"
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL

    # What the dead worker left behind: 12 sent, its third batch claimed, the rest queued.
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses == Counter({"sent": 12, "sending": 3, "queued": 15})
    assert len(smtp.recipients()) == 12
    smtp.handler.release()

    # Restart. Its lease is short so the abandoned claims are taken over after a second.
    restarted = start_sender(
        smtp, "--batch-size", "5", "--wait", NEWSLETTER_SEND_LEASE_SECONDS="1", NEWSLETTER_SMTP_CONNECTIONS="1"
    )
    output = finish(restarted)

    assert Counter(smtp.recipients()) == Counter({p.email: 1 for p in people}), output
    assert Counter(Delivery.objects.values_list("status", flat=True)) == Counter({"sent": 30})
    assert Digest.objects.get().status == "sent"
    # The three reclaimed deliveries were attempted twice (once by the dead worker).
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1] * 27 + [2] * 3
    assert os.getpid() != restarted.pid


def test_sender_with_several_connections_killed_mid_batch_sends_everyone_once(gated_smtp):
    # Three SMTP connections at once; after 20 accepted messages every further RCPT stalls.
    smtp = gated_smtp(hold_after=20)
    people = [make_subscriber(email=f"many{i:03d}@example.org") for i in range(45)]
    make_article(title="Killed fast worker")

    victim = start_sender(smtp, "--batch-size", "9", NEWSLETTER_SMTP_CONNECTIONS="3")
    try:
        assert smtp.handler.held.wait(timeout=120), "the sender never reached the 21st message"
        # Each accepted message is recorded by its own thread at once; the test waits for those
        # commits (milliseconds) so that the kill lands outside that window, as the lease assumes.
        # (Up to two more than 20 may have passed RCPT on the other connections before the stall.)
        wait_for(lambda: Delivery.objects.filter(status="sent").count() == len(smtp.recipients()), what="all recorded")
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    accepted = len(smtp.recipients())
    assert 20 <= accepted <= 22
    assert Delivery.objects.filter(status="sent").count() == accepted
    # The dead sender held rows under three claim tokens (one per connection) at once.
    assert Delivery.objects.filter(status="sending").values("claim_token").distinct().count() == 3
    smtp.handler.release()

    restarted = start_sender(
        smtp, "--batch-size", "9", "--wait", NEWSLETTER_SEND_LEASE_SECONDS="1", NEWSLETTER_SMTP_CONNECTIONS="3"
    )
    output = finish(restarted)

    assert Counter(smtp.recipients()) == Counter({p.email: 1 for p in people}), output
    assert Counter(Delivery.objects.values_list("status", flat=True)) == Counter({"sent": 45})
    assert Digest.objects.get().status == "sent"


def test_rerunning_the_command_after_a_finished_send_sends_nothing(gated_smtp):
    smtp = gated_smtp()
    people = [make_subscriber(email=f"again{i}@example.org") for i in range(3)]
    make_article(title="Once only")
    finish(start_sender(smtp))
    finish(start_sender(smtp))
    assert Counter(smtp.recipients()) == Counter({p.email: 1 for p in people})
    assert services.digest_build().status == "sent"


def test_admin_send_through_the_postgresql_task_queue_and_db_worker(gated_smtp, settings):
    """The path an editor's "Send now" takes in production: batch tasks in the database queue, a db_worker runs them."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    settings.NEWSLETTER_BATCH_SIZE = 4
    smtp = gated_smtp()
    people = [make_subscriber(email=f"queue{i:02d}@example.org") for i in range(10)]
    make_article(title="Through the queue")
    digest = services.digest_build()

    services.digest_send(digest=digest)
    services.digest_send(digest=digest)  # a double click enqueues only harmless extra batches
    assert smtp.recipients() == []  # nothing is sent by the web request itself
    assert DBTaskResult.objects.filter(task_path="newsletter.tasks.send_digest_batch").count() == 6

    worker = start_manage(
        smtp,
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--queue-name",
        "email",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        NEWSLETTER_BATCH_SIZE="4",
    )
    output = finish(worker)

    assert Counter(smtp.recipients()) == Counter({p.email: 1 for p in people}), output
    assert Digest.objects.get().status == "sent"
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
