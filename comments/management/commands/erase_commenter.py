from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from comments.services import commenter_erase


class Command(BaseCommand):
    help = (
        "Erase a commenter's personal data: delete every comment by EMAIL that nobody replied to, and "
        "anonymise (no name, email, website, text, IP) those that have replies, so the thread stays readable."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The commenter's email address (case does not matter).")

    def handle(self, *args, email, **options):
        try:
            validate_email(email.strip())
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        deleted, anonymised = commenter_erase(email=email)
        self.stdout.write(
            self.style.SUCCESS(f"{email}: {deleted} comment(s) deleted, {anonymised} anonymised (they had replies).")
        )
