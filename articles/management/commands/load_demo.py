from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_ACCOUNTS = [
    # username, password, is_superuser
    ("editor", "reex-editor-demo", False),
    ("writer", "reex-writer-demo", False),
    ("admin", "reex-admin-demo", True),
]


class Command(BaseCommand):
    help = "Load demo content and development-only accounts. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo creates accounts with published passwords; it runs only with DEBUG on.")
        User = get_user_model()
        for username, password, is_superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            user.is_staff = True
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
        self.stdout.write("Demo accounts (development only):")
        for username, password, _ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<8} password: {password}")
