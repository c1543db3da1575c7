"""A throwaway database on the test server, for commands that must run outside the test's connection.

Backup/restore and migration tests run `manage.py` in subprocesses with
DATABASE_URL pointing here, so they never touch the test database's schema.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
from django.conf import settings
from psycopg2 import sql

from reex.pgtools import conn_params

BASE_DIR = Path(__file__).resolve().parents[2]


def _params() -> dict:
    return conn_params(settings.DATABASES["default"])


def database_url(name: str) -> str:
    params = _params()
    host, port = params["host"], params["port"]
    auth = f"{quote(params['user'])}:{quote(params['password'])}@"
    if host.startswith("/"):  # a Unix socket directory (the embedded server)
        return f"postgresql://{auth}/{name}?host={quote(host)}"
    return f"postgresql://{auth}{host}{':' + str(port) if port else ''}/{name}"


def _connect(dbname: str):
    params = _params()
    return psycopg2.connect(
        dbname=dbname,
        user=params["user"] or None,
        password=params["password"] or None,
        host=params["host"] or None,
        port=params["port"] or None,
    )


def _admin_connection():
    conn = _connect("postgres")
    conn.autocommit = True
    return conn


def create_database(prefix: str = "reex_scratch") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = _admin_connection()  # not `with conn`: that opens a transaction, and CREATE DATABASE refuses one
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    return name


def drop_database(name: str) -> None:
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


def query(name: str, statement: str, params=None):
    conn = _connect(name)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        conn.close()


def manage(*args: str, database: str, timeout: int = 300, input_text: str | None = None):
    """Run manage.py against `database` in a subprocess; returns the CompletedProcess."""
    env = dict(os.environ, DEBUG="true", DATABASE_URL=database_url(database))
    env.pop("REDIS_URL", None)  # these commands need only the database
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input_text,
    )
