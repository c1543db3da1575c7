"""`manage.py backup [--output FILE]`: a pg_dump custom-format archive of the configured database."""

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reex.pgtools import connection_args, pg_binary, pg_env


class Command(BaseCommand):
    help = "Back up the database with pg_dump (custom format; restore with `manage.py restore FILE`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="Where to write the archive. Default: BACKUP_DIR/reex-<database>-<UTC timestamp>.dump",
        )
        parser.add_argument("--database", default="default", help="Which DATABASES entry (default: default).")

    def handle(self, *args, **options):
        db = settings.DATABASES[options["database"]]
        if options["output"]:
            output = Path(options["output"])
        else:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            output = Path(settings.BACKUP_DIR) / f"reex-{db['NAME']}-{stamp}.dump"
        output.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename at the end: a failed dump never
        # leaves a half-written file under the real name.
        partial = output.with_name(output.name + ".partial")
        command = [
            pg_binary("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={partial}",
            *connection_args(db),
            db["NAME"],
        ]
        result = subprocess.run(command, env=pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        partial.replace(output)
        output.chmod(0o600)  # it holds subscribers' addresses
        self.stdout.write(f"Backed up database {db['NAME']!r} to {output} ({output.stat().st_size:,} bytes).")
