"""Send every email that should have gone out but did not (the SMTP server was down).

Newsletter confirmations and welcomes, comment moderator notices and reply
notices are sent by tasks; when SMTP is down those tasks log and leave the row
unmarked. This sweep finds those rows and sends each one exactly once: rows are
claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked only after the SMTP
server accepted the message. send_daily_digest runs it on every cron run, so
no extra cron line is needed; running it by hand is safe at any time.
"""

from django.core.management.base import BaseCommand

from comments import services as comment_services
from newsletter import services as newsletter_services


def send_pending_email() -> dict[str, int]:
    return {
        "confirmations": newsletter_services.subscriber_confirmations_resend_pending(),
        "welcomes": newsletter_services.subscriber_welcomes_send_pending(),
        "moderator notices (comments listed)": comment_services.moderators_notify_pending(),
        "reply notices": comment_services.reply_notifications_send_pending(),
    }


class Command(BaseCommand):
    help = "Send confirmation, welcome and comment notification emails left unsent by an SMTP outage."

    def handle(self, *args, verbosity=1, **options):
        counts = send_pending_email()
        if verbosity >= 1 and (any(counts.values()) or verbosity >= 2):
            self.stdout.write("Pending email sent: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
