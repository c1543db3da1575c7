"""Build today's digest when it is due and send every digest that is being sent.

Run it from cron as often as you like (every 5 minutes is a good rhythm):
building is keyed on the date, starting a send takes a row lock, and batches
are claimed with SKIP LOCKED, so overlapping runs and task workers share the
work without duplicating or skipping anyone. It also resumes sends left
unfinished by a crashed worker (after NEWSLETTER_SEND_LEASE_SECONDS) and
retries temporary SMTP failures whose backoff has passed.
"""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Count, Min, Q
from django.utils import timezone

from newsletter import services
from newsletter.models import Delivery, Digest


class Command(BaseCommand):
    help = "Build today's digest if due, then send (or resume sending) digests. Safe to run from cron at any frequency."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the batches to the task worker (db_worker) instead of sending from this process.",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Don't stop while deliveries are held by another sender or waiting for a retry; wait for them.",
        )
        parser.add_argument("--batch-size", type=int, default=settings.NEWSLETTER_BATCH_SIZE)

    def handle(self, *args, enqueue=False, wait=False, batch_size=None, verbosity=1, **options):
        self.verbosity = verbosity
        # Also retry confirmation, welcome and comment emails an SMTP outage left unsent,
        # so this one cron line covers every email (see reex/management/commands/send_pending_email.py).
        call_command("send_pending_email", verbosity=verbosity, stdout=self.stdout)
        due = services.digest_due_today()
        if due is not None:
            created = services.digest_send(digest=due, enqueue=enqueue)
            self.say(f"Digest {due.date}: “{due.subject}”, sending to {created} subscribers.")
        elif verbosity >= 2:
            self.say("No digest is due to start now.")
        for digest in Digest.objects.filter(status=Digest.Status.SENDING).order_by("date"):
            if enqueue:
                batches = services.digest_enqueue_batches(digest_id=digest.pk)
                self.say(f"Digest {digest.date}: {batches} batch task(s) queued for the worker.")
            else:
                self.send_inline(digest, batch_size=batch_size, wait=wait)

    def send_inline(self, digest, *, batch_size, wait):
        while True:
            result = services.digest_send_batch(digest_id=digest.pk, batch_size=batch_size)
            self.progress(digest)
            if result.claimed:
                continue
            held = self.held_or_waiting(digest)
            if held is None:
                self.say(f"Digest {digest.date}: finished.", style=self.style.SUCCESS)
                return
            if not wait:
                self.say(
                    f"Digest {digest.date}: the rest is held by another sender or waiting for a retry; "
                    "a later run will pick it up."
                )
                return
            time.sleep(max(0.2, min(30.0, (held - timezone.now()).total_seconds())))

    def held_or_waiting(self, digest):
        """When the next unfinished delivery becomes claimable, or None if nothing is unfinished."""
        lease = timezone.timedelta(seconds=settings.NEWSLETTER_SEND_LEASE_SECONDS)
        rows = Delivery.objects.filter(digest=digest)
        stats = rows.aggregate(
            retry=Min("next_attempt_at", filter=Q(status=Delivery.Status.QUEUED)),
            claimed=Min("claimed_at", filter=Q(status=Delivery.Status.SENDING)),
            unfinished=Count("id", filter=Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING])),
        )
        if not stats["unfinished"]:
            return None
        candidates = [stats["retry"], stats["claimed"] + lease if stats["claimed"] else None]
        return min([c for c in candidates if c] or [timezone.now()])

    def progress(self, digest):
        counts = dict(Delivery.objects.filter(digest=digest).order_by().values_list("status").annotate(n=Count("id")))
        total = sum(counts.values())
        done = total - counts.get("queued", 0) - counts.get("sending", 0)
        self.say(
            f"Digest {digest.date}: {done}/{total} done · sent {counts.get('sent', 0)} · "
            f"queued {counts.get('queued', 0)} · in flight {counts.get('sending', 0)} · "
            f"bounced {counts.get('bounced', 0)} · failed {counts.get('failed', 0)} · skipped {counts.get('skipped', 0)}"
        )

    def say(self, text, style=None):
        if self.verbosity >= 1:
            self.stdout.write(style(text) if style else text)
            self.stdout.flush()
