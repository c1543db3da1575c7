from django.core.management.base import BaseCommand

from comments.spamcheck import akismet_enabled, comments_akismet_recheck


class Command(BaseCommand):
    help = "Ask Akismet again about held comments it could not check during an outage. Run every few minutes."

    def handle(self, *args, **options):
        if not akismet_enabled():
            self.stdout.write("Akismet is off (no AKISMET_API_KEY): nothing to recheck.")
            return
        counts = comments_akismet_recheck()
        self.stdout.write(", ".join(f"{answer} {count}" for answer, count in counts.items()))
