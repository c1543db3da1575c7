"""`manage.py restore FILE`: replace the configured database's contents with a `backup` archive."""

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from reex.pgtools import connection_args, pg_binary, pg_env


class Command(BaseCommand):
    help = (
        "Restore a `manage.py backup` archive into the configured database, replacing what is there "
        "(pg_restore --clean --if-exists, in one transaction). Stop the app servers and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive written by `manage.py backup`.")
        parser.add_argument("--database", default="default", help="Which DATABASES entry (default: default).")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive")

    def handle(self, *args, **options):
        archive = Path(options["file"])
        if not archive.is_file():
            raise CommandError(f"No such backup file: {archive}")
        db = settings.DATABASES[options["database"]]
        if options["interactive"]:
            answer = input(f"This replaces everything in database {db['NAME']!r} with {archive}. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        # Our own connection would hold locks the restore must take.
        connections[options["database"]].close()
        # Check the archive is readable before touching the database.
        listing = subprocess.run(  # noqa: S603
            [pg_binary("pg_restore"), "--list", str(archive)], capture_output=True, text=True, check=False
        )
        if listing.returncode != 0:
            raise CommandError(f"Not a pg_dump custom-format archive: {listing.stderr.strip()}")
        command = [
            pg_binary("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            # All or nothing: an error part-way leaves the database as it was.
            "--single-transaction",
            "--exit-on-error",
            *connection_args(db),
            f"--dbname={db['NAME']}",
            str(archive),
        ]
        result = subprocess.run(command, env=pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed (the database is unchanged): {result.stderr.strip()}")
        self.stdout.write(f"Restored database {db['NAME']!r} from {archive}.")
