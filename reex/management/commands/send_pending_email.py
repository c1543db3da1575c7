"""Send every email that should have gone out but did not (the SMTP server was down).

Newsletter confirmations and welcomes, comment moderator notices and reply
notices are sent by tasks; when SMTP is down those tasks log and leave the row
unmarked. This sweep finds those rows and sends each one exactly once: rows are
claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked only after the SMTP
server accepted the message. send_daily_digest runs it on every cron run, so
no extra cron line is needed; running it by hand is safe at any time.

The sweeps are the ones the apps registered (reex/pending_email.py).
"""

from django.core.management.base import BaseCommand

from reex.pending_email import send_pending_email


class Command(BaseCommand):
    help = "Send confirmation, welcome and comment notification emails left unsent by an SMTP outage."

    def handle(self, *args, verbosity=1, **options):
        counts = send_pending_email()
        if verbosity >= 1 and (any(counts.values()) or verbosity >= 2):
            self.stdout.write("Pending email sent: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
