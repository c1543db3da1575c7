"""Running PostgreSQL's client programs (pg_dump, pg_restore) against a DATABASES entry."""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError


def _server_major(alias: str = "default") -> int | None:
    from django.db import connections

    try:
        connection = connections[alias]
        connection.ensure_connection()
        return connection.pg_version // 10000
    except Exception:  # unknown: fall back to the newest programs we have
        return None


def pg_binary(name: str, *, alias: str = "default") -> str:
    """The pg_dump/pg_restore to use against database `alias`.

    In order: PG_BIN_DIR; the programs of the server's own major version (Debian
    keeps them in /usr/lib/postgresql/<major>/bin); the embedded PostgreSQL's
    bundled ones; PATH. Matching the server matters both ways: pg_dump must be at
    least as new as the server, and a newer pg_dump writes settings an older
    server refuses on restore (pg_dump 17+ emits `SET transaction_timeout`,
    which PostgreSQL 15 does not know).
    """
    candidates = []
    if settings.PG_BIN_DIR:
        candidates.append(Path(settings.PG_BIN_DIR) / name)
    major = _server_major(alias)
    if major is not None:
        candidates.append(Path(f"/usr/lib/postgresql/{major}/bin") / name)
    try:
        from reex.embedded_db import bundled_bin_dir, bundled_major

        bundled = bundled_bin_dir()
        if major is None or bundled_major() == major:
            candidates.append(bundled / name)
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
