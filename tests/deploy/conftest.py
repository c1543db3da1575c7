"""Harness for the many-machines tests: real processes (gunicorn, workers, moto's S3 server) on loopback,
a real second PostgreSQL database on the test server, and Redis when it is reachable.

Subprocesses run the project exactly as production does (`manage.py ...`, `gunicorn reex.wsgi`) with
their configuration in environment variables. Their output goes to files, shown when a test fails.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = os.environ.get("DEPLOY_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# Settings a subprocess must not inherit from the test runner's environment.
_ISOLATED_VARS = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REDIS_URL",
    "TASKS_BACKEND",
    "TASKS_REDIS_URL",
    "MEDIA_STORAGE",
    "TEST_DATABASE_NAME",
    "CACHE_KEY_PREFIX",
    "DJANGO_SETTINGS_MODULE",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2) -> bool:
    """Poll until predicate() is true (connection errors count as "not yet")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(interval)
    return False


@dataclass
class HTTPResponse:
    status: int
    headers: dict
    body: str


def http(url: str, *, data: bytes | None = None, headers: dict | None = None, timeout: float = 20) -> HTTPResponse:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HTTPResponse(response.status, dict(response.headers), response.read().decode(errors="replace"))
    except urllib.error.HTTPError as error:
        return HTTPResponse(error.code, dict(error.headers), error.read().decode(errors="replace"))


def subprocess_env(**overrides: str) -> dict:
    """The runner's environment without its database/cache/queue choices, plus `overrides`."""
    env = {key: value for key, value in os.environ.items() if key not in _ISOLATED_VARS}
    env.update({"DEBUG": "true", "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "reex.settings"})
    env.update(overrides)
    return env


def manage(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@dataclass
class Process:
    """A long-running subprocess whose output goes to a log file."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=timeout)


@dataclass
class ProcessGroup:
    """Starts processes for one test and always stops them, printing their logs if the test failed."""

    log_dir: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict) -> Process:
        log_path = self.log_dir / f"{name}.log"
        handle = log_path.open("w")
        popen = subprocess.Popen(argv, cwd=BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()  # the child holds its own descriptor
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()

    def dump_logs(self) -> str:
        return "\n".join(f"----- {p.name} (exit {p.popen.poll()}) -----\n{p.log()[-6000:]}" for p in self.processes)


@pytest.fixture
def processes(tmp_path, request):
    group = ProcessGroup(log_dir=tmp_path)
    yield group
    group.stop_all()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(group.dump_logs())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets the `processes` fixture know whether the test body failed, to show the logs then.
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


# --- A real second database on the test server --------------------------------------------


def _database_url(name: str) -> str:
    from django.conf import settings

    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection():
    import psycopg2

    connection = psycopg2.connect(_database_url("postgres"))
    connection.autocommit = True
    return connection


def create_database(name: str) -> str:
    """CREATE DATABASE `name` (dropping a leftover from an aborted run) and return its URL."""
    drop_database(name)
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return _database_url(name)


def drop_database(name: str) -> None:
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


def _deploy_database_name(suffix: str) -> str:
    base = os.environ.get("TEST_DATABASE_NAME") or "test_reex"
    return f"{base}_{suffix}"[:63]


@pytest.fixture(scope="session")
def deploy_database():
    """A migrated database of its own, shared by the subprocesses of the tests in this folder.

    Not the pytest-django test database: these processes commit, and several of them run at once.
    """
    name = _deploy_database_name("deploy")
    url = create_database(name)
    try:
        manage("migrate", "--noinput", env=subprocess_env(DATABASE_URL=url), timeout=600)
        yield url
    finally:
        drop_database(name)


# --- Redis ---------------------------------------------------------------------------------


def redis_or_skip() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis is not reachable at {REDIS_TEST_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true requires Redis: {reason}")
        pytest.skip(reason)
    return REDIS_TEST_URL


def redis_delete(url: str, pattern: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=pattern, count=1000))
    if keys:
        client.delete(*keys)


# --- S3: moto's server mode on loopback ------------------------------------------------------


@dataclass
class S3Endpoint:
    url: str
    bucket: str
    access_key: str = "reex-test-key"
    secret_key: str = "reex-test-secret"
    region: str = "us-east-1"

    def env(self) -> dict:
        return {
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": self.region,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        )


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server as a separate process on 127.0.0.1, with an empty bucket."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    endpoint = S3Endpoint(url=f"http://127.0.0.1:{port}", bucket="reex-media")
    try:
        if not wait_for(lambda: http(f"{endpoint.url}/moto-api/").status < 500, timeout=60):
            pytest.fail(f"moto server did not start:\n{log_path.read_text()}")
        client = endpoint.client()
        client.create_bucket(Bucket=endpoint.bucket)
        # As docs/operations.md asks of a real bucket: anyone may read media, only the app may write.
        public_read = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicReadMedia",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{endpoint.bucket}/*",
                }
            ],
        }
        client.put_bucket_policy(Bucket=endpoint.bucket, Policy=json.dumps(public_read))
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=20)
