from django.conf import settings
from django.core.management.base import BaseCommand

from comments.services import comment_ips_purge


class Command(BaseCommand):
    help = "Clear the IP address and user agent of comments older than COMMENTS_IP_RETENTION_DAYS. Run daily."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: the COMMENTS_IP_RETENTION_DAYS setting).",
        )

    def handle(self, *args, days, **options):
        days = settings.COMMENTS_IP_RETENTION_DAYS if days is None else days
        count = comment_ips_purge(older_than_days=days)
        self.stdout.write(
            self.style.SUCCESS(f"Cleared IP address and user agent of {count} comment(s) older than {days} days.")
        )
